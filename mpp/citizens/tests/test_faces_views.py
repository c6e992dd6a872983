"""Face pages: enrolment at the counter (consent first, reasons shown), duplicates to
review, and the citizen's own page with "who used my face data"."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mpp.biometrics.tests.conftest import EXTRA

from ..models import AccessRecord, Delegation, FaceDuplicate, FaceTemplate, Purpose
from ..services import citizen_create
from .face_photos import (
    ENROL,
    NIK_OTHER,
    frames_of,
)

pytestmark = pytest.mark.usefixtures("face_key")


def uploads(frames):
    return [SimpleUploadedFile(f"f{i}.jpg", f, "image/jpeg") for i, f in enumerate(frames)]


def test_counter_enrolment_needs_consent_recorded_after_the_assisted_lane(
    client, john, officer_dukcapil_jakarta
):
    client.force_login(officer_dukcapil_jakarta)
    url = reverse("citizens:officer_face", args=[john.uuid])
    page = client.get(url).content.decode()
    assert "Enrol" not in page and "lajur" in page.lower() or "assisted" in page
    refused = client.post(
        url, {"action": "enrol", "images": uploads(frames_of(*ENROL))}, follow=True
    )
    assert not FaceTemplate.objects.exists()
    assert "persetujuan" in refused.content.decode().lower()
    from django.utils import timezone

    Delegation.objects.create(
        citizen=john,
        officer=officer_dukcapil_jakarta,
        agency_id=officer_dukcapil_jakarta.posting.agency_id,
        mall_id=officer_dukcapil_jakarta.posting.mall_id,
        confirmed_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(minutes=30),
    )
    client.post(url, {"action": "consent"})
    assert john.consents.get().purpose == Purpose.BIOMETRIC
    done = client.post(url, {"action": "enrol", "images": uploads(frames_of(*ENROL))}, follow=True)
    assert FaceTemplate.objects.filter(citizen=john).exists()
    assert 'data-testid="face-enrolled"' in done.content.decode()


def test_bad_uploads_show_the_reason(client, john, biometric_consent, officer_dukcapil_jakarta):
    biometric_consent(john)
    client.force_login(officer_dukcapil_jakarta)
    url = reverse("citizens:officer_face", args=[john.uuid])
    two = (EXTRA / "two_faces.jpg").read_bytes()
    page = client.post(url, {"action": "enrol", "images": uploads([two, two, two])}, follow=True)
    text = page.content.decode()
    assert "lebih dari satu wajah" in text.lower() or "satu wajah" in text.lower()
    assert not FaceTemplate.objects.exists()


def test_duplicates_are_listed_for_review_and_exported(
    client, enrolled_john, biometric_consent, officer_dukcapil_jakarta
):
    other = citizen_create(
        nik=NIK_OTHER, full_name="Jon Sim", birth_date=None, phone="081234567892"
    )
    biometric_consent(other)
    client.force_login(officer_dukcapil_jakarta)
    client.post(
        reverse("citizens:officer_face", args=[other.uuid]),
        {"action": "enrol", "images": uploads(frames_of("John_Simm", [6, 9, 11]))},
    )
    listing = client.get(reverse("citizens:face_duplicates")).content.decode()
    assert "J*** S***" in listing
    csv = client.get(reverse("citizens:face_duplicates"), {"format": "csv"}).content.decode()
    assert csv.startswith("found_at,citizen,resembles,score")
    duplicate = FaceDuplicate.objects.get()
    client.post(
        reverse("citizens:face_duplicates"), {"duplicate": duplicate.uuid, "status": "different"}
    )
    duplicate.refresh_from_db()
    assert duplicate.status == "different"


def test_the_citizen_sees_face_uses_and_deletes_the_template(client, siti, biometric_consent):
    from mpp import biometrics as bio

    from ..services import faces as svc

    consent = biometric_consent(siti)
    enrolment = bio.template_enrol(frames_of(*ENROL))
    svc.face_template_store(
        citizen=siti, template=enrolment.template, consent=consent, by=None, frames_used=3
    )
    client.force_login(siti.user)
    log = client.get(reverse("citizens:access_log")).content.decode()
    assert AccessRecord.objects.filter(citizen=siti, purpose=Purpose.BIOMETRIC).exists()
    assert str(Purpose.BIOMETRIC.label) in log and ">face<" in log
    client.post(reverse("citizens:face_mine"))
    assert not FaceTemplate.objects.exists()


def test_the_face_api_twin_shows_the_status_and_deletes(client, siti, biometric_consent):
    from mpp import biometrics as bio

    from ..services import faces as svc

    url = reverse("api-citizen-face")
    client.force_login(siti.user)
    assert client.get(url).json()["enrolled"] is False
    assert client.delete(url).status_code == 404
    consent = biometric_consent(siti)
    enrolment = bio.template_enrol(frames_of(*ENROL))
    svc.face_template_store(
        citizen=siti, template=enrolment.template, consent=consent, by=None, frames_used=3
    )
    body = client.get(url).json()
    assert body["enrolled"] is True and body["consent_active"] is True
    assert "blob" not in body and "template" not in body  # the template never leaves
    assert client.delete(url).status_code == 204
    assert not FaceTemplate.objects.exists()
    use = (
        AccessRecord.objects.filter(citizen=siti, purpose=Purpose.BIOMETRIC).order_by("seq").last()
    )
    assert use.channel == "api"
