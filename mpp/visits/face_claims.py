"""What a face check-in starts from and how it falls back, shared by the kiosk
(`face_checkin.py`) and the reception desk (`face_desk.py`): a typed NIK or booking code
resolved to a claim, the SMS-code fallback, and a refusal answered to face.js."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from mpp.citizens.models import Citizen, ClaimKind, FaceTemplate
from mpp.citizens.services import faces
from mpp.core.nik import nik_clean

from .models import Booking, BookingStatus


def citizen_by_nik(raw: str) -> Citizen | None:
    return Citizen.objects.active().with_nik(nik_clean(raw)).first()


def face_claim_resolve(*, mall, nik: str = "", booking: str = "") -> tuple[dict, dict]:
    """A typed NIK or booking code → (arguments for `face_check_start`, errors by field).
    Shared by the kiosk and the reception desk (mpp/visits/face_desk.py)."""
    if booking.strip():
        booking_code = booking.strip().upper()
        found = Booking.objects.filter(
            code=booking_code, mall=mall, status=BookingStatus.ACTIVE
        ).first()
        citizen = (
            Citizen.objects.active().filter(nik_hash=found.nik_hash).first() if found else None
        )
        if found is None:
            return {}, {"booking": _("No valid booking with this code at this mall.")}
        if citizen is None or not FaceTemplate.objects.filter(citizen=citizen).exists():
            return {}, {
                "booking": _(
                    "No face is enrolled for this booking. Check in with the code on the "
                    "start screen."
                )
            }
        return {"claim": ClaimKind.BOOKING, "citizen": citizen, "booking_code": found.code}, {}
    try:
        citizen = citizen_by_nik(nik)
    except ValidationError as error:
        return {}, {"nik": error.messages[0]}
    if citizen is None or not FaceTemplate.objects.filter(citizen=citizen).exists():
        return {}, {"nik": faces.reason_text(faces.NOT_ENROLLED)}
    return {"claim": ClaimKind.NIK, "citizen": citizen}, {}


def face_refused_json(refused: faces.FaceRefused, *, retry: str, fallback: str = ""):
    return JsonResponse({**refused.as_json(), "retry": retry, "fallback": fallback})


def face_fallback_step(post, *, mall, check_for, no_account: str, officer=None):
    """The SMS-code fallback, shared by the kiosk and the reception desk. A posted NIK sends
    a code to the citizen's phone; a posted code (with its check) confirms the check.
    `check_for(uuid)` finds a check the caller may finish. Returns (check, errors, confirmed)."""
    errors, check = {}, None
    if post.get("check"):
        check = check_for(post["check"])
        try:
            faces.face_fallback_confirm(check=check, code=post.get("code", ""))
        except ValidationError as error:
            errors["code"] = " ".join(error.messages)
        else:
            return check, errors, True
    else:
        try:
            citizen = citizen_by_nik(post.get("nik", ""))
        except ValidationError as error:
            errors["nik"] = error.messages[0]
        else:
            if citizen is None:
                errors["nik"] = no_account
            else:
                try:
                    check = faces.face_fallback_start(mall=mall, citizen=citizen, officer=officer)
                except faces.FaceRefused as refused:  # too many codes for this citizen
                    errors["nik"] = " ".join(refused.messages)
    return check, errors, False
