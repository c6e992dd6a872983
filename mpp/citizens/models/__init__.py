from .accesslog import AccessLogHead, AccessOutcome, AccessRecord, Channel
from .applications import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    NonWorkingDay,
    NonWorkingKind,
)
from .consent import Consent, ConsentMethod, Delegation, OneTimeCode, Purpose
from .faces import (
    ClaimKind,
    DuplicateStatus,
    FaceCheck,
    FaceDuplicate,
    FaceMallSettings,
    FaceTemplate,
)
from .profile import Citizen, Document, DocumentStatus

__all__ = [
    "AccessLogHead",
    "AccessOutcome",
    "AccessRecord",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "Channel",
    "ClaimKind",
    "Citizen",
    "Consent",
    "ConsentMethod",
    "Delegation",
    "Document",
    "DocumentStatus",
    "DuplicateStatus",
    "FaceCheck",
    "FaceDuplicate",
    "FaceMallSettings",
    "FaceTemplate",
    "NonWorkingDay",
    "NonWorkingKind",
    "OneTimeCode",
    "Purpose",
]
