from .accesslog import AccessLogHead, AccessOutcome, AccessRecord, Channel
from .applications import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    NonWorkingDay,
    NonWorkingKind,
)
from .consent import Consent, ConsentMethod, Delegation, OneTimeCode, Purpose
from .profile import Citizen, Document, DocumentStatus

__all__ = [
    "AccessLogHead",
    "AccessOutcome",
    "AccessRecord",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "Channel",
    "Citizen",
    "Consent",
    "ConsentMethod",
    "Delegation",
    "Document",
    "DocumentStatus",
    "NonWorkingDay",
    "NonWorkingKind",
    "OneTimeCode",
    "Purpose",
]
