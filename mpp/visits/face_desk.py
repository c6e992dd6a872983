"""Reception-desk check-in by face: an officer posted at the mall checks in a visitor who
cannot manage the kiosk (often elderly). The officer types the NIK or the booking code, turns
the camera on their screen to the visitor → liveness → 1:1 verification → service → ticket
linked to the citizen. The same claim, verification and ticket functions as the kiosk
(`face_claims.py`, `face_tickets.py`, `mpp.citizens.services.faces`); the check is bound
to the officer who started it, and every use is logged with the officer as actor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.accounts.models import Role
from mpp.citizens.models import Channel, ClaimKind, FaceCheck
from mpp.citizens.services import faces

from . import services as q
from .face_claims import face_claim_resolve, face_fallback_step, face_refused_json
from .face_tickets import face_hello_context, face_ticket_from_post


def _desk_mall(request):
    """The mall the officer is posted at; other users are refused."""
    posting = getattr(request.user, "posting", None)
    if request.user.role != Role.COUNTER_OFFICER or posting is None:
        raise PermissionDenied
    return posting.mall


def _desk_check(request, mall, uuid) -> FaceCheck:
    """A check this officer started at this mall (an officer cannot pick up another's)."""
    return get_object_or_404(
        FaceCheck.objects.select_related("citizen"),
        uuid=uuid,
        mall=mall,
        officer=request.user,
        claim__in=[ClaimKind.NIK, ClaimKind.BOOKING, ClaimKind.CODE],
    )


@login_required
def desk_face(request):
    """The claim, typed by the officer: the visitor's NIK or booking code."""
    mall = _desk_mall(request)
    errors = {}
    if request.method == "POST":
        claim, errors = face_claim_resolve(
            mall=mall, nik=request.POST.get("nik", ""), booking=request.POST.get("booking", "")
        )
        if claim:
            try:
                check = faces.face_check_start(mall=mall, officer=request.user, **claim)
            except faces.FaceRefused as refused:
                errors = {"nik": " ".join(refused.messages)}
            else:
                return redirect("visits:desk_face_camera", uuid=check.uuid)
    return render(
        request,
        "visits/desk_face.html",
        {"mall": mall, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
def desk_face_camera(request, uuid):
    mall = _desk_mall(request)
    check = _desk_check(request, mall, uuid)
    if check.frames_at:
        return redirect("visits:desk_face")
    return render(
        request,
        "visits/desk_face_camera.html",
        {"mall": mall, "check": check, "prompts": faces.prompts_of(check)},
    )


@login_required
@require_POST
def desk_face_frames(request, uuid):
    """The visitor's burst of frames from the officer's camera, answered in JSON."""
    mall = _desk_mall(request)
    check = _desk_check(request, mall, uuid)
    frames = [f.read() for f in request.FILES.getlist("frames")[: faces.MAX_FRAMES]]
    try:
        faces.face_verify(check=check, frames=frames, actor=request.user, channel=Channel.COUNTER)
    except faces.FaceRefused as refused:
        return face_refused_json(
            refused, retry=reverse("visits:desk_face"), fallback=reverse("visits:desk_face_code")
        )
    return JsonResponse({"ok": True, "next": reverse("visits:desk_face_hello", args=[check.uuid])})


@login_required
def desk_face_hello(request, uuid):
    """The masked name to read out to the visitor, then the service (or the booking)."""
    mall = _desk_mall(request)
    check = _desk_check(request, mall, uuid)
    if check.verified_at is None or check.ticket_issued_at:
        return redirect("visits:desk_face")
    return render(request, "visits/desk_face_hello.html", face_hello_context(mall, check))


@login_required
@require_POST
def desk_face_issue(request, uuid):
    mall = _desk_mall(request)
    check = _desk_check(request, mall, uuid)
    try:
        ticket = face_ticket_from_post(request.POST, mall=mall, check=check)
    except q.QueueError as refused:
        messages.error(request, refused.message)
        return redirect("visits:desk_face")
    return redirect("visits:ticket_print", uuid=ticket.uuid)


@login_required
def desk_face_code(request):
    """Fallback at the desk (no face enrolled, no camera, or the face refused): the visitor's
    NIK, then the six-digit code sent by SMS to their phone, read out to the officer."""
    mall = _desk_mall(request)
    errors, check = {}, None
    if request.method == "POST":
        check, errors, confirmed = face_fallback_step(
            request.POST,
            mall=mall,
            check_for=lambda uuid: _desk_check(request, mall, uuid),
            no_account=_("No citizen account with this NIK: issue a normal ticket."),
            officer=request.user,
        )
        if confirmed:
            return redirect("visits:desk_face_hello", uuid=check.uuid)
    return render(
        request,
        "visits/desk_face_code.html",
        {"mall": mall, "check": check, "errors": errors},
        status=400 if errors else 200,
    )
