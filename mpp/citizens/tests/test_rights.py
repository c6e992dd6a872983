"""Personal data rights: export, correction, erasure."""

import json

import pytest
from django.core.exceptions import ValidationError

from ..access import AccessRefused, citizen_data_read
from ..models import AccessRecord, Application, Citizen, Consent, Document, Purpose
from ..services import (
    application_start,
    citizen_erase,
    citizen_export,
    consent_grant,
    document_upload,
    profile_correct,
)
from .conftest import NIK_SITI, scan_png

pytestmark = pytest.mark.django_db


def test_the_export_holds_profile_consents_applications_and_the_access_trail(
    siti, bpjs_service, officer_jakarta
):
    consent_grant(
        citizen=siti,
        agency=bpjs_service.agency,
        purpose=Purpose.PREFILL,
        categories=["identity"],
        days=30,
        by=siti.user,
    )
    application_start(citizen=siti, service=bpjs_service, by=siti.user)
    citizen_data_read(citizen=siti, actor=officer_jakarta, purpose="prefill", fields=["sex"])
    export = json.loads(json.dumps(citizen_export(citizen=siti, actor=siti.user)))
    assert export["profile"]["nik"] == NIK_SITI
    assert export["consents"][0]["agency"] == "BPJS Kesehatan"
    assert export["applications"][0]["status"] == "draft"
    trail = [(r["who"].split()[0], r["purpose"]) for r in export["access_log"]]
    assert ("officer_jakarta", "prefill") in trail and ("siti", "export") in trail


def test_only_the_citizen_exports_their_data(siti, officer_jakarta):
    with pytest.raises(AccessRefused):
        citizen_export(citizen=siti, actor=officer_jakarta)


def test_a_correction_changes_the_profile_and_logs_field_names_only(siti):
    changed = profile_correct(
        citizen=siti, changes={"full_name": "Siti Nurhaliza Putri", "rt": "5"}, by=siti.user
    )
    assert changed == ["full_name", "rt"]
    siti.refresh_from_db()
    assert siti.name_masked == "S*** N*** P***"
    values = citizen_data_read(citizen=siti, actor=siti.user, purpose="self").values
    assert values["full_name"] == "Siti Nurhaliza Putri"
    with pytest.raises(ValidationError) as error:
        profile_correct(citizen=siti, changes={"email": "not-an-email"}, by=siti.user)
    assert "email" in error.value.message_dict


def test_erasure_removes_personal_data_and_keeps_anonymised_records(siti, bpjs_service):
    document_upload(citizen=siti, doc_type="kk", content=scan_png(), by=siti.user)
    consent_grant(
        citizen=siti,
        agency=bpjs_service.agency,
        purpose=Purpose.PREFILL,
        categories=["identity"],
        days=30,
        by=siti.user,
    )
    application_start(citizen=siti, service=bpjs_service, by=siti.user)
    user = siti.user
    citizen_erase(citizen=siti, by=user)
    row = Citizen.objects.filter(pk=siti.pk).values().get()
    assert row["sealed_profile"] == "" and row["nik_sealed"] == "" and row["nik_hash"] is None
    assert not Document.objects.exists()
    application = Application.objects.get()
    assert application.anonymised and application.sealed_data == ""
    assert not Consent.objects.active().exists() and Consent.objects.count() == 1
    user.refresh_from_db()
    assert not user.is_active and user.username.startswith("erased-") and user.email == ""
    assert AccessRecord.objects.first().purpose == "erasure"
    with pytest.raises(AccessRefused):
        citizen_data_read(citizen=siti, actor=user, purpose="self")
    # The same NIK may register again as a new person.
    assert not Citizen.objects.with_nik(NIK_SITI).exists()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"MZ\x90\x00 not a pdf", "PDF, JPEG"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "5 MB"),
        # Starts like a PDF, continues as HTML: refused because it does not parse.
        (b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>", "PDF, JPEG"),
        (b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>", "PDF, JPEG"),
    ],
)
def test_a_wrong_or_too_large_document_is_refused(siti, content, error):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match=error):
        document_upload(citizen=siti, doc_type="ktp", content=content, by=siti.user)
    assert not Document.objects.exists()
