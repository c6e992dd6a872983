"""Issue 6, the officer's side: enrolment from the officer's webcam (face.js posting frames),
the assisted lane confirmed by the citizen's face instead of an SMS code, and the identity
provider asked at enrolment when FACE_VERIFY_WITH_PROVIDER is on (the fake provider)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mpp import biometrics as bio
from mpp.biometrics.tests.conftest import EXTRA

from ..models import AccessRecord, ClaimKind, Delegation, FaceCheck, FaceTemplate, Purpose
from ..services import faces as svc
from .face_photos import (
    ENROL,
    IMPOSTOR_TURN_RIGHT,
    NIK_JOHN,
    TURN_LEFT,
    frames_of,
    turn_burst,
)

pytestmark = pytest.mark.usefixtures("face_key")


def frame_files(frames):
    return {
        "frames": [
            SimpleUploadedFile(f"frame{i}.jpg", f, content_type="image/jpeg")
            for i, f in enumerate(frames)
        ]
    }


@pytest.fixture
def turn_left(monkeypatch):
    """The liveness prompt is random; the tests fix it to the burst they send."""
    monkeypatch.setattr(
        bio, "challenge_new", lambda **kw: bio.Challenge(actions=(bio.Action.TURN_LEFT,))
    )


def face_records(citizen):
    return list(AccessRecord.objects.filter(citizen=citizen, purpose=Purpose.BIOMETRIC))


# --- 1. webcam enrolment ------------------------------------------------------------------


def test_the_enrolment_page_offers_the_webcam_once_consent_is_given(
    client, john, biometric_consent, officer_dukcapil_jakarta
):
    client.force_login(officer_dukcapil_jakarta)
    url = reverse("citizens:officer_face", args=[john.uuid])
    frames_url = reverse("citizens:officer_face_frames", args=[john.uuid])
    assert frames_url not in client.get(url).content.decode()  # no consent, no camera
    biometric_consent(john)
    page = client.get(url).content.decode()
    assert f'data-frames-url="{frames_url}"' in page
    assert "citizens/face.js" in page and 'id="face-video"' in page
    assert 'name="images"' in page  # the upload stays


def test_webcam_frames_enrol_the_face_through_the_same_service(
    client, john, biometric_consent, officer_dukcapil_jakarta, mall_jakarta
):
    biometric_consent(john)
    client.force_login(officer_dukcapil_jakarta)
    answer = client.post(
        reverse("citizens:officer_face_frames", args=[john.uuid]), frame_files(frames_of(*ENROL))
    ).json()
    assert answer == {"ok": True, "next": reverse("citizens:officer_face", args=[john.uuid])}
    face = FaceTemplate.objects.get(citizen=john)
    assert face.frames_used == 3 and face.enrolled_by == officer_dukcapil_jakarta
    assert face.mall == mall_jakarta
    page = client.get(answer["next"]).content.decode()
    assert 'data-testid="face-enrolled"' in page
    assert page.count("Wajah direkam dari 3 gambar.") == 1  # the message, shown once
    [record] = face_records(john)
    assert record.outcome == "granted" and record.actor == officer_dukcapil_jakarta


def test_bad_webcam_frames_are_refused_with_the_reason_and_nothing_is_stored(
    client, john, biometric_consent, officer_dukcapil_jakarta
):
    biometric_consent(john)
    client.force_login(officer_dukcapil_jakarta)
    two = (EXTRA / "two_faces.jpg").read_bytes()
    answer = client.post(
        reverse("citizens:officer_face_frames", args=[john.uuid]), frame_files([two, two, two])
    ).json()
    assert answer["ok"] is False and "multiple_faces" in answer["reasons"]
    assert "wajah" in answer["message"].lower()
    assert not FaceTemplate.objects.exists()
    assert face_records(john)[0].outcome == "refused"


def test_webcam_enrolment_without_consent_is_refused(client, john, officer_dukcapil_jakarta):
    client.force_login(officer_dukcapil_jakarta)
    answer = client.post(
        reverse("citizens:officer_face_frames", args=[john.uuid]), frame_files(frames_of(*ENROL))
    ).json()
    assert answer["reasons"] == [svc.NO_CONSENT] and not FaceTemplate.objects.exists()


def test_webcam_enrolment_is_for_posted_officers_only(client, john, siti):
    client.force_login(siti.user)
    response = client.post(
        reverse("citizens:officer_face_frames", args=[john.uuid]), frame_files(frames_of(*ENROL))
    )
    assert response.status_code == 403 and not FaceTemplate.objects.exists()


# --- 3. the assisted lane confirmed by face -----------------------------------------------


def start_delegation_by_face(client, citizen):
    response = client.post(reverse("citizens:officer_delegation_face", args=[citizen.uuid]))
    check = FaceCheck.objects.get(claim=ClaimKind.DELEGATION)
    assert response.url == reverse(
        "citizens:officer_delegation_face_camera", args=[citizen.uuid, check.uuid]
    )
    return check


def test_the_citizen_confirms_the_assisted_lane_with_their_face_and_it_is_logged(
    client, enrolled_john, officer_dukcapil_jakarta, mall_jakarta, turn_left, sms_outbox
):
    client.force_login(officer_dukcapil_jakarta)
    assisted = reverse("citizens:officer_citizen", args=[enrolled_john.uuid])
    page = client.get(assisted, {"purpose": "assisted"}).content.decode()
    assert reverse("citizens:officer_delegation_face", args=[enrolled_john.uuid]) in page
    check = start_delegation_by_face(client, enrolled_john)
    delegation = check.delegation
    assert delegation.officer == officer_dukcapil_jakarta and delegation.confirmed_at is None
    camera = client.get(
        reverse("citizens:officer_delegation_face_camera", args=[enrolled_john.uuid, check.uuid])
    ).content.decode()
    assert "tolehkan kepala perlahan" in camera and "citizens/face.js" in camera
    frames_url = reverse(
        "citizens:officer_delegation_face_frames", args=[enrolled_john.uuid, check.uuid]
    )
    answer = client.post(frames_url, frame_files(turn_burst(*TURN_LEFT))).json()
    assert answer["ok"], answer
    delegation.refresh_from_db()
    assert delegation.confirmed_at and delegation.confirmed_with == "face"
    assert not sms_outbox  # no SMS code needed
    record = face_records(enrolled_john)[0]
    assert record.outcome == "granted" and record.reason.startswith("verify (delegation): match")
    assert record.actor == officer_dukcapil_jakarta and record.channel == "assisted"
    assert record.mall == mall_jakarta
    # the officer's page now says so, as after the SMS code
    after = client.get(answer["next"]).content.decode()
    assert "Warga sudah mengonfirmasi dengan wajahnya" in after
    assert delegation.is_active()
    # a second burst for the same check is refused
    again = client.post(frames_url, frame_files(turn_burst(*TURN_LEFT))).json()
    assert again["reasons"] == [svc.USED]


def test_an_impostor_does_not_confirm_the_assisted_lane(
    client, enrolled_john, officer_dukcapil_jakarta, monkeypatch
):
    monkeypatch.setattr(
        bio, "challenge_new", lambda **kw: bio.Challenge(actions=(bio.Action.TURN_RIGHT,))
    )
    client.force_login(officer_dukcapil_jakarta)
    check = start_delegation_by_face(client, enrolled_john)
    answer = client.post(
        reverse("citizens:officer_delegation_face_frames", args=[enrolled_john.uuid, check.uuid]),
        frame_files(turn_burst(*IMPOSTOR_TURN_RIGHT)),
    ).json()
    assert answer["ok"] is False and answer["reasons"] == [svc.NO_MATCH]
    assert not Delegation.objects.filter(confirmed_at__isnull=False).exists()
    assert face_records(enrolled_john)[0].outcome == "refused"


def test_a_still_photo_does_not_confirm_the_assisted_lane(
    enrolled_john, officer_dukcapil_jakarta, turn_left
):
    check = svc.delegation_face_start(citizen=enrolled_john, officer=officer_dukcapil_jakarta)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.delegation_face_confirm(
            check=check, frames=frames_of("John_Simm", [4]) * 8, officer=officer_dukcapil_jakarta
        )
    assert refused.value.reasons == ["liveness_still_image"]
    check.delegation.refresh_from_db()
    assert check.delegation.confirmed_at is None


def test_only_the_officer_who_started_it_can_use_the_check(
    client, enrolled_john, officer_dukcapil_jakarta, turn_left, bpjs_service
):
    from conftest import make_user
    from mpp.accounts.models import Role
    from mpp.registry.models import OfficerPosting

    check = svc.delegation_face_start(citizen=enrolled_john, officer=officer_dukcapil_jakarta)
    other = make_user("other_officer", Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(officer=other, mall=check.mall, agency=bpjs_service.agency)
    client.force_login(other)
    url = reverse("citizens:officer_delegation_face_frames", args=[enrolled_john.uuid, check.uuid])
    assert client.post(url, frame_files(turn_burst(*TURN_LEFT))).status_code == 404
    with pytest.raises(svc.FaceRefused) as refused:
        svc.delegation_face_confirm(check=check, frames=turn_burst(*TURN_LEFT), officer=other)
    assert refused.value.reasons == [svc.NOT_YOURS]
    check.delegation.refresh_from_db()
    assert check.delegation.confirmed_at is None


def test_without_an_enrolled_face_the_officer_is_told_to_use_the_sms_code(
    client, john, biometric_consent, officer_dukcapil_jakarta
):
    biometric_consent(john)
    client.force_login(officer_dukcapil_jakarta)
    page = client.get(
        reverse("citizens:officer_citizen", args=[john.uuid]), {"purpose": "assisted"}
    ).content.decode()
    assert reverse("citizens:officer_delegation_face", args=[john.uuid]) not in page
    response = client.post(
        reverse("citizens:officer_delegation_face", args=[john.uuid]), follow=True
    )
    assert svc.reason_text(svc.NOT_ENROLLED) in response.content.decode()
    assert not Delegation.objects.exists() and not FaceCheck.objects.exists()


# --- 4. the identity provider at enrolment ------------------------------------------------


def test_the_provider_is_not_asked_unless_the_setting_enables_it(
    john, biometric_consent, settings, monkeypatch
):
    settings.FACE_VERIFY_WITH_PROVIDER = False
    monkeypatch.setattr(svc, "identity_provider", lambda: pytest.fail("provider asked"))
    biometric_consent(john)
    svc.face_enrol(citizen=john, images=frames_of(*ENROL), by=None)
    assert FaceTemplate.objects.filter(citizen=john).exists()


def test_the_default_fake_provider_refuses_a_nik_it_does_not_know(
    client, john, biometric_consent, settings, officer_dukcapil_jakarta
):
    settings.FACE_VERIFY_WITH_PROVIDER = True
    settings.FACE_IDENTITY_PROVIDER = "mpp.biometrics.provider.FakeIdentityProvider"
    biometric_consent(john)
    client.force_login(officer_dukcapil_jakarta)
    answer = client.post(
        reverse("citizens:officer_face_frames", args=[john.uuid]), frame_files(frames_of(*ENROL))
    ).json()
    assert answer["reasons"] == [svc.PROVIDER_UNKNOWN_NIK]
    assert answer["message"] == svc.reason_text(svc.PROVIDER_UNKNOWN_NIK)
    assert not FaceTemplate.objects.exists()
    [record] = face_records(john)
    assert record.outcome == "refused" and record.fields == ["nik", "face"]
    assert record.reason.startswith("identity provider: provider_unknown_nik ref=fake-")


@pytest.fixture
def registry(monkeypatch):
    """A fake population registry that knows John Simm's NIK and face."""
    provider = bio.FakeIdentityProvider()
    monkeypatch.setattr(svc, "identity_provider", lambda: provider)
    return provider


def test_the_provider_confirming_the_nik_lets_enrolment_through(
    john, biometric_consent, settings, registry, officer_dukcapil_jakarta
):
    settings.FACE_VERIFY_WITH_PROVIDER = True
    registry.register(nik=NIK_JOHN, image=frames_of("John_Simm", [6])[0])
    biometric_consent(john)
    svc.face_enrol(citizen=john, images=frames_of(*ENROL), by=officer_dukcapil_jakarta)
    assert FaceTemplate.objects.filter(citizen=john).exists() and registry.calls == 1
    provider_record, enrol_record = sorted(face_records(john), key=lambda r: r.pk)
    assert provider_record.outcome == "granted"
    assert provider_record.reason.startswith("identity provider: match score=")
    assert enrol_record.reason.startswith("enrol: frames=3")


def test_the_provider_saying_another_face_refuses_enrolment_with_a_clear_reason(
    client, john, biometric_consent, settings, registry, officer_dukcapil_jakarta
):
    settings.FACE_VERIFY_WITH_PROVIDER = True
    registry.register(nik=NIK_JOHN, image=frames_of("John_Schneider", [9])[0])
    biometric_consent(john)
    client.force_login(officer_dukcapil_jakarta)
    page = client.post(
        reverse("citizens:officer_face", args=[john.uuid]),
        {
            "action": "enrol",
            "images": [
                SimpleUploadedFile(f"f{i}.jpg", f, "image/jpeg")
                for i, f in enumerate(frames_of(*ENROL))
            ],
        },
        follow=True,
    ).content.decode()
    assert svc.reason_text(svc.PROVIDER_NO_MATCH) in page
    assert "penyedia identitas" in svc.reason_text(svc.PROVIDER_NO_MATCH).lower()
    assert not FaceTemplate.objects.exists()
    [record] = face_records(john)
    assert record.outcome == "refused" and "provider_no_match score=" in record.reason


def test_an_unavailable_provider_refuses_enrolment(john, biometric_consent, settings, monkeypatch):
    settings.FACE_VERIFY_WITH_PROVIDER = True
    monkeypatch.setattr(
        svc, "identity_provider", lambda: bio.FakeIdentityProvider(unavailable=True)
    )
    biometric_consent(john)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_enrol(citizen=john, images=frames_of(*ENROL), by=None)
    assert refused.value.reasons == [svc.PROVIDER_UNAVAILABLE]
    assert not FaceTemplate.objects.exists()
