"""The citizen's own pages: my data, corrections, documents, consents, who saw my data,
export, erasure, and applications. Each read of personal data goes through `access`."""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.core.exports import csv_response, filtered_csv
from mpp.core.filters import list_page
from mpp.registry.models import Mall, Service

from .. import access, selectors, services, throttle
from ..forms import (
    ApplicationForm,
    CodeForm,
    ConsentForm,
    DocumentForm,
    EraseForm,
    ProfileForm,
    RegisterForm,
)
from ..models import (
    Application,
    ApplicationStatus,
    Consent,
    Document,
    OneTimeCode,
    Purpose,
)
from ..vocabulary import FIELD_ORDER, FIELDS
from .common import citizen_of, document_response, labelled


def _add_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _need_citizen(request):
    citizen = citizen_of(request)
    if citizen is None:
        return None, render(request, "citizens/no_profile.html", status=404)
    return citizen, None


@login_required
def home(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    reading = access.citizen_data_read(citizen=citizen, actor=request.user, purpose=Purpose.SELF)
    return render(
        request,
        "citizens/home.html",
        {
            "citizen": citizen,
            "rows": labelled(reading.values),
            "documents": reading.values.get("documents", []),
            "document_form": DocumentForm(),
            "applications": Application.objects.filter(citizen=citizen)
            .select_related("service", "agency")
            .exclude(status=ApplicationStatus.DRAFT)[:5],
        },
    )


def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "agree"}
        try:
            throttle.registration_sms_check(request, data["phone"])
            challenge, info = services.citizen_register_start(**data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            for warning in info.warnings:
                messages.warning(request, warning)
            return redirect("citizens:register_confirm", uuid=challenge.uuid)
    return render(request, "citizens/register.html", {"form": form})


def register_confirm(request, uuid):
    challenge = get_object_or_404(OneTimeCode, uuid=uuid, use=OneTimeCode.Use.REGISTER)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if not throttle.code_check_allowed(request):
                raise throttle.code_check_refused()
            citizen = services.citizen_register_confirm(
                challenge=challenge, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            login(request, citizen.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("citizens:home")
    return render(request, "citizens/register_confirm.html", {"form": form, "challenge": challenge})


@login_required
def profile_edit(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    keys = [k for k in FIELD_ORDER if k != "nik"]
    if request.method == "POST":
        form = ProfileForm(request.POST, keys=keys)
        if form.is_valid():
            changes = {
                k: v.isoformat() if hasattr(v, "isoformat") else v
                for k, v in form.cleaned_data.items()
            }
            try:
                changed = services.profile_correct(
                    citizen=citizen, changes=changes, by=request.user
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Saved: %(fields)s")
                    % {"fields": ", ".join(str(FIELDS[k].label) for k in changed) or "—"},
                )
                return redirect("citizens:home")
    else:
        reading = access.citizen_data_read(
            citizen=citizen, actor=request.user, purpose=Purpose.CORRECTION, fields=keys
        )
        form = ProfileForm(initial=reading.values, keys=keys)
    return render(request, "citizens/profile_edit.html", {"form": form})


@login_required
@require_POST
def document_add(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > Document.MAX_BYTES:
            messages.error(request, _("The file is larger than 5 MB."))
            return redirect("citizens:home")
        try:
            services.document_upload(
                citizen=citizen,
                doc_type=form.cleaned_data["doc_type"],
                content=upload.read(),
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Document saved."))
    else:
        messages.error(request, _("Choose a document type and a file."))
    return redirect("citizens:home")


@login_required
def document_download(request, uuid):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    document = get_object_or_404(Document, uuid=uuid, citizen=citizen)
    content = access.document_file_read(document=document, actor=request.user, purpose="self")
    return document_response(document, content)


@login_required
def consents(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_grant(citizen=citizen, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("citizens:consents")
    rows = Consent.objects.filter(citizen=citizen).select_related("agency")
    if request.GET.get("format") == "csv":
        return csv_response(
            "persetujuan.csv",
            ["agency", "purpose", "categories", "granted_at", "expires_at", "revoked_at"],
            (
                [
                    c.agency.short_name,
                    c.purpose,
                    " ".join(c.categories),
                    c.granted_at,
                    c.expires_at,
                    c.revoked_at or "",
                ]
                for c in rows
            ),
        )
    return render(request, "citizens/consents.html", {"consents": rows, "form": form})


@login_required
@require_POST
def consent_revoke(request, uuid):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    consent = get_object_or_404(Consent, uuid=uuid, citizen=citizen)
    services.consent_revoke(consent=consent, by=request.user)
    messages.success(request, _("Consent withdrawn. It applies immediately."))
    return redirect("citizens:consents")


@login_required
def access_log(request):
    """Who saw my data. By default the reads by others; `?mine=on` adds my own."""
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    data = request.GET.copy()
    data.setdefault("mine", "false")  # an unticked box: the page leaves my own reads out
    filterset = selectors.AccessRecordFilter(
        data, queryset=selectors.access_records_of(citizen), request=request
    )
    if csv := filtered_csv(
        request, filterset, "siapa-melihat-data-saya.csv", selectors.ACCESS_RECORD_CSV_COLUMNS
    ):
        return csv
    return render(request, "citizens/access_log.html", list_page(request, filterset, 50))


@login_required
def export_json(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    data = services.citizen_export(citizen=citizen, actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="data-saya.json"'
    return response


@login_required
def export_pdf(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    from django.template.loader import render_to_string
    from weasyprint import HTML

    data = services.citizen_export(citizen=citizen, actor=request.user)
    html = render_to_string(
        "citizens/export_pdf.html",
        {"data": data, "rows": labelled(data["profile"])},
        request=request,
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="data-saya.pdf"'
    return response


@login_required
def erase(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.citizen_erase(citizen=citizen, by=request.user)
        from django.contrib.auth import logout

        logout(request)
        messages.success(request, _("Your account and personal data were erased."))
        return redirect("registry:mall_directory")
    return render(request, "citizens/erase.html", {"form": form})


@login_required
def applications(request):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    rows = (
        Application.objects.filter(citizen=citizen)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("service", "agency", "mall")
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            "permohonan-saya.csv",
            ["reference", "service", "agency", "mall", "status", "submitted_at", "due_at"],
            (
                [
                    a.reference,
                    a.service.name,
                    a.agency.short_name,
                    a.mall.name,
                    a.status,
                    a.submitted_at,
                    a.due_at,
                ]
                for a in rows
            ),
        )
    return render(request, "citizens/applications.html", {"applications": rows})


@login_required
def apply_choose(request, code):
    mall = get_object_or_404(Mall, code=code)
    service_list = Service.objects.filter(mall=mall, is_active=True).select_related("agency")
    return render(request, "citizens/apply_choose.html", {"mall": mall, "services": service_list})


@login_required
@require_POST
def apply_start(request, code, slug):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    service = get_object_or_404(
        Service.objects.select_related("mall", "agency"), mall__code=code, slug=slug
    )
    try:
        application = services.application_start(citizen=citizen, service=service, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("citizens:apply_choose", code=code)
    return redirect("citizens:application", uuid=application.uuid)


@login_required
def application(request, uuid):
    citizen, missing = _need_citizen(request)
    if missing:
        return missing
    app = get_object_or_404(
        Application.objects.select_related("service", "agency", "mall", "standard"),
        uuid=uuid,
        citizen=citizen,
    )
    if app.status == ApplicationStatus.DRAFT:
        return _application_form(request, app)
    data = access.application_data_read(application=app, actor=request.user, purpose="self")
    return render(
        request,
        "citizens/application.html",
        {"application": app, "rows": labelled(data), "events": app.events.all()},
    )


def _application_form(request, app):
    form = ApplicationForm(request.POST or None, asked=app.fields_asked)
    if request.method == "POST" and form.is_valid():
        values = {
            k: v.isoformat() if hasattr(v, "isoformat") else v
            for k, v in form.cleaned_data.items()
            if k in app.fields_asked
        }
        try:
            services.application_submit(
                application=app,
                values=values,
                by=request.user,
                save_to_profile=form.cleaned_data["save_to_profile"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Application submitted."))
            return redirect("citizens:application", uuid=app.uuid)
    reading = access.citizen_data_read(
        citizen=app.citizen, actor=request.user, purpose=Purpose.SELF, fields=app.fields_prefilled
    )
    return render(
        request,
        "citizens/application_form.html",
        {"application": app, "prefilled": labelled(reading.values), "form": form},
    )
