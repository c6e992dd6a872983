"""Face enrolment, 1:1 verification, 1:N identification among a small candidate set, and
deletion, on top of the pure library `mpp.biometrics`.

Rules (docs/decisions/0013):
- nothing happens without the citizen's active *biometric* consent;
- only the encrypted template is stored (AES-GCM, `FACE_TEMPLATE_KEY`, citizen id bound);
- every attempt — enrolment, verification, identification, duplicate match, deletion — is an
  access record (purpose "biometric", field "face") with who, where, result and reason code,
  so the citizen sees it under "who saw my data";
- possible duplicates go to an officer's review queue, never an automatic decision.

The visits app (kiosk) finds the claimed citizen and the candidate set (bookings) itself and
calls these functions; this module never imports visits.
"""

import base64
import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image

from mpp import biometrics as bio
from mpp.core.audit import audit_record
from mpp.core.ratelimit import rate_limit_allow
from mpp.registry.models import OfficerPosting

from .. import access
from ..models import (
    AccessOutcome,
    Channel,
    Citizen,
    ClaimKind,
    Consent,
    ConsentMethod,
    Delegation,
    FaceCheck,
    FaceDuplicate,
    FaceTemplate,
    OneTimeCode,
    Purpose,
)
from ..vocabulary import Category

logger = logging.getLogger("mpp.faces")

FACE_FIELDS = ["face"]
MAX_FRAMES = 16
MAX_FRAME_BYTES = 3 * 1024 * 1024
CONSENT_DAYS = 730

# Refusals of this module (the library's own reason codes are translated by MESSAGES).
NO_CONSENT = "no_biometric_consent"
NOT_ENROLLED = "not_enrolled"
NO_MATCH = "no_match"
AMBIGUOUS = "ambiguous"
EXPIRED = "check_expired"
USED = "check_used"
ERASED = "erased"
NO_CANDIDATES = "no_candidates"
NOT_YOURS = "check_not_yours"
PROVIDER_NO_MATCH = "provider_no_match"
PROVIDER_UNKNOWN_NIK = "provider_unknown_nik"
PROVIDER_UNAVAILABLE = "provider_unavailable"
PROVIDER_BAD_IMAGE = "provider_bad_image"


def _own_messages() -> dict[str, str]:
    return {
        NO_CONSENT: _("The citizen has not given consent to use their face (biometric consent)."),
        NOT_ENROLLED: _("No face is enrolled for this person. Please use the code or the counter."),
        NO_MATCH: _("The face does not match. Please try again or ask an officer."),
        AMBIGUOUS: _("We could not tell who you are with certainty. Please type your NIK."),
        EXPIRED: _("This check has expired. Please start again."),
        USED: _("This check was already used. Please start again."),
        ERASED: _("The account was erased."),
        NO_CANDIDATES: _("Nobody with a booking now was recognised. Please type your NIK."),
        NOT_YOURS: _("This check belongs to another officer. Please start again."),
        PROVIDER_NO_MATCH: _(
            "The identity provider says this face does not belong to the NIK: enrolment refused."
        ),
        PROVIDER_UNKNOWN_NIK: _("The identity provider does not know this NIK: enrolment refused."),
        PROVIDER_UNAVAILABLE: _(
            "The identity provider did not answer: enrolment refused. Please try again later."
        ),
        PROVIDER_BAD_IMAGE: _(
            "The identity provider could not use the photo: enrolment refused. Please try again."
        ),
    }


def reason_text(reason: str) -> str:
    """A sentence for a reason code, in the active language."""
    own = _own_messages()
    if reason in own:
        return own[reason]
    try:
        return bio.reason_message(reason, get_language() or "id")
    except ValueError:
        return reason


class FaceRefused(Exception):
    """A face operation was refused (and logged). `reasons`: codes; `messages`: sentences."""

    def __init__(self, *reasons: str, score: float | None = None):
        self.reasons = [str(r) for r in reasons if r]
        self.score = score
        self.messages = [reason_text(r) for r in self.reasons]
        super().__init__(" ".join(self.messages))

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""

    def as_json(self) -> dict:
        """What a camera page (face.js) shows: the reason codes and the sentences."""
        return {"ok": False, "reasons": self.reasons, "message": " ".join(self.messages)}


# --- keys and settings --------------------------------------------------------------------


def face_key() -> bytes:
    """FACE_TEMPLATE_KEY (base64 of 32 bytes). In DEBUG without it, a key derived from
    SECRET_KEY so development works; in production it must be set."""
    value = settings.FACE_TEMPLATE_KEY
    if value:
        try:
            key = base64.b64decode(value, validate=True)
        except ValueError as error:
            raise ImproperlyConfigured("FACE_TEMPLATE_KEY is not valid base64") from error
        if len(key) != 32:
            raise ImproperlyConfigured("FACE_TEMPLATE_KEY must decode to 32 bytes")
        return key
    if settings.DEBUG:
        return hashlib.sha256(f"face-template:{settings.SECRET_KEY}".encode()).digest()
    raise ImproperlyConfigured("FACE_TEMPLATE_KEY must be set when DEBUG=False")


def identity_provider():
    """The external verification service chosen by FACE_IDENTITY_PROVIDER (a fake by default)."""
    return bio.provider_load(settings.FACE_IDENTITY_PROVIDER)


def face_thresholds(model_id: str | None = None) -> bio.Thresholds:
    """The operating thresholds: the library's, calibrated on LFW's East/Southeast Asian
    development identities, unless FACE_THRESHOLDS (a dict with verify, identify, duplicate and
    optionally margin) recalibrates them for the current model from this deployment's own
    consented pilot data (`manage.py face_eval --calibrate`, docs/biometrics.md)."""
    base = bio.thresholds_for(model_id)
    override = settings.FACE_THRESHOLDS
    if not override or (model_id and model_id != bio.MODEL_ID):
        return base
    values = {}
    for name in ("verify", "identify", "duplicate", "margin"):
        value = override.get(name, getattr(base, name))
        try:
            value = float(value)
        except (TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"FACE_THRESHOLDS[{name!r}] must be a number") from error
        if not -1.0 < value < 1.0:
            raise ImproperlyConfigured(f"FACE_THRESHOLDS[{name!r}] must be between -1 and 1")
        values[name] = value
    unknown = set(override) - set(values)
    if unknown:
        raise ImproperlyConfigured(f"FACE_THRESHOLDS: unknown key(s) {', '.join(sorted(unknown))}")
    return bio.Thresholds(**values)


# --- attempt limits -----------------------------------------------------------------------


def face_attempt_allow(*, citizen: Citizen | None, device=None, mall=None) -> None:
    """Every new face check (a new challenge) counts against the claimed citizen and the
    device, per hour (FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR, FACE_ATTEMPTS_PER_DEVICE_PER_HOUR).
    Past the limit: FaceRefused(too_many_attempts), logged with the reason."""
    # The one limiter (mpp.core.ratelimit, on the shared cache): every process counts alike.
    per_citizen = settings.FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR
    per_device = settings.FACE_ATTEMPTS_PER_DEVICE_PER_HOUR
    refused = ""
    if device is not None and not rate_limit_allow(
        scope="face:device", identity=str(device.pk), limit=per_device, window_seconds=3600
    ):
        refused = f"device {device.pk}: more than {per_device} checks this hour"
    elif citizen is not None and not rate_limit_allow(
        scope="face:citizen", identity=str(citizen.pk), limit=per_citizen, window_seconds=3600
    ):
        refused = f"more than {per_citizen} checks for this citizen this hour"
    if not refused:
        return
    logger.warning("face check refused: %s: %s", bio.Reason.TOO_MANY_ATTEMPTS, refused)
    if citizen is not None:
        face_use_record(
            citizen=citizen,
            actor=None,
            action="check start",
            granted=False,
            reason=f"{bio.Reason.TOO_MANY_ATTEMPTS} ({refused})",
            mall=mall,
            channel=Channel.SYSTEM,
        )
    raise FaceRefused(bio.Reason.TOO_MANY_ATTEMPTS)


# --- the log --------------------------------------------------------------------------------


def _agency_of(actor):
    if actor is None:
        return None
    posting = OfficerPosting.objects.select_related("agency").filter(officer=actor).first()
    return posting.agency if posting else None


def face_use_record(
    *,
    citizen: Citizen,
    actor,
    action: str,
    granted: bool,
    reason: str = "",
    mall=None,
    channel,
    fields=FACE_FIELDS,
):
    """One access record per use of face data: purpose biometric, field "face"; `reason`
    holds the action and the reason code or score (never an image or a vector)."""
    return access.access_record_append(
        citizen=citizen,
        actor=actor,
        purpose=Purpose.BIOMETRIC,
        fields=list(fields),
        outcome=AccessOutcome.GRANTED if granted else AccessOutcome.REFUSED,
        channel=channel,
        agency=_agency_of(actor),
        mall=mall,
        reason=f"{action}: {reason}" if reason else action,
    )


# --- consent ------------------------------------------------------------------------------


def face_consent_of(citizen: Citizen) -> Consent | None:
    """The citizen's active biometric consent (any agency), if any."""
    return (
        Consent.objects.active()
        .filter(citizen=citizen, purpose=Purpose.BIOMETRIC)
        .order_by("-granted_at")
        .first()
    )


@transaction.atomic
def face_consent_record(*, citizen: Citizen, officer, days: int = CONSENT_DAYS) -> Consent:
    """At the counter: the citizen, who has confirmed the assisted lane with the code sent to
    their phone, agrees to face enrolment; the officer records it for their agency."""
    from .accounts import consent_grant

    posting = OfficerPosting.objects.filter(officer=officer).select_related("agency").first()
    delegation = Delegation.objects.filter(
        citizen=citizen, officer=officer, confirmed_at__isnull=False, expires_at__gt=timezone.now()
    ).first()
    if posting is None or delegation is None:
        raise access.AccessRefused(
            _("First confirm the assisted lane with the code sent to the citizen."),
            code="no_consent",
        )
    return consent_grant(
        citizen=citizen,
        agency=posting.agency,
        purpose=Purpose.BIOMETRIC,
        categories=[Category.BIOMETRIC],
        days=days,
        by=officer,
        method=ConsentMethod.COUNTER_CODE,
    )


# --- templates ----------------------------------------------------------------------------


def _frames_checked(frames) -> list:
    frames = list(frames)[:MAX_FRAMES]
    for frame in frames:
        if isinstance(frame, bytes | bytearray) and len(frame) > MAX_FRAME_BYTES:
            raise FaceRefused(bio.Reason.IMAGE_TOO_LARGE)
    return frames


def template_of(citizen: Citizen):
    """Decrypt the citizen's template (callers log the use). FaceRefused when none, and
    `template_old_model` when it was made by another model: it is never compared, the
    citizen re-enrols (`manage.py face_templates` counts them)."""
    face = FaceTemplate.objects.filter(citizen=citizen).first()
    if face is None:
        raise FaceRefused(NOT_ENROLLED)
    if face.model_id != bio.MODEL_ID:
        raise FaceRefused(bio.Reason.TEMPLATE_OLD_MODEL)
    try:
        return bio.template_decrypt(
            bytes(face.blob), key=face_key(), citizen_id=citizen.pk, model_id=face.model_id
        )
    except bio.FaceError as error:
        raise FaceRefused(error.reason) from error


def gallery_index(*, exclude: Citizen | None = None, citizens=None) -> bio.TemplateIndex:
    """An in-memory index of enrolled templates (all, or those of `citizens`), keyed by the
    citizen's primary key. Decrypted here, never written anywhere."""
    # templates of another model are never compared: they wait for re-enrolment
    rows = FaceTemplate.objects.filter(citizen__erased_at__isnull=True, model_id=bio.MODEL_ID)
    if citizens is not None:
        rows = rows.filter(citizen__in=citizens)
    if exclude is not None:
        rows = rows.exclude(citizen=exclude)
    index = bio.TemplateIndex()
    key = face_key()
    for citizen_id, blob in rows.values_list("citizen_id", "blob").iterator():
        try:
            index.add(citizen_id, bio.template_decrypt(bytes(blob), key=key, citizen_id=citizen_id))
        except bio.FaceError:
            continue  # a template under another key or model: re-enrol; never match it
    return index


@dataclass
class EnrolResult:
    template: FaceTemplate
    duplicates: list[FaceDuplicate] = field(default_factory=list)
    re_enrolled: bool = False


def face_enrol(
    *, citizen: Citizen, images, by, mall=None, channel: str = Channel.COUNTER
) -> EnrolResult:
    """Several frames or uploads → one encrypted template (replacing any earlier one), then
    the duplicate check. Refusals (no consent, bad images) raise FaceRefused and are logged;
    nothing is stored then."""
    if citizen.is_erased:
        raise FaceRefused(ERASED)
    consent = face_consent_of(citizen)
    log = {"citizen": citizen, "actor": by, "action": "enrol", "mall": mall, "channel": channel}
    if consent is None:
        face_use_record(**log, granted=False, reason=NO_CONSENT)
        raise FaceRefused(NO_CONSENT)
    try:
        images = _frames_checked(images)
        enrolment = bio.template_enrol(images, consistency=face_thresholds().verify)
    except FaceRefused as refused:
        face_use_record(**log, granted=False, reason=refused.reason)
        raise
    if not enrolment.ok:
        face_use_record(**log, granted=False, reason=",".join(enrolment.reasons))
        raise FaceRefused(*enrolment.reasons)
    if provider_enabled():
        face_provider_check(
            citizen=citizen, image=_best_frame(images, enrolment), by=by, mall=mall, channel=channel
        )
    return face_template_store(
        citizen=citizen,
        template=enrolment.template,
        consent=consent,
        by=by,
        mall=mall,
        frames_used=enrolment.frames_used,
        channel=channel,
    )


# --- the identity provider (the population registry's yes/no) -----------------------------

_PROVIDER_REASONS = {
    "unknown_nik": PROVIDER_UNKNOWN_NIK,
    "provider_unavailable": PROVIDER_UNAVAILABLE,
}


def provider_enabled() -> bool:
    """FACE_VERIFY_WITH_PROVIDER: ask the identity provider at every enrolment."""
    return settings.FACE_VERIFY_WITH_PROVIDER


def _best_frame(images: list, enrolment: bio.Enrolment):
    """The first frame that passed the quality gate (the one the provider sees)."""
    for image, reasons in zip(images, enrolment.frame_reasons, strict=False):
        if not reasons:
            return image
    return images[0]


def _jpeg(image) -> bytes:
    if isinstance(image, bytes | bytearray):
        return bytes(image)
    buffer = io.BytesIO()
    Image.fromarray(image).convert("RGB").save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def face_provider_check(
    *, citizen: Citizen, image, by, mall=None, channel: str = Channel.COUNTER
) -> float | None:
    """Ask the identity provider (FACE_IDENTITY_PROVIDER) whether `image` shows the owner of
    the citizen's NIK. Logged either way (fields NIK and face, with the provider's reference);
    FaceRefused when it says no or cannot answer. Returns the provider's score."""
    nik = access.nik_for_identity_provider(citizen=citizen)
    try:
        answer = identity_provider().verify(nik=nik, image=_jpeg(image))
    except (ConnectionError, TimeoutError, OSError):
        answer = bio.ProviderAnswer(False, reason="provider_unavailable")
    if answer.matched:
        reason = ""
    elif not answer.reason:
        reason = PROVIDER_NO_MATCH
    else:
        reason = _PROVIDER_REASONS.get(answer.reason, PROVIDER_BAD_IMAGE)
    detail = reason or "match"
    if answer.reason and answer.reason not in _PROVIDER_REASONS:
        detail += f" ({answer.reason})"
    if answer.score is not None:
        detail += f" score={answer.score:.3f}"
    face_use_record(
        citizen=citizen,
        actor=by,
        action="identity provider",
        granted=not reason,
        reason=f"{detail} ref={answer.reference or '-'}",
        mall=mall,
        channel=channel,
        fields=["nik", *FACE_FIELDS],
    )
    if reason:
        raise FaceRefused(reason, score=answer.score)
    return answer.score


def face_template_store(
    *, citizen, template, consent, by, mall=None, frames_used: int, channel=Channel.COUNTER
) -> EnrolResult:
    """Store an enrolled template and queue possible duplicates for review."""
    blob = bio.template_encrypt(template, key=face_key(), citizen_id=citizen.pk)
    others = gallery_index(exclude=citizen)
    candidates = bio.duplicate_candidates(others, template, threshold=face_thresholds().duplicate)
    with transaction.atomic():
        face, created = FaceTemplate.objects.update_or_create(
            citizen=citizen,
            defaults={
                "blob": blob,
                "model_id": bio.MODEL_ID,
                "frames_used": frames_used,
                "consent": consent,
                "enrolled_at": timezone.now(),
                "enrolled_by": by,
                "mall": mall,
            },
        )
        duplicates = []
        for candidate in candidates:
            other = Citizen.objects.get(pk=candidate.key)
            duplicates.append(
                FaceDuplicate.objects.create(
                    citizen=citizen, other=other, score=round(candidate.score, 4), mall=mall
                )
            )
        audit_record(
            actor=by,
            action="face_enrol",
            target=face,
            summary=f"{citizen.nik_masked}: {frames_used} frames, {len(duplicates)} duplicates",
        )
    face_use_record(
        citizen=citizen,
        actor=by,
        action="enrol" if created else "re-enrol",
        granted=True,
        reason=f"frames={frames_used} duplicates={len(duplicates)}",
        mall=mall,
        channel=channel,
    )
    for duplicate in duplicates:
        face_use_record(
            citizen=duplicate.other,
            actor=by,
            action="duplicate check",
            granted=True,
            reason=f"resembles another enrolment, score={duplicate.score:.3f}",
            mall=mall,
            channel=channel,
        )
    return EnrolResult(template=face, duplicates=duplicates, re_enrolled=not created)


def face_delete(*, citizen: Citizen, by, channel: str = Channel.WEB, mall=None) -> bool:
    """Delete the template (the citizen's right, or an officer at their request)."""
    with transaction.atomic():
        face = FaceTemplate.objects.filter(citizen=citizen).first()
        if face is None:
            return False
        audit_record(actor=by, action="face_delete", target=face, summary=citizen.nik_masked)
        face.delete()
    face_use_record(
        citizen=citizen, actor=by, action="delete", granted=True, mall=mall, channel=channel
    )
    return True


@transaction.atomic
def duplicate_review(*, duplicate: FaceDuplicate, status: str, by, note: str = "") -> FaceDuplicate:
    from ..models import DuplicateStatus

    if status not in (DuplicateStatus.SAME_PERSON, DuplicateStatus.DIFFERENT):
        raise ValueError("status")
    duplicate.status = status
    duplicate.reviewed_by = by
    duplicate.reviewed_at = timezone.now()
    duplicate.note = note[:200]
    duplicate.save()
    audit_record(actor=by, action="face_duplicate_review", target=duplicate, summary=status)
    return duplicate


# --- check-in: a claim, a challenge, frames ---------------------------------------------


def face_check_start(
    *,
    mall,
    claim: str,
    citizen: Citizen | None = None,
    booking_code: str = "",
    officer=None,
    delegation: Delegation | None = None,
    device=None,
) -> FaceCheck:
    """Begin a check: a fresh random liveness challenge for the claimed citizen (or, for
    identification, for whoever stands there). `officer`: the officer running it on the
    citizen's behalf (reception desk, assisted lane); only they may send its frames.
    Every check counts against the attempt limits (per citizen, per `device`, per hour):
    FaceRefused(too_many_attempts) past them."""
    face_attempt_allow(citizen=citizen, device=device, mall=mall)
    challenge = bio.challenge_new()
    return FaceCheck.objects.create(
        mall=mall,
        citizen=citizen,
        claim=claim,
        booking_code=booking_code,
        officer=officer,
        delegation=delegation,
        actions=[str(a) for a in challenge.actions],
        nonce=challenge.nonce,
    )


def prompts_of(check: FaceCheck) -> list[str]:
    language = "en" if (get_language() or "id").startswith("en") else "id"
    return [bio.PROMPTS[bio.Action(a)][language] for a in check.actions]


def _claim_frames(check: FaceCheck, now) -> None:
    """Accept the frames of a check once, while fresh (a replayed POST is refused)."""
    updated = FaceCheck.objects.filter(pk=check.pk, frames_at__isnull=True).update(frames_at=now)
    if not updated:
        raise FaceRefused(USED)
    check.frames_at = now
    if not check.is_fresh(now):
        raise FaceRefused(EXPIRED)


def _liveness(check: FaceCheck, frames) -> bio.LivenessResult:
    challenge = bio.Challenge(
        actions=tuple(bio.Action(a) for a in check.actions), nonce=check.nonce
    )
    return bio.liveness_check(_frames_checked(frames), challenge)


def _finish(check: FaceCheck, *, reason: str = "", score=None, verified=False) -> None:
    check.reason = reason
    check.score = score
    if verified:
        check.verified_at = timezone.now()
    check.save(update_fields=["reason", "score", "verified_at"])


def face_verify(*, check: FaceCheck, frames, actor=None, channel=Channel.SYSTEM) -> float:
    """1:1: liveness on the burst, then its frontal embedding against the claimed citizen's
    template. Returns the score on a match; raises FaceRefused (logged) otherwise."""
    citizen = check.citizen
    if citizen is None:
        raise ValueError("a verification needs a claimed citizen")
    log = {
        "citizen": citizen,
        "actor": actor,
        "action": f"verify ({check.claim})",
        "mall": check.mall,
        "channel": channel,
    }
    try:
        if check.officer_id and getattr(actor, "pk", None) != check.officer_id:
            raise FaceRefused(NOT_YOURS)
        _claim_frames(check, timezone.now())
        if citizen.is_erased:
            raise FaceRefused(ERASED)
        if face_consent_of(citizen) is None:
            raise FaceRefused(NO_CONSENT)
        template = template_of(citizen)
        result = _liveness(check, frames)
        if not result.passed:
            raise FaceRefused(result.reason)
        comparison = bio.compare(result.embedding, template, threshold=face_thresholds().verify)
        if not comparison.match:
            raise FaceRefused(NO_MATCH, score=round(comparison.score, 4))
    except FaceRefused as refused:
        score = f" score={refused.score:.3f}" if refused.score is not None else ""
        if refused.reason not in (USED, NOT_YOURS):
            _finish(check, reason=refused.reason, score=refused.score)
        face_use_record(**log, granted=False, reason=refused.reason + score)
        raise
    score = round(comparison.score, 4)
    _finish(check, reason="match", score=score, verified=True)
    face_use_record(**log, granted=True, reason=f"match score={score:.3f}")
    return score


def face_identify(*, check: FaceCheck, frames, candidates) -> Citizen:
    """1:N among a small candidate set (today's bookings at this mall, found by the caller):
    the library's stricter threshold and margin. Sets `check.citizen` (unconfirmed: the
    citizen must then confirm the masked name). Raises FaceRefused otherwise."""
    _claim_frames(check, timezone.now())
    result = _liveness(check, frames)
    if not result.passed:
        _finish(check, reason=result.reason)
        raise FaceRefused(result.reason)
    people = [c for c in candidates if face_consent_of(c) is not None]
    index = gallery_index(citizens=people)
    if not len(index):
        _finish(check, reason=NO_CANDIDATES)
        raise FaceRefused(NO_CANDIDATES)
    limits = face_thresholds()
    found = bio.identify(index, result.embedding, threshold=limits.identify, margin=limits.margin)
    if found.outcome != bio.Outcome.MATCH:
        reason = AMBIGUOUS if found.outcome == bio.Outcome.AMBIGUOUS else NO_CANDIDATES
        _finish(check, reason=reason, score=found.candidate.score if found.candidate else None)
        raise FaceRefused(reason)
    citizen = Citizen.objects.get(pk=found.key)
    check.citizen = citizen
    check.save(update_fields=["citizen"])
    score = round(found.candidate.score, 4)
    _finish(check, reason="identified", score=score, verified=True)
    face_use_record(
        citizen=citizen,
        actor=None,
        action="identify (today's bookings)",
        granted=True,
        reason=f"match score={score:.3f} among {len(index)}",
        mall=check.mall,
        channel=Channel.SYSTEM,
    )
    return citizen


def face_check_confirm(*, check: FaceCheck, yes: bool) -> FaceCheck:
    """The citizen confirms (or denies) the masked name an identification found."""
    if check.claim != ClaimKind.IDENTIFY or not check.verified_at:
        raise FaceRefused(USED)
    if yes:
        check.confirmed_at = timezone.now()
        check.save(update_fields=["confirmed_at"])
    else:
        face_use_record(
            citizen=check.citizen,
            actor=None,
            action="identify",
            granted=False,
            reason="denied by the person",
            mall=check.mall,
            channel=Channel.SYSTEM,
        )
        check.verified_at = None
        check.reason = "denied"
        check.save(update_fields=["verified_at", "reason"])
    return check


def face_second_factor_needed(check: FaceCheck) -> bool:
    """Face never alone at an unattended kiosk: a face match on a typed NIK or by recognition
    also needs something the citizen holds — the booking code (its QR) or a one-time code
    sent to their phone — unless the mall turned `face_alone_at_kiosk` on after its pilot.
    Checks run by an officer (desk, assisted lane) are attended and need nothing more."""
    from ..models import FaceMallSettings

    if check.officer_id or check.claim in (ClaimKind.BOOKING, ClaimKind.CODE):
        return False
    if check.claim not in (ClaimKind.NIK, ClaimKind.IDENTIFY):
        return False
    settings_row = FaceMallSettings.objects.filter(mall=check.mall).first()
    return not (settings_row and settings_row.face_alone_at_kiosk)


def face_code_send(*, check: FaceCheck) -> None:
    """A six-digit code by SMS to the check's citizen (never shown): the second factor after a
    face match, or the whole check in the SMS-code fallback."""
    from .accounts import citizen_notify

    code = OneTimeCode.new_code()
    challenge = OneTimeCode(
        use=FALLBACK_USE, phone_masked="", expires_at=timezone.now() + OneTimeCode.TTL
    )
    challenge.set_code(code)
    challenge.save()
    check.one_time_code = challenge
    check.save(update_fields=["one_time_code"])
    citizen_notify(
        citizen=check.citizen,
        body=_("MPP check-in code: %(code)s (valid 10 minutes)") % {"code": code},
    )


def face_second_factor_confirm(*, check: FaceCheck, code: str) -> FaceCheck:
    """The code typed at the kiosk; ValidationError(code) when wrong (wrong tries stick)."""
    from django.core.exceptions import ValidationError

    from .accounts import _use_code

    if check.one_time_code is None or check.verified_at is None:
        raise ValidationError({"code": [_("No code was sent.")]})
    _use_code(check.one_time_code, code)
    face_use_record(
        citizen=check.citizen,
        actor=None,
        action=f"verify ({check.claim})",
        granted=True,
        reason="second factor: one-time code",
        mall=check.mall,
        channel=Channel.SYSTEM,
    )
    return check


def face_second_factor_pending(check: FaceCheck) -> bool:
    """A face match that still waits for its one-time code."""
    return bool(
        check.claim != ClaimKind.CODE
        and check.one_time_code_id
        and check.one_time_code.used_at is None
    )


def face_check_ready(check: FaceCheck) -> bool:
    """May this check issue a ticket now? Verified, confirmed if identified, the second factor
    given where one is needed, within minutes, and not used for a ticket yet."""
    if check.citizen_id is None or check.verified_at is None or check.ticket_issued_at:
        return False
    if face_second_factor_pending(check):
        return False
    if check.claim == ClaimKind.IDENTIFY and check.confirmed_at is None:
        return False
    return timezone.now() - check.verified_at <= timedelta(minutes=10)


# --- the assisted lane confirmed by face ------------------------------------------------

DELEGATION_MINUTES = 30


@transaction.atomic
def delegation_face_start(
    *, citizen: Citizen, officer, minutes: int = DELEGATION_MINUTES
) -> FaceCheck:
    """The assisted lane without an SMS: the officer asks, and the citizen confirms by looking
    at the camera on the officer's screen (liveness, then 1:1 against their template)."""
    from .accounts import delegation_open

    if citizen.is_erased:
        raise FaceRefused(ERASED)
    if face_consent_of(citizen) is None:
        raise FaceRefused(NO_CONSENT)
    if not FaceTemplate.objects.filter(citizen=citizen).exists():
        raise FaceRefused(NOT_ENROLLED)
    delegation = delegation_open(citizen=citizen, officer=officer, minutes=minutes)
    return face_check_start(
        mall=delegation.mall,
        claim=ClaimKind.DELEGATION,
        citizen=citizen,
        officer=officer,
        delegation=delegation,
    )


def delegation_face_confirm(*, check: FaceCheck, frames, officer) -> Delegation:
    """Verify the citizen's face (logged as "verify (delegation)") and, on a match, confirm
    the delegation the check was started for. FaceRefused otherwise; nothing confirmed."""
    if check.claim != ClaimKind.DELEGATION or check.delegation_id is None:
        raise ValueError("not a delegation check")
    face_verify(check=check, frames=frames, actor=officer, channel=Channel.ASSISTED)
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=check.delegation_id)
        if not delegation.confirmed_at and delegation.expires_at > timezone.now():
            delegation.confirmed_at = timezone.now()
            delegation.confirmed_with = "face"
            delegation.save(update_fields=["confirmed_at", "confirmed_with"])
            audit_record(
                actor=officer,
                action="delegation_confirm",
                target=delegation,
                summary=f"{delegation.citizen}: face score={check.score}",
            )
    if not delegation.confirmed_at:
        raise FaceRefused(EXPIRED)
    return delegation


# --- fallback: NIK + one-time code ------------------------------------------------------


FALLBACK_USE = OneTimeCode.Use.KIOSK_CHECKIN


def face_fallback_start(*, mall, citizen: Citizen, officer=None) -> FaceCheck:
    """No camera, no enrolment or a refused face: a six-digit code by SMS instead. At the
    reception desk `officer` is the one helping; only they can finish the check."""
    # Each code is an SMS to the citizen's phone: the same per-citizen limit as a face check,
    # so typing a neighbour's NIK again and again neither pumps SMS nor guesses codes.
    face_attempt_allow(citizen=citizen, mall=mall)
    check = FaceCheck.objects.create(
        mall=mall, citizen=citizen, claim=ClaimKind.CODE, nonce="", officer=officer
    )
    face_code_send(check=check)
    return check


def face_fallback_confirm(*, check: FaceCheck, code: str) -> FaceCheck:
    from django.core.exceptions import ValidationError

    from .accounts import _use_code

    if check.one_time_code is None:
        raise ValidationError({"code": [_("No code was sent.")]})
    _use_code(check.one_time_code, code)  # wrong tries count (and stick)
    check.verified_at = timezone.now()
    check.reason = "code"
    check.save(update_fields=["verified_at", "reason"])
    return check
