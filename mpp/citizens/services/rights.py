"""Personal data rights (UU 27/2022): export and erasure. Correction and consent
withdrawal are in `accounts`."""

import uuid

from django.db import transaction
from django.utils import timezone

from mpp.core.audit import audit_record

from .. import access
from ..models import (
    AccessOutcome,
    Application,
    Channel,
    Citizen,
    Consent,
    Document,
    OneTimeCode,
    Purpose,
)


def citizen_export(*, citizen: Citizen, actor) -> dict:
    """All the citizen's data and its processing trail, as a JSON-ready dict (logged)."""
    return access.citizen_export_read(citizen=citizen, actor=actor)


def citizen_erase(*, citizen: Citizen, by) -> Citizen:
    """Erase the account: the profile, NIK, documents and the data in applications are
    removed; applications stay, anonymised, with their dates and statuses (service
    statistics and the agencies' archives need them); consents are withdrawn and kept as
    proof; the access log is kept whole (it holds no personal data, only who read what)."""
    if not access._is_owner(by, citizen):
        raise access.AccessRefused("Only the citizen can erase their account.", code="not_allowed")
    if citizen.is_erased:
        return citizen
    with transaction.atomic():
        access.access_record_append(
            citizen=citizen,
            actor=by,
            purpose=Purpose.ERASURE,
            fields=list(access.ALL_FIELDS),
            outcome=AccessOutcome.GRANTED,
            channel=Channel.WEB,
        )
        for document in Document.objects.filter(citizen=citizen):
            document.file.delete(save=False)
            document.delete()
        Application.objects.filter(citizen=citizen).update(sealed_data="", anonymised=True)
        Consent.objects.active().filter(citizen=citizen).update(revoked_at=timezone.now())
        OneTimeCode.objects.filter(delegation__citizen=citizen).delete()
        citizen.nik_hash = None
        citizen.nik_sealed = ""
        citizen.nik_masked = "•" * 16
        citizen.sealed_profile = ""
        citizen.name_masked = "—"
        citizen.nik_warnings = []
        citizen.erased_at = timezone.now()
        citizen.save()
        user = citizen.user
        if user is not None:
            user.username = f"erased-{uuid.uuid4().hex[:12]}"
            user.first_name = user.last_name = user.email = user.phone = ""
            user.is_active = False
            user.set_unusable_password()
            user.save()
        audit_record(actor=None, action="citizen_erase", target=citizen, summary=str(citizen.uuid))
    return citizen
