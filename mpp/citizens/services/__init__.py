"""State changes for citizen data (see accounts, applications, rights)."""

from .accounts import (
    citizen_create,
    citizen_notify,
    citizen_register_confirm,
    citizen_register_start,
    consent_grant,
    consent_revoke,
    delegation_confirm,
    delegation_request,
    document_upload,
    document_verify,
    profile_correct,
)
from .applications import application_start, application_submit, application_transition
from .rights import citizen_erase, citizen_export

__all__ = [
    "application_start",
    "application_submit",
    "application_transition",
    "citizen_create",
    "citizen_erase",
    "citizen_export",
    "citizen_notify",
    "citizen_register_confirm",
    "citizen_register_start",
    "consent_grant",
    "consent_revoke",
    "delegation_confirm",
    "delegation_request",
    "document_upload",
    "document_verify",
    "profile_correct",
]
