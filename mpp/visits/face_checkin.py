"""Kiosk check-in by face: claim (NIK, booking code, or — where the mall allows it —
recognition among today's bookings) → camera with a random liveness prompt → verify →
greeting with the masked name → service → ticket carrying the citizen. Fallback: NIK and a
one-time code by SMS. These are the kiosk's views; the steps the reception desk shares are
in `face_claims.py` and `face_tickets.py`, the face rules in `mpp.citizens.services.faces`."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.citizens.models import Citizen, ClaimKind, FaceCheck, FaceMallSettings
from mpp.citizens.services import faces

from . import services as q
from .devices import device_from_request, kiosk_mall
from .face_claims import face_claim_resolve, face_fallback_step, face_refused_json
from .face_tickets import bookings_near, face_hello_context, face_ticket_from_post

SESSION_KEY = "mpp_face_check"


def _mall_or_403(request, code):
    mall = kiosk_mall(request, code)
    if mall is None:
        raise PermissionDenied
    return mall


def _identification_window(mall) -> int | None:
    settings = FaceMallSettings.objects.filter(mall=mall, identification_enabled=True).first()
    return settings.window_minutes if settings else None


def _check(request, mall, uuid) -> FaceCheck:
    """The check this kiosk session started (a check cannot be picked up elsewhere), while
    its flow is fresh: a visitor who walks away leaves nothing for the next one to use."""
    if request.session.get(SESSION_KEY) != str(uuid):
        raise PermissionDenied
    check = get_object_or_404(FaceCheck.objects.select_related("citizen"), uuid=uuid, mall=mall)
    if timezone.now() - check.created_at > timedelta(minutes=settings.KIOSK_FLOW_MINUTES):
        request.session.pop(SESSION_KEY, None)
        raise PermissionDenied
    return check


def _begin(request, mall, **kwargs):
    """Start a check (FaceRefused when the attempt limits are reached: the caller shows it)."""
    check = faces.face_check_start(mall=mall, device=device_from_request(request), **kwargs)
    request.session[SESSION_KEY] = str(check.uuid)
    return redirect("visits:kiosk_face_camera", code=mall.code, uuid=check.uuid)


def kiosk_face(request, code):
    """The claim: type the NIK or a booking code (or be recognised, where enabled)."""
    mall = _mall_or_403(request, code)
    errors = {}
    if request.method == "POST":
        try:
            if "identify" in request.POST and _identification_window(mall):
                return _begin(request, mall, claim=ClaimKind.IDENTIFY)
            claim, errors = face_claim_resolve(
                mall=mall, nik=request.POST.get("nik", ""), booking=request.POST.get("booking", "")
            )
            if claim:
                return _begin(request, mall, **claim)
        except faces.FaceRefused as refused:
            field = "booking" if request.POST.get("booking", "").strip() else "nik"
            errors = {field: " ".join(refused.messages)}
    return render(
        request,
        "visits/kiosk_face.html",
        {"mall": mall, "errors": errors, "identify": bool(_identification_window(mall))},
        status=400 if errors else 200,
    )


def kiosk_face_camera(request, code, uuid):
    """The camera page: shows the random prompt; face.js posts the burst of frames."""
    mall = _mall_or_403(request, code)
    check = _check(request, mall, uuid)
    if check.frames_at:
        return redirect("visits:kiosk_face", code=mall.code)
    return render(
        request,
        "visits/kiosk_face_camera.html",
        {"mall": mall, "check": check, "prompts": faces.prompts_of(check)},
    )


@require_POST
def kiosk_face_frames(request, code, uuid):
    """The burst of JPEG frames (multipart `frames`), answered in JSON for face.js."""
    mall = _mall_or_403(request, code)
    check = _check(request, mall, uuid)
    frames = [f.read() for f in request.FILES.getlist("frames")[: faces.MAX_FRAMES]]
    try:
        if check.claim == ClaimKind.IDENTIFY:
            window = _identification_window(mall)
            if not window:
                raise PermissionDenied
            bookings = list(bookings_near(mall=mall, minutes=window))
            candidates = Citizen.objects.active().filter(
                nik_hash__in=[b.nik_hash for b in bookings]
            )
            citizen = faces.face_identify(check=check, frames=frames, candidates=candidates)
            booking = next((b for b in bookings if b.nik_hash == citizen.nik_hash), None)
            if booking:
                check.booking_code = booking.code
                check.save(update_fields=["booking_code"])
        else:
            faces.face_verify(check=check, frames=frames)
    except faces.FaceRefused as refused:
        return face_refused_json(
            refused,
            retry=reverse("visits:kiosk_face", args=[mall.code]),
            fallback=reverse("visits:kiosk_face_code", args=[mall.code]),
        )
    if faces.face_second_factor_needed(check):
        faces.face_code_send(check=check)
        return JsonResponse(
            {"ok": True, "next": reverse("visits:kiosk_face_second", args=[mall.code, check.uuid])}
        )
    return JsonResponse(
        {"ok": True, "next": reverse("visits:kiosk_face_hello", args=[mall.code, check.uuid])}
    )


def kiosk_face_second(request, code, uuid):
    """Face never alone: the one-time code sent to the citizen's phone after the face matched."""
    mall = _mall_or_403(request, code)
    check = _check(request, mall, uuid)
    if check.verified_at is None or not faces.face_second_factor_pending(check):
        return redirect("visits:kiosk_face", code=mall.code)
    errors = {}
    if request.method == "POST":
        try:
            faces.face_second_factor_confirm(check=check, code=request.POST.get("code", ""))
        except ValidationError as error:
            errors["code"] = " ".join(error.messages)
        else:
            return redirect("visits:kiosk_face_hello", code=mall.code, uuid=check.uuid)
    return render(
        request,
        "visits/kiosk_face_second.html",
        {"mall": mall, "check": check, "errors": errors},
        status=400 if errors else 200,
    )


def kiosk_face_hello(request, code, uuid):
    """Greeting with the masked name; an identified person confirms it's them first. Then
    the service (or, for a booking, the check-in)."""
    mall = _mall_or_403(request, code)
    check = _check(request, mall, uuid)
    if request.method == "POST" and "confirm" in request.POST:
        faces.face_check_confirm(check=check, yes=request.POST["confirm"] == "yes")
        if request.POST["confirm"] != "yes":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, _("Sorry. Please type your NIK instead."))
            return redirect("visits:kiosk_face", code=mall.code)
        return redirect("visits:kiosk_face_hello", code=mall.code, uuid=check.uuid)
    if check.citizen is None or check.verified_at is None:
        return redirect("visits:kiosk_face", code=mall.code)
    if faces.face_second_factor_pending(check):
        return redirect("visits:kiosk_face_second", code=mall.code, uuid=check.uuid)
    context = face_hello_context(mall, check)
    return render(request, "visits/kiosk_face_hello.html", context)


@require_POST
def kiosk_face_issue(request, code, uuid):
    mall = _mall_or_403(request, code)
    check = _check(request, mall, uuid)
    try:
        ticket = face_ticket_from_post(request.POST, mall=mall, check=check)
    except q.QueueError as refused:
        messages.error(request, refused.message)
        return redirect("visits:kiosk_face", code=mall.code)
    request.session.pop(SESSION_KEY, None)
    return redirect("visits:ticket_print", uuid=ticket.uuid)


def kiosk_face_code(request, code):
    """Fallback: NIK, then the six-digit code sent by SMS to the citizen's phone."""
    mall = _mall_or_403(request, code)
    errors, check = {}, None
    if request.method == "POST":
        check, errors, confirmed = face_fallback_step(
            request.POST,
            mall=mall,
            check_for=lambda uuid: _check(request, mall, uuid),
            no_account=_("No citizen account with this NIK. Please take a normal ticket."),
        )
        if confirmed:
            return redirect("visits:kiosk_face_hello", code=mall.code, uuid=check.uuid)
        if check and not request.POST.get("check"):
            request.session[SESSION_KEY] = str(check.uuid)
    return render(
        request,
        "visits/kiosk_face_code.html",
        {"mall": mall, "check": check, "errors": errors},
        status=400 if errors else 200,
    )
