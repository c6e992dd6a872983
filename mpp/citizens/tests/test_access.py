"""The access matrix and the rule that every read of citizen data is logged."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from mpp.registry.models import Agency

from ..access import (
    AccessRefused,
    citizen_data_read,
    citizen_profile_for_officer,
    document_file_read,
)
from ..models import AccessRecord, Citizen, Purpose
from ..services import (
    consent_grant,
    consent_revoke,
    delegation_confirm,
    delegation_request,
    document_upload,
)
from .conftest import NIK_SITI, scan_pdf

pytestmark = pytest.mark.django_db


def bpjs():
    return Agency.objects.get(code="bpjs-kesehatan")


def grant(siti, categories, agency=None, days=30, purpose=Purpose.SERVICE_DELIVERY):
    return consent_grant(
        citizen=siti,
        agency=agency or bpjs(),
        purpose=purpose,
        categories=categories,
        days=days,
        by=siti.user,
    )


def test_personal_data_is_not_stored_in_clear(siti):
    row = Citizen.objects.filter(pk=siti.pk).values().get()
    text = repr(row)
    assert NIK_SITI not in text and "Nurhaliza" not in text and "081234567890" not in text
    assert row["nik_masked"] == "3171••••••••0001" and row["name_masked"] == "S*** N***"


def test_the_citizen_reads_everything_about_themself_and_it_is_logged(siti):
    reading = citizen_data_read(citizen=siti, actor=siti.user, purpose=Purpose.SELF)
    assert reading.values["nik"] == NIK_SITI and reading.values["full_name"] == "Siti Nurhaliza"
    record = AccessRecord.objects.get()
    assert record.actor == siti.user and record.outcome == "granted" and "nik" in record.fields


def test_an_officer_without_consent_sees_only_the_masked_name_and_the_refusal_is_logged(
    siti, officer_jakarta, mall_jakarta
):
    reading = citizen_profile_for_officer(
        citizen=siti, officer=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY, mall=mall_jakarta
    )
    assert reading.values == {} and not reading.granted
    assert reading.masked_name == "S*** N***" and reading.nik_masked == "3171••••••••0001"
    record = AccessRecord.objects.get()
    assert record.outcome == "refused" and record.agency == bpjs() and record.mall == mall_jakarta


def test_an_officer_with_consent_sees_exactly_the_consented_fields(
    siti, officer_jakarta, mall_jakarta
):
    grant(siti, ["identity"])
    reading = citizen_profile_for_officer(
        citizen=siti, officer=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY, mall=mall_jakarta
    )
    assert set(reading.values) == {"nik", "full_name", "birth_place", "birth_date", "sex"}
    assert "phone" not in reading.values
    record = AccessRecord.objects.get()
    assert record.outcome == "granted" and set(record.fields) == set(reading.values)


def test_consent_is_per_agency_and_per_purpose(
    siti, officer_jakarta, officer_dukcapil_jakarta, mall_jakarta
):
    grant(siti, ["identity", "contact"])
    other_agency = citizen_profile_for_officer(
        citizen=siti,
        officer=officer_dukcapil_jakarta,
        purpose=Purpose.SERVICE_DELIVERY,
        mall=mall_jakarta,
    )
    other_purpose = citizen_profile_for_officer(
        citizen=siti, officer=officer_jakarta, purpose=Purpose.PREFILL, mall=mall_jakarta
    )
    assert other_agency.values == {} and other_purpose.values == {}


def test_nothing_is_readable_after_withdrawal_or_expiry(
    siti, officer_jakarta, mall_jakarta, time_machine
):
    consent = grant(siti, ["identity"], days=1)
    consent_revoke(consent=consent, by=siti.user)
    with pytest.raises(AccessRefused) as refused:
        citizen_data_read(
            citizen=siti,
            actor=officer_jakarta,
            purpose=Purpose.SERVICE_DELIVERY,
            fields=["full_name"],
            mall=mall_jakarta,
        )
    assert refused.value.code == "no_consent"
    consent = grant(siti, ["identity"], days=1)
    time_machine.move_to(consent.expires_at + timedelta(seconds=1))
    with pytest.raises(AccessRefused):
        citizen_data_read(
            citizen=siti, actor=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY, fields=["sex"]
        )
    assert list(AccessRecord.objects.values_list("outcome", flat=True)) == ["refused", "refused"]


def test_a_strict_read_of_an_unconsented_field_is_refused_whole(siti, officer_jakarta):
    grant(siti, ["identity"])
    with pytest.raises(AccessRefused):
        citizen_data_read(
            citizen=siti,
            actor=officer_jakarta,
            purpose=Purpose.SERVICE_DELIVERY,
            fields=["full_name", "phone"],
        )
    record = AccessRecord.objects.get()
    assert record.outcome == "refused" and record.fields == ["full_name", "phone"]
    assert "phone" in record.reason


def test_an_officer_reading_from_another_mall_is_refused(siti, officer_jakarta, mall_sampit):
    grant(siti, ["identity"])
    reading = citizen_profile_for_officer(
        citizen=siti, officer=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY, mall=mall_sampit
    )
    assert reading.values == {}


def test_managers_and_analysts_never_read_citizen_data(
    siti, mall_manager_jakarta, ministry_analyst
):
    for user in (mall_manager_jakarta, ministry_analyst):
        with pytest.raises(AccessRefused):
            citizen_data_read(citizen=siti, actor=user, purpose=Purpose.SERVICE_DELIVERY)
    assert AccessRecord.objects.filter(outcome="refused").count() == 2


def test_the_assisted_lane_needs_the_citizens_code_and_shows_as_assisted(
    siti, officer_jakarta, sms_outbox
):
    delegation = delegation_request(citizen=siti, officer=officer_jakarta)
    with pytest.raises(AccessRefused):
        citizen_data_read(citizen=siti, actor=officer_jakarta, purpose=Purpose.ASSISTED)
    code = sms_outbox[-1].body.split()[1]
    delegation_confirm(delegation=delegation, code=code)
    reading = citizen_data_read(citizen=siti, actor=officer_jakarta, purpose=Purpose.ASSISTED)
    assert reading.values["nik"] == NIK_SITI
    assert AccessRecord.objects.first().channel == "assisted"
    # Reading the phone to send the code was logged too, as the system.
    assert AccessRecord.objects.filter(actor=None, purpose="notification").exists()


def test_document_files_are_encrypted_and_their_reads_logged(siti, officer_jakarta, settings):
    pdf = scan_pdf()
    document = document_upload(citizen=siti, doc_type="ktp", content=pdf, by=siti.user)
    assert pdf not in Path(settings.MEDIA_ROOT, document.file.name).read_bytes()
    with pytest.raises(AccessRefused):
        document_file_read(
            document=document, actor=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY
        )
    grant(siti, ["documents"])
    assert (
        document_file_read(
            document=document, actor=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY
        )
        == pdf
    )
    assert list(AccessRecord.objects.values_list("outcome", flat=True)) == ["granted", "refused"]


CITIZENS = Path(__file__).resolve().parents[1]
ALLOWED_OPENERS = {"access.py", "vault.py"}


def test_only_the_access_module_decrypts_citizen_data():
    """The vault's open_* functions are the only way to read personal data; only
    access.py may call them, so every read passes the logging door."""
    offenders = []
    for path in CITIZENS.rglob("*.py"):
        if path.name in ALLOWED_OPENERS or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            name = getattr(node, "attr", None) or getattr(node, "id", None)
            if isinstance(name, str) and name.startswith("open_") and name != "open_":
                offenders.append(f"{path.relative_to(CITIZENS)}:{node.lineno} {name}")
    assert offenders == []
