"""Face enrolment, verification and identification with the real model on real photographs
(mpp/biometrics/tests/data, see its NOTICE.md). John Simm is the enrolled citizen; his burst
of frames turning left passes liveness; John Schneider is the impostor."""

import base64

import pytest

from mpp import biometrics as bio
from mpp.biometrics.tests.conftest import EXTRA

from ..models import (
    AccessRecord,
    ClaimKind,
    DuplicateStatus,
    FaceCheck,
    FaceDuplicate,
    FaceTemplate,
    Purpose,
)
from ..services import citizen_create
from ..services import faces as svc
from .face_photos import (
    ENROL,
    IMPOSTOR_TURN_RIGHT,
    KEY,
    NIK_OTHER,
    TURN_LEFT,
    frames_of,
    turn_burst,
)

pytestmark = pytest.mark.usefixtures("face_key")


def face_records(citizen):
    return list(AccessRecord.objects.filter(citizen=citizen, purpose=Purpose.BIOMETRIC))


def check_for(citizen, mall, actions=("turn_left",)):
    check = svc.face_check_start(mall=mall, claim=ClaimKind.NIK, citizen=citizen)
    check.actions = list(actions)
    check.save()
    return check


# --- enrolment -------------------------------------------------------------------------------


def test_enrolment_without_biometric_consent_is_refused_and_logged(
    john, officer_dukcapil_jakarta, mall_jakarta
):
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_enrol(
            citizen=john, images=frames_of(*ENROL), by=officer_dukcapil_jakarta, mall=mall_jakarta
        )
    assert refused.value.reasons == [svc.NO_CONSENT]
    assert not FaceTemplate.objects.exists()
    [record] = face_records(john)
    assert record.outcome == "refused" and record.reason == "enrol: no_biometric_consent"
    assert record.actor == officer_dukcapil_jakarta and record.mall == mall_jakarta


def test_enrolment_stores_one_encrypted_template_and_logs_it(
    john, biometric_consent, officer_dukcapil_jakarta, mall_jakarta
):
    biometric_consent(john)
    result = svc.face_enrol(
        citizen=john, images=frames_of(*ENROL), by=officer_dukcapil_jakarta, mall=mall_jakarta
    )
    face = FaceTemplate.objects.get(citizen=john)
    assert result.template == face and face.frames_used == 3 and not result.duplicates
    blob = bytes(face.blob)
    assert blob.startswith(b"MPT1") and len(blob) == 4 + 12 + 192 * 4 + 16
    assert svc.template_of(john).shape == (192,)
    [record] = face_records(john)
    assert record.outcome == "granted" and record.reason.startswith("enrol: frames=3")
    assert record.fields == ["face"]


def test_template_is_undecryptable_with_a_wrong_key_or_on_another_citizen(
    enrolled_john, settings, siti
):
    blob = bytes(FaceTemplate.objects.get(citizen=enrolled_john).blob)
    right = base64.b64decode(KEY)
    assert bio.template_decrypt(blob, key=right, citizen_id=enrolled_john.pk).shape == (192,)
    with pytest.raises(bio.FaceError):
        bio.template_decrypt(blob, key=bytes(32), citizen_id=enrolled_john.pk)
    with pytest.raises(bio.FaceError):
        bio.template_decrypt(blob, key=right, citizen_id=siti.pk)
    settings.FACE_TEMPLATE_KEY = base64.b64encode(bytes(32)).decode()
    with pytest.raises(svc.FaceRefused) as refused:
        svc.template_of(enrolled_john)
    assert refused.value.reasons == ["template_invalid"]


def test_bad_images_are_named_and_nothing_is_stored(
    john, biometric_consent, officer_dukcapil_jakarta
):
    biometric_consent(john)
    two_faces = (EXTRA / "two_faces.jpg").read_bytes()
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_enrol(
            citizen=john,
            images=[two_faces, two_faces, b"not an image", frames_of(*ENROL)[0]],
            by=officer_dukcapil_jakarta,
        )
    assert refused.value.reasons == ["enrol_too_few_frames", "multiple_faces"]
    assert "wajah" in refused.value.messages[1].lower()  # Indonesian by default
    assert not FaceTemplate.objects.exists()
    assert face_records(john)[0].reason == "enrol: enrol_too_few_frames,multiple_faces"


def test_re_enrolment_replaces_the_template_and_deletion_removes_it(
    enrolled_john, officer_dukcapil_jakarta
):
    before = bytes(FaceTemplate.objects.get(citizen=enrolled_john).blob)
    result = svc.face_enrol(
        citizen=enrolled_john, images=frames_of("John_Simm", [6, 9, 11]), by=None
    )
    assert result.re_enrolled and FaceTemplate.objects.count() == 1
    assert bytes(FaceTemplate.objects.get(citizen=enrolled_john).blob) != before
    assert svc.face_delete(citizen=enrolled_john, by=officer_dukcapil_jakarta)
    assert not FaceTemplate.objects.exists()
    assert face_records(enrolled_john)[0].reason == "delete"


def test_the_same_face_under_another_nik_is_queued_for_review_not_refused(
    enrolled_john, biometric_consent, simm_template, officer_dukcapil_jakarta, mall_jakarta
):
    other = citizen_create(
        nik=NIK_OTHER, full_name="Jon Sim", birth_date=None, phone="081234567892"
    )
    biometric_consent(other)
    result = svc.face_enrol(
        citizen=other,
        images=frames_of("John_Simm", [6, 9, 11]),
        by=officer_dukcapil_jakarta,
        mall=mall_jakarta,
    )
    assert FaceTemplate.objects.filter(citizen=other).exists()  # enrolled all the same
    [duplicate] = result.duplicates
    assert duplicate.other == enrolled_john and duplicate.status == DuplicateStatus.OPEN
    assert duplicate.score >= bio.DUPLICATE_THRESHOLD
    assert face_records(enrolled_john)[0].reason.startswith("duplicate check")
    svc.duplicate_review(
        duplicate=duplicate, status=DuplicateStatus.SAME_PERSON, by=officer_dukcapil_jakarta
    )
    assert FaceDuplicate.objects.get().reviewed_by == officer_dukcapil_jakarta


# --- verification ------------------------------------------------------------------------------


def test_the_genuine_person_turning_as_asked_is_verified(enrolled_john, mall_jakarta):
    check = check_for(enrolled_john, mall_jakarta)
    score = svc.face_verify(check=check, frames=turn_burst(*TURN_LEFT))
    assert score >= bio.VERIFY_THRESHOLD
    check.refresh_from_db()
    assert check.verified_at and svc.face_check_ready(check)
    record = face_records(enrolled_john)[0]
    assert record.outcome == "granted" and record.reason.startswith("verify (nik): match")
    assert record.actor is None and record.mall == mall_jakarta


def test_an_impostor_is_refused_with_a_score(enrolled_john, mall_jakarta):
    check = check_for(enrolled_john, mall_jakarta, actions=("turn_right",))
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_verify(check=check, frames=turn_burst(*IMPOSTOR_TURN_RIGHT))
    assert refused.value.reasons == [svc.NO_MATCH]
    assert refused.value.score < bio.VERIFY_THRESHOLD
    check.refresh_from_db()
    assert check.verified_at is None and not svc.face_check_ready(check)
    assert face_records(enrolled_john)[0].reason.startswith("verify (nik): no_match score=0.")


def test_a_replayed_still_frame_is_refused_by_liveness(enrolled_john, mall_jakarta):
    check = check_for(enrolled_john, mall_jakarta)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_verify(check=check, frames=frames_of("John_Simm", [4]) * 8)
    assert refused.value.reasons == ["liveness_still_image"]
    assert face_records(enrolled_john)[0].outcome == "refused"


def test_a_check_accepts_frames_once(enrolled_john, mall_jakarta):
    check = check_for(enrolled_john, mall_jakarta)
    svc.face_verify(check=check, frames=turn_burst(*TURN_LEFT))
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_verify(check=check, frames=turn_burst(*TURN_LEFT))
    assert refused.value.reasons == [svc.USED]


def test_verification_stops_when_consent_is_withdrawn(enrolled_john, mall_jakarta):
    from ..services import consent_revoke

    for consent in enrolled_john.consents.all():
        consent_revoke(consent=consent, by=None)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_verify(check=check_for(enrolled_john, mall_jakarta), frames=turn_burst(*TURN_LEFT))
    assert refused.value.reasons == [svc.NO_CONSENT]


def test_not_enrolled_is_a_clear_refusal(john, biometric_consent, mall_jakarta):
    biometric_consent(john)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_verify(check=check_for(john, mall_jakarta), frames=turn_burst(*TURN_LEFT))
    assert refused.value.reasons == [svc.NOT_ENROLLED]


# --- identification -------------------------------------------------------------------------


def test_identification_among_candidates_needs_the_citizen_to_confirm(
    enrolled_john, siti, mall_jakarta
):
    check = svc.face_check_start(mall=mall_jakarta, claim=ClaimKind.IDENTIFY)
    check.actions = ["turn_left"]
    check.save()
    found = svc.face_identify(
        check=check, frames=turn_burst(*TURN_LEFT), candidates=[enrolled_john, siti]
    )
    assert found == enrolled_john
    assert not svc.face_check_ready(check)  # not until the masked name is confirmed
    svc.face_check_confirm(check=check, yes=True)
    assert svc.face_check_ready(check)


def test_identification_refuses_someone_not_among_the_candidates(enrolled_john, mall_jakarta):
    check = svc.face_check_start(mall=mall_jakarta, claim=ClaimKind.IDENTIFY)
    check.actions = ["turn_right"]
    check.save()
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_identify(
            check=check, frames=turn_burst(*IMPOSTOR_TURN_RIGHT), candidates=[enrolled_john]
        )
    assert refused.value.reasons == [svc.NO_CANDIDATES]
    assert FaceCheck.objects.get(pk=check.pk).citizen is None


# --- fallback and keys ------------------------------------------------------------------------


def test_nik_and_one_time_code_fallback(john, mall_jakarta, sms_outbox):
    check = svc.face_fallback_start(mall=mall_jakarta, citizen=john)
    code = sms_outbox[-1].body.split(": ")[1][:6]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        svc.face_fallback_confirm(check=check, code="000000" if code != "000000" else "111111")
    svc.face_fallback_confirm(check=check, code=code)
    assert svc.face_check_ready(check)


def test_face_key_from_settings_or_derived_in_debug(settings):
    assert svc.face_key() == bytes(range(32))
    settings.FACE_TEMPLATE_KEY = ""
    settings.DEBUG = True
    assert len(svc.face_key()) == 32
    settings.DEBUG = False
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        svc.face_key()


# --- issue 12: model change, attempt limits ----------------------------------------------


@pytest.mark.parametrize("old_model", [bio.DLIB_RESNET, bio.MOBILEFACENET])
def test_a_template_of_the_old_model_is_never_compared_and_asks_for_re_enrolment(
    enrolled_john, mall_jakarta, old_model
):
    """A template enrolled with an earlier model (dlib's, or MobileFaceNet on dlib's alignment:
    the same size as today's, so only the model id tells them apart, decision 0049) is not
    compared with the new model's embeddings: the check is refused with a reason, logged, and
    the identification gallery leaves it out."""
    old = bio.template_enrol(frames_of(*ENROL), model_id=old_model)
    blob = bio.template_encrypt(
        old.template, key=svc.face_key(), citizen_id=enrolled_john.pk, model_id=old_model
    )
    FaceTemplate.objects.filter(citizen=enrolled_john).update(blob=blob, model_id=old_model)
    check = check_for(enrolled_john, mall_jakarta)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_verify(check=check, frames=turn_burst(*TURN_LEFT))
    assert refused.value.reasons == ["template_old_model"]
    assert "daftar ulang" in refused.value.messages[0] or "re-enrol" in refused.value.messages[0]
    assert any(
        r.reason.endswith("template_old_model") and r.outcome == "refused"
        for r in face_records(enrolled_john)
    )
    assert len(svc.gallery_index(citizens=[enrolled_john])) == 0
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("face_templates", stdout=out)
    assert f"{old_model}: 1 (re-enrol)" in out.getvalue()
    assert "to re-enrol: 1" in out.getvalue()


def test_claims_past_the_hourly_limit_are_refused_per_citizen_and_logged(
    enrolled_john, mall_jakarta, settings
):
    settings.FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR = 3
    for _ in range(3):
        svc.face_check_start(mall=mall_jakarta, claim=ClaimKind.NIK, citizen=enrolled_john)
    with pytest.raises(svc.FaceRefused) as refused:
        svc.face_check_start(mall=mall_jakarta, claim=ClaimKind.NIK, citizen=enrolled_john)
    assert refused.value.reasons == ["too_many_attempts"]
    assert any(
        r.outcome == "refused" and "too_many_attempts" in r.reason
        for r in face_records(enrolled_john)
    )
    assert FaceCheck.objects.filter(citizen=enrolled_john).count() == 3


def test_the_device_limit_counts_every_claim_from_one_kiosk(enrolled_john, mall_jakarta, settings):
    from mpp.visits.models import Device, DeviceKind

    settings.FACE_ATTEMPTS_PER_DEVICE_PER_HOUR = 2
    kiosk = Device.objects.create(
        mall=mall_jakarta, kind=DeviceKind.KIOSK, name="K", token_hash="x"
    )
    for _ in range(2):
        svc.face_check_start(mall=mall_jakarta, claim=ClaimKind.IDENTIFY, device=kiosk)
    with pytest.raises(svc.FaceRefused):
        svc.face_check_start(mall=mall_jakarta, claim=ClaimKind.IDENTIFY, device=kiosk)


def test_recalibrated_thresholds_come_from_the_setting_and_bad_values_are_named(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FACE_THRESHOLDS = {"verify": 0.61, "identify": 0.7, "duplicate": 0.5}
    limits = svc.face_thresholds()
    assert (limits.verify, limits.identify, limits.duplicate) == (0.61, 0.7, 0.5)
    settings.FACE_THRESHOLDS = {"verify": "high"}
    with pytest.raises(ImproperlyConfigured, match="verify"):
        svc.face_thresholds()
    settings.FACE_THRESHOLDS = {"verfy": 0.6}
    with pytest.raises(ImproperlyConfigured, match="verfy"):
        svc.face_thresholds()
