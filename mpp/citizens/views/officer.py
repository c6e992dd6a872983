"""The counter officer's side (look a citizen up, see consented data, assisted lane,
process applications) and the managers' list of overdue applications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.core.exports import filtered_csv
from mpp.core.filters import list_page
from mpp.core.nik import nik_clean
from mpp.registry.access import access_mall
from mpp.registry.models import Mall, Service

from .. import access, selectors, services, throttle
from ..forms import CodeForm, NikLookupForm, TransitionForm
from ..models import (
    Application,
    Channel,
    Citizen,
    Delegation,
    Document,
    DocumentStatus,
    Purpose,
)
from ..vocabulary import DocumentType
from .common import (
    citizen_by_uuid,
    document_response,
    labelled,
    officer_citizen_url,
    posting_of,
)


@login_required
def officer_home(request):
    posting = posting_of(request)
    form = NikLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nik = nik_clean(form.cleaned_data["nik"])
        except ValidationError as error:
            form.add_error("nik", error)
        else:
            citizen = Citizen.objects.active().with_nik(nik).first()
            if citizen is None:
                form.add_error("nik", _("No citizen account with this NIK."))
            else:  # the NIK travels in the POST body only, never in a URL
                return redirect(officer_citizen_url(citizen.uuid, form.cleaned_data["purpose"]))
    return render(request, "citizens/officer_home.html", {"form": form, "posting": posting})


def _purpose(value) -> str:
    return value if value in Purpose.consentable() else Purpose.SERVICE_DELIVERY


@login_required
def officer_citizen(request, uuid):
    posting = posting_of(request)
    citizen = citizen_by_uuid(uuid)
    purpose = _purpose(request.GET.get("purpose"))
    reading = access.citizen_profile_for_officer(
        citizen=citizen,
        officer=request.user,
        purpose=purpose,
        mall=posting.mall,
        break_glass=request.POST.get("break_glass", "") if request.method == "POST" else "",
    )
    delegation = (
        Delegation.objects.filter(
            citizen=citizen, officer=request.user, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "citizens/officer_citizen.html",
        {
            "citizen": citizen,
            "posting": posting,
            "reading": reading,
            "rows": [row for row in labelled(reading.values) if row[0] != "documents"],
            "documents": [
                {**d, "label": DocumentType(d["type"]).label}
                for d in reading.values.get("documents", [])
            ],
            "purpose": Purpose(purpose),
            "delegation": delegation,
            "code_form": CodeForm(),
            "services": Service.objects.filter(
                mall=posting.mall, agency=posting.agency, is_active=True
            ),
        },
    )


def _citizen_document(uuid, document_uuid) -> Document:
    citizen = citizen_by_uuid(uuid)
    return get_object_or_404(
        Document.objects.select_related("citizen"), uuid=document_uuid, citizen=citizen
    )


@login_required
def officer_document(request, uuid, document_uuid):
    """The scan, for an officer whose agency the citizen allowed to see documents."""
    posting = posting_of(request)
    document = _citizen_document(uuid, document_uuid)
    content = access.document_file_read(
        document=document,
        actor=request.user,
        purpose=_purpose(request.GET.get("purpose")),
        mall=posting.mall,
        channel=Channel.COUNTER,
    )
    return document_response(document, content)


@login_required
@require_POST
def officer_document_verify(request, uuid, document_uuid):
    """The officer compared the scan with the original the citizen brought."""
    posting = posting_of(request)
    document = _citizen_document(uuid, document_uuid)
    purpose = _purpose(request.POST.get("purpose"))
    was_verified = document.status == DocumentStatus.VERIFIED
    services.document_verify(document=document, officer=request.user, purpose=purpose)
    if not was_verified:
        messages.success(
            request,
            _("%(document)s marked verified by %(agency)s.")
            % {"document": document.get_doc_type_display(), "agency": posting.agency.short_name},
        )
    return redirect(officer_citizen_url(document.citizen.uuid, purpose))


@login_required
@require_POST
def officer_delegation_request(request, uuid):
    posting_of(request)
    citizen = citizen_by_uuid(uuid)
    services.delegation_request(citizen=citizen, officer=request.user)
    messages.info(request, _("A code was sent to the citizen's phone. Ask them to read it out."))
    return redirect("citizens:officer_citizen", uuid=uuid)


@login_required
@require_POST
def officer_delegation_confirm(request, uuid):
    posting_of(request)
    citizen = citizen_by_uuid(uuid)
    delegation = get_object_or_404(
        Delegation.objects.filter(citizen=citizen, officer=request.user).order_by("-created_at")[:1]
    )
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"code": [_("Enter the six digits.")]})
        if not throttle.code_check_allowed(request):
            raise throttle.code_check_refused()
        services.delegation_confirm(delegation=delegation, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The citizen confirmed: you may help them now."))
    return redirect(officer_citizen_url(uuid, Purpose.ASSISTED))


@login_required
@require_POST
def officer_apply(request, uuid, slug):
    posting = posting_of(request)
    citizen = citizen_by_uuid(uuid)
    service = get_object_or_404(Service, mall=posting.mall, agency=posting.agency, slug=slug)
    try:
        application = services.application_start(citizen=citizen, service=service, by=request.user)
    except (ValidationError, access.AccessRefused) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("citizens:officer_citizen", uuid=uuid)
    return redirect("citizens:officer_application", uuid=application.uuid)


@login_required
def officer_applications(request):
    posting = posting_of(request)
    filterset = selectors.ApplicationFilter(
        request.GET, queryset=selectors.applications_of_posting(posting)
    )
    if csv := filtered_csv(request, filterset, "permohonan.csv", selectors.APPLICATION_CSV_COLUMNS):
        return csv
    return render(
        request,
        "citizens/officer_applications.html",
        {**list_page(request, filterset, 50), "posting": posting, "now": timezone.now()},
    )


@login_required
def officer_application(request, uuid):
    posting = posting_of(request)
    app = get_object_or_404(
        Application.objects.select_related("service", "agency", "mall", "citizen"),
        uuid=uuid,
        mall=posting.mall,
        agency=posting.agency,
    )
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_transition(
                application=app,
                to_status=form.cleaned_data["status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("status" if field not in form.fields else field, errors)
        else:
            messages.success(request, _("Status updated."))
            return redirect("citizens:officer_application", uuid=uuid)
    data, refused = {}, ""
    if app.status != "draft":
        try:
            data = access.application_data_read(
                application=app,
                actor=request.user,
                purpose=Purpose.SERVICE_DELIVERY,
                channel="counter",
            )
        except access.AccessRefused as error:
            refused = str(error)
    return render(
        request,
        "citizens/officer_application.html",
        {
            "application": app,
            "rows": labelled(data),
            "refused": refused,
            "form": form,
            "events": app.events.all(),
        },
    )


@login_required
def break_glass_review(request, code):
    """Reads made outside a serving context at one mall, with the officers' reasons, for
    the mall's managers (and analysts) to review."""
    mall = access_mall(request.user, get_object_or_404(Mall, code=code), edit=True)
    page = Paginator(selectors.break_glass_reads_at(mall), 100).get_page(request.GET.get("page"))
    return render(request, "citizens/break_glass_review.html", {"mall": mall, "page": page})


@login_required
def overdue(request, code):
    """Applications past the standard's time at one mall, per agency (managers, analysts
    and the mall's officers)."""
    mall = access_mall(request.user, get_object_or_404(Mall, code=code))
    filterset = selectors.BreachedApplicationFilter(
        request.GET, queryset=selectors.applications_breached_at(mall)
    )
    if csv := filtered_csv(
        request, filterset, f"terlambat-{mall.code}.csv", selectors.APPLICATION_CSV_COLUMNS
    ):
        return csv
    return render(
        request,
        "citizens/overdue.html",
        {"mall": mall, **list_page(request, filterset, 100), "now": timezone.now()},
    )
