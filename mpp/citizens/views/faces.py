"""Face pages: enrolment at the counter (consent first; webcam frames or uploads), the
assisted lane confirmed by face, the duplicate-review queue, and the citizen's own view
(status, delete)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.core.exports import filtered_csv
from mpp.core.filters import list_page

from .. import access, selectors
from ..models import (
    Channel,
    ClaimKind,
    Delegation,
    DuplicateStatus,
    FaceCheck,
    FaceDuplicate,
    FaceTemplate,
    Purpose,
)
from ..services import faces
from .common import citizen_by_uuid, citizen_of, officer_citizen_url, posting_of

MAX_UPLOADS = 8
WEBCAM_FRAMES = 5  # frames the officer's webcam sends for an enrolment


def _enrolled_messages(request, result) -> None:
    messages.success(
        request, _("Face enrolled from %(n)d images.") % {"n": result.template.frames_used}
    )
    if result.duplicates:
        messages.warning(
            request,
            _("The face resembles %(n)d other enrolment(s): queued for review.")
            % {"n": len(result.duplicates)},
        )


@login_required
def officer_face(request, uuid):
    """Enrol (webcam frames or uploads), re-enrol or delete a citizen's face at the counter."""
    posting = posting_of(request)
    citizen = citizen_by_uuid(uuid)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "consent":
                faces.face_consent_record(citizen=citizen, officer=request.user)
                messages.success(request, _("Biometric consent recorded."))
            elif action == "enrol":
                images = [f.read() for f in request.FILES.getlist("images")[:MAX_UPLOADS]]
                result = faces.face_enrol(
                    citizen=citizen, images=images, by=request.user, mall=posting.mall
                )
                _enrolled_messages(request, result)
            elif action == "delete":
                faces.face_delete(
                    citizen=citizen, by=request.user, channel=Channel.COUNTER, mall=posting.mall
                )
                messages.success(request, _("The face template was deleted."))
        except faces.FaceRefused as refused:
            for message in refused.messages:
                messages.error(request, message)
        except access.AccessRefused as refused:
            messages.error(request, str(refused))
        return redirect("citizens:officer_face", uuid=uuid)
    delegation = Delegation.objects.filter(
        citizen=citizen, officer=request.user, confirmed_at__isnull=False
    ).first()
    return render(
        request,
        "citizens/officer_face.html",
        {
            "citizen": citizen,
            "posting": posting,
            "consent": faces.face_consent_of(citizen),
            "face": FaceTemplate.objects.filter(citizen=citizen).first(),
            "delegation": delegation if delegation and delegation.is_active() else None,
            "max_uploads": MAX_UPLOADS,
            "webcam_frames": WEBCAM_FRAMES,
        },
    )


@login_required
@require_POST
def officer_face_frames(request, uuid):
    """Enrolment from the officer's webcam: face.js posts a burst of JPEG frames (multipart
    `frames`); the same service as uploads. Answered in JSON."""
    posting = posting_of(request)
    citizen = citizen_by_uuid(uuid)
    frames = [f.read() for f in request.FILES.getlist("frames")[: faces.MAX_FRAMES]]
    try:
        result = faces.face_enrol(
            citizen=citizen, images=frames, by=request.user, mall=posting.mall
        )
    except faces.FaceRefused as refused:
        return JsonResponse(refused.as_json())
    _enrolled_messages(request, result)
    return JsonResponse({"ok": True, "next": reverse("citizens:officer_face", args=[uuid])})


@login_required
@require_POST
def officer_delegation_face(request, uuid):
    """The assisted lane confirmed by the citizen's face instead of an SMS code: start the
    check, then the camera page on the officer's screen."""
    posting_of(request)
    citizen = citizen_by_uuid(uuid)
    try:
        check = faces.delegation_face_start(citizen=citizen, officer=request.user)
    except faces.FaceRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect(officer_citizen_url(uuid, Purpose.ASSISTED))
    except access.AccessRefused as refused:
        messages.error(request, str(refused))
        return redirect(officer_citizen_url(uuid, Purpose.ASSISTED))
    return redirect("citizens:officer_delegation_face_camera", uuid=uuid, check=check.uuid)


def _delegation_check(request, uuid, check) -> FaceCheck:
    return get_object_or_404(
        FaceCheck.objects.select_related("citizen", "mall"),
        uuid=check,
        citizen__uuid=uuid,
        claim=ClaimKind.DELEGATION,
        officer=request.user,
    )


@login_required
def officer_delegation_face_camera(request, uuid, check):
    posting_of(request)
    face_check = _delegation_check(request, uuid, check)
    if face_check.frames_at:
        return redirect(officer_citizen_url(uuid, Purpose.ASSISTED))
    return render(
        request,
        "citizens/officer_delegation_face.html",
        {
            "citizen": face_check.citizen,
            "check": face_check,
            "prompts": faces.prompts_of(face_check),
            "retry_url": officer_citizen_url(uuid, Purpose.ASSISTED),
        },
    )


@login_required
@require_POST
def officer_delegation_face_frames(request, uuid, check):
    """The citizen's burst: liveness and 1:1 verification, then the delegation confirmed."""
    posting_of(request)
    face_check = _delegation_check(request, uuid, check)
    frames = [f.read() for f in request.FILES.getlist("frames")[: faces.MAX_FRAMES]]
    try:
        faces.delegation_face_confirm(check=face_check, frames=frames, officer=request.user)
    except faces.FaceRefused as refused:
        return JsonResponse(refused.as_json())
    messages.success(request, _("The citizen confirmed with their face: you may help them now."))
    return JsonResponse({"ok": True, "next": officer_citizen_url(uuid, Purpose.ASSISTED)})


@login_required
def face_duplicates(request):
    """Possible duplicate faces found at enrolments at the officer's mall, to review."""
    posting = posting_of(request)
    if request.method == "POST":
        return _duplicate_review(request, posting)
    data = request.GET.copy()
    data.setdefault("status", DuplicateStatus.OPEN)  # the page opens on what is left to review
    filterset = selectors.FaceDuplicateFilter(
        data, queryset=selectors.face_duplicates_at(posting.mall)
    )
    if csv := filtered_csv(
        request, filterset, "wajah-duplikat.csv", selectors.FACE_DUPLICATE_CSV_COLUMNS
    ):
        return csv
    return render(
        request,
        "citizens/face_duplicates.html",
        {**list_page(request, filterset, 50), "posting": posting},
    )


def _duplicate_review(request, posting):
    duplicate = get_object_or_404(FaceDuplicate, uuid=request.POST.get("duplicate"))
    if duplicate.mall_id != posting.mall_id:
        return redirect("citizens:face_duplicates")
    try:
        faces.duplicate_review(
            duplicate=duplicate,
            status=request.POST.get("status", ""),
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except ValueError:
        messages.error(request, _("Choose same person or different people."))
    else:
        messages.success(request, _("Review saved."))
    return redirect("citizens:face_duplicates")


@login_required
def face_mine(request):
    """The citizen's own face data: enrolled or not, and delete it."""
    citizen = citizen_of(request)
    if citizen is None:
        return redirect("citizens:home")
    if request.method == "POST":
        faces.face_delete(citizen=citizen, by=request.user, channel=Channel.WEB)
        messages.success(request, _("Your face template was deleted."))
        return redirect("citizens:face_mine")
    return render(
        request,
        "citizens/face_mine.html",
        {
            "citizen": citizen,
            "face": FaceTemplate.objects.filter(citizen=citizen).first(),
            "consent": faces.face_consent_of(citizen),
        },
    )
