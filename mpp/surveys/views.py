"""Pages: the survey (ticket link, kiosk), complaints and their tracking, the IKM table,
the SKM report, a mall's quality page and scorecards; the staff pages for complaints,
responses and compliance. Thin: parse → access → one service or query → render."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.core.exports import csv_columns_response, filtered_csv
from mpp.core.filters import list_page
from mpp.registry.access import access_mall
from mpp.registry.models import Mall, MallStatus
from mpp.visits import staffing
from mpp.visits.models import DailyRollup, TicketStatus

from . import compliance, reports, selectors
from .access import (
    access_complaint,
    can_enter_paper_forms,
    can_handle_complaints,
    can_import_legacy,
)
from .forms import (
    ComplaintForm,
    ComplaintUpdateForm,
    IkmFilterForm,
    KioskComplaintForm,
    LegacyImportForm,
    PaperSurveyForm,
    SurveyForm,
    TrackForm,
    default_period,
)
from .ikm import ELEMENTS, METHOD_2004, Period, ikm_from_sums, krejcie_morgan
from .models import (
    Complaint,
    ComplaintChannel,
    SurveyChannel,
    SurveyResponse,
)
from .services import (
    complaint_file,
    complaint_update,
    legacy_report_save,
    questionnaires_from_file,
    survey_submit,
    ticket_for_survey,
)
from .throttle import anonymous_post_allowed, kiosk_device


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _too_many(request, mall=None) -> HttpResponse:
    return render(request, "surveys/too_many.html", {"mall": mall}, status=429)


# --- the survey -----------------------------------------------------------------------------


def ticket_survey(request, uuid):
    try:
        ticket = ticket_for_survey(uuid=uuid, signature=request.GET.get("k", ""))
    except ValidationError:
        return render(request, "surveys/survey_closed.html", {"reason": "forged"}, status=404)
    if hasattr(ticket, "survey_response"):
        return render(request, "surveys/survey_closed.html", {"reason": "done", "ticket": ticket})
    if ticket.status != TicketStatus.FINISHED:
        return render(request, "surveys/survey_closed.html", {"reason": "wait", "ticket": ticket})
    if request.method == "POST" and not anonymous_post_allowed(request, "survey"):
        return _too_many(request, ticket.mall)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_submit(
                scores=form.scores(),
                profile=form.profile(),
                suggestion=form.cleaned_data["suggestion"],
                channel=SurveyChannel.TICKET_LINK,
                ticket=ticket,
                device=kiosk_device(request),
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("surveys:thanks", code=ticket.mall.code)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "mall": ticket.mall, "service": ticket.service, "ticket": ticket},
    )


def _device_base(request) -> str:
    """At a kiosk the survey pages are device pages: no site navigation, idle reset."""
    return "device_base.html" if kiosk_device(request) is not None else "base.html"


def _open_mall(code) -> Mall:
    return get_object_or_404(Mall, code=code, status=MallStatus.OPEN)


def mall_survey(request, code):
    """Kiosk or QR at the exit: pick the service you used."""
    mall = _open_mall(code)
    services = mall.services.filter(is_active=True).select_related("agency")
    return render(
        request,
        "surveys/survey_pick.html",
        {
            "mall": mall,
            "services": services,
            "channel": request.GET.get("channel", ""),
            "base_template": _device_base(request),
        },
    )


def mall_service_survey(request, code, slug):
    mall = _open_mall(code)
    service = get_object_or_404(mall.services, slug=slug, is_active=True)
    channel = request.GET.get("channel", "")
    if channel not in (SurveyChannel.KIOSK, SurveyChannel.COUNTER_TABLET):
        channel = SurveyChannel.KIOSK
    device = kiosk_device(request)
    if device is not None:
        channel = SurveyChannel.KIOSK
    if request.method == "POST" and not anonymous_post_allowed(request, "survey"):
        return _too_many(request, mall)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_submit(
                scores=form.scores(),
                profile=form.profile(),
                suggestion=form.cleaned_data["suggestion"],
                channel=channel,
                mall=mall,
                service=service,
                device=device,
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("surveys:thanks", code=mall.code)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "mall": mall, "service": service, "base_template": _device_base(request)},
    )


def thanks(request, code):
    mall = get_object_or_404(Mall, code=code)
    return render(
        request,
        "surveys/survey_thanks.html",
        {"mall": mall, "base_template": _device_base(request)},
    )


# --- complaints (public) ----------------------------------------------------------------------


def complaint_new(request, code):
    """The public complaint form; on a kiosk (a kiosk device session, or `?kiosk=1`) the
    large-type kiosk form, recording the kiosk and its mall."""
    mall = _open_mall(code)
    device = kiosk_device(request)
    kiosk = device is not None or bool(request.GET.get("kiosk"))
    if request.method == "POST" and not anonymous_post_allowed(request, "complaint"):
        return _too_many(request, mall)
    form_class = KioskComplaintForm if kiosk else ComplaintForm
    form = form_class(request.POST or None, mall=mall)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel = ComplaintChannel.KIOSK if kiosk else ComplaintChannel.WEB
        try:
            complaint = complaint_file(
                mall=mall, channel=channel, by=request.user, device=device, **data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            url = reverse("surveys:complaint_status", kwargs={"code": complaint.tracking_code})
            return redirect(f"{url}?kiosk=1" if kiosk else url)
    template = "surveys/complaint_kiosk.html" if kiosk else "surveys/complaint_new.html"
    return render(request, template, {"form": form, "mall": mall, "kiosk": kiosk})


def complaint_track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect("surveys:complaint_status", code=form.cleaned_data["code"])
    return render(request, "surveys/complaint_track.html", {"form": form})


def complaint_status(request, code):
    """The complainant's page: no name, no contact, only public replies."""
    complaint = get_object_or_404(
        Complaint.objects.select_related("mall", "agency", "service"), tracking_code=code.upper()
    )
    today = timezone.localdate(timezone=complaint.mall.tz)
    return render(
        request,
        "surveys/complaint_status.html",
        {
            "complaint": complaint,
            "events": complaint.events.filter(is_public=True),
            "overdue": complaint.is_overdue(today),
            "kiosk": bool(request.GET.get("kiosk")),
        },
    )


# --- IKM, reports, quality pages (public) ------------------------------------------------------


def ikm_table(request):
    form = IkmFilterForm(request.GET)
    if not form.is_valid():  # each bad filter is named on the page; nothing is shown
        return render(request, "surveys/ikm_table.html", {"form": form, "rows": []})
    table = selectors.ikm_table_read(form)
    if request.GET.get("format") == "csv":
        return csv_columns_response(
            f"ikm-{table['period']}-{table['group']}.csv", selectors.IKM_CSV_COLUMNS, table["rows"]
        )
    return render(
        request,
        "surveys/ikm_table.html",
        {"form": form, **table, "query": request.GET.urlencode()},
    )


def skm_report(request):
    """The standard report for a mall (optionally one service or agency) and period."""
    form = IkmFilterForm(request.GET or None)
    if not form.is_valid() or not form.cleaned_data.get("mall"):
        return render(request, "surveys/report_pick.html", {"form": form}, status=200)
    data = form.cleaned_data
    mall = data["mall"]
    period = data["period"]
    service_slug = request.GET.get("service", "")
    responses, rollups, unit = _skm_scope(mall, service_slug, data.get("agency"))
    previous = period.previous()
    visitors = sum(
        rollups.filter(local_date__gte=previous.start, local_date__lt=previous.end).values_list(
            "served", flat=True
        )
    )
    report = reports.skm_report_build(
        responses=responses, unit=unit, period=period, sample_target=krejcie_morgan(visitors)
    )
    filename = f"skm-{mall.code}{'-' + service_slug if service_slug else ''}-{period}"
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        return _skm_report_file(report, filename, fmt)
    return render(
        request, "surveys/report.html", {"report": report, "query": request.GET.urlencode()}
    )


def _skm_scope(mall, service_slug: str, agency):
    """The answers and the day rollups an SKM report covers, and the unit it names: one
    service (404 when not at the mall), one agency, or the whole mall."""
    responses = SurveyResponse.objects.filter(mall=mall)
    rollups = DailyRollup.objects.filter(mall=mall)
    if service_slug:
        service = get_object_or_404(mall.services, slug=service_slug)
        unit = f"{service.name} — {service.agency}, {mall.name}"
        return responses.filter(service=service), rollups.filter(service=service), unit
    if agency:
        unit = f"{agency}, {mall.name}"
        return responses.filter(agency=agency), rollups.filter(agency=agency), unit
    return responses, rollups, mall.name


def _skm_report_file(report, filename: str, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(
            reports.skm_report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(reports.skm_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def mall_quality(request, code):
    """A mall's quality at a glance: the four keys, the IKM per service, compliance."""
    mall = get_object_or_404(Mall, code=code)
    try:
        period = Period.parse(request.GET.get("period") or "")
    except ValueError:
        period = Period.containing(timezone.localdate(timezone=mall.tz), "quarter")
    card = compliance.mall_scorecard(mall=mall, period=period)
    services = compliance.services_compliance(mall=mall, period=period)
    if request.GET.get("format") == "csv":
        return csv_columns_response(
            f"kualitas-{mall.code}-{period}.csv", selectors.SERVICE_QUALITY_CSV_COLUMNS, services
        )
    return render(
        request,
        "surveys/mall_quality.html",
        {"mall": mall, "card": card, "services": services, "period": period},
    )


def scorecards(request):
    """The national view: every mall's quality figures for a period, filterable."""
    form = IkmFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or Period.parse(default_period())
    malls = Mall.objects.open()
    if data.get("province"):
        malls = malls.filter(province=data["province"])
    rows = compliance.malls_summary(malls=malls, period=period, today=timezone.localdate())
    rows.sort(key=lambda r: (r["ikm"] is None, -(r["ikm"] or 0), r["mall"].name))
    if request.GET.get("format") == "csv":
        return csv_columns_response(
            f"kartu-kinerja-{period}.csv", selectors.SCORECARD_CSV_COLUMNS, rows
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveys/scorecards.html",
        {"form": form, "page": page, "period": period, "query": query.urlencode()},
    )


# --- staff pages -----------------------------------------------------------------------------


def _mall(request, code) -> Mall:
    return access_mall(request.user, get_object_or_404(Mall, code=code))


@login_required
def complaint_list(request, code):
    mall = _mall(request, code)
    # The page is one mall's (its filter form has no mall field); the API twin takes any
    # visible mall.
    filterset = selectors.ComplaintFilter(
        request.GET, queryset=selectors.complaints_visible(request.user).filter(mall=mall)
    )
    filterset.form.fields.pop("mall")
    if csv := filtered_csv(
        request, filterset, f"pengaduan-{mall.code}.csv", selectors.COMPLAINT_CSV_COLUMNS
    ):
        return csv
    return render(
        request,
        "surveys/manage/complaints.html",
        {
            "mall": mall,
            **list_page(request, filterset, 30),
            "today": timezone.localdate(timezone=mall.tz),
            "can_handle": can_handle_complaints(request.user, mall),
        },
    )


@login_required
def complaint_officer_new(request, code):
    mall = _mall(request, code)
    if not can_handle_complaints(request.user, mall):
        raise PermissionDenied
    form = ComplaintForm(request.POST or None, mall=mall)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_file(
                mall=mall, channel=ComplaintChannel.OFFICER, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(
                request,
                _("Complaint registered. Tracking code: %(code)s")
                % {"code": complaint.tracking_code},
            )
            return redirect("surveys:complaint_detail", pk=complaint.pk)
    return render(request, "surveys/complaint_new.html", {"form": form, "mall": mall})


@login_required
def complaint_detail(request, pk):
    complaint = get_object_or_404(
        Complaint.objects.select_related("mall", "agency", "service"), pk=pk
    )
    access_complaint(request.user, complaint)
    can_handle = can_handle_complaints(request.user, complaint.mall)
    form = ComplaintUpdateForm(request.POST or None, complaint=complaint)
    if request.method == "POST":
        access_complaint(request.user, complaint, handle=True)
        if form.is_valid():
            try:
                complaint_update(complaint=complaint, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("Complaint updated."))
                return redirect("surveys:complaint_detail", pk=complaint.pk)
    return render(
        request,
        "surveys/manage/complaint_detail.html",
        {
            "complaint": complaint,
            "events": complaint.events.select_related("by"),
            "form": form if can_handle else None,
            "today": timezone.localdate(timezone=complaint.mall.tz),
        },
    )


@login_required
def response_list(request, code):
    mall = _mall(request, code)
    filterset = selectors.SurveyResponseFilter(
        request.GET, queryset=selectors.responses_visible(request.user).filter(mall=mall), mall=mall
    )
    filterset.form.fields.pop("mall")
    if csv := filtered_csv(
        request, filterset, f"skm-{mall.code}.csv", selectors.RESPONSE_CSV_COLUMNS
    ):
        return csv
    return render(
        request,
        "surveys/manage/responses.html",
        {"mall": mall, **list_page(request, filterset, 50)},
    )


@login_required
def compliance_page(request, code):
    mall = _mall(request, code)
    now = timezone.now()
    today = now.astimezone(mall.tz).date()
    try:
        period = Period.parse(request.GET.get("period") or "")
    except ValueError:
        period = Period.containing(today, "quarter")
    rows = compliance.services_compliance(mall=mall, period=period, today=today)
    counters = staffing.counters_staffing(
        mall=mall, start=today, end=today + timedelta(days=1), now=now
    )
    return render(
        request,
        "surveys/manage/compliance.html",
        {
            "mall": mall,
            "period": period,
            "rows": rows,
            "staffing": counters,
            "empty": staffing.empty_counters(mall=mall, now=now),
            "pledge": compliance.pledge_status(mall=mall, today=today),
        },
    )


def empty_counters_fragment(request, code):
    """htmx fragment for the compliance page: refreshed every minute."""
    mall = _mall(request, code)
    if not request.user.is_authenticated:
        raise Http404
    return render(
        request,
        "surveys/manage/_empty_counters.html",
        {"mall": mall, "empty": staffing.empty_counters(mall=mall)},
    )


# --- old reports (2004 method) and paper questionnaires ------------------------------------------

LEGACY_SALT = "mpp.surveys.legacy-preview"
LEGACY_PREVIEW_SECONDS = 3600


@login_required
def legacy_reports(request, code):
    """Old SKM reports made with the 2004 method: the list, and the import in two steps —
    upload and preview (every broken row listed, nothing saved), then confirm."""
    mall = _mall(request, code)
    may_import = can_import_legacy(request.user, mall)
    rows = reports.legacy_rows(mall)
    if request.GET.get("format") == "csv":
        return csv_columns_response(f"skm-2004-{mall.code}.csv", selectors.LEGACY_CSV_COLUMNS, rows)
    form = LegacyImportForm(mall=mall)
    preview = None
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        if "payload" in request.POST:
            return _legacy_confirm(request, mall)
        form = LegacyImportForm(request.POST, request.FILES, mall=mall)
        if form.is_valid():
            preview = _legacy_preview(form, mall)
    return render(
        request,
        "surveys/manage/legacy.html",
        {
            "mall": mall,
            "rows": rows,
            "form": form if may_import else None,
            "preview": preview,
        },
    )


def _legacy_preview(form, mall: Mall) -> dict | None:
    data = form.cleaned_data
    upload = data["file"]
    try:
        rows = questionnaires_from_file(name=upload.name, content=upload.read(), method=METHOD_2004)
    except ValidationError as exc:
        _attach(form, exc)
        return None
    if not rows:
        form.add_error("file", _("The file has no questionnaires."))
        return None
    sums = [sum(r[i] for r in rows) for i in range(ELEMENTS[METHOD_2004])]
    period, service = data["period"], data["service"]
    current = SurveyResponse.objects.filter(mall=mall).in_period(period)
    if service:
        current = current.filter(service=service)
    payload = {
        "mall": mall.code,
        "service": service.slug if service else "",
        "period": str(period),
        "respondents": len(rows),
        "sums": sums,
        "reported_ikm": str(data["reported_ikm"]) if data["reported_ikm"] is not None else "",
        "source": upload.name[:200],
    }
    result = ikm_from_sums(respondents=len(rows), element_sums=sums, method=METHOD_2004)
    return {
        "payload": signing.dumps(payload, salt=LEGACY_SALT),
        "elements": list(
            zip(range(1, 15), result.nrr_display, result.weighted_display, strict=True)
        ),
        "period": period,
        "service": service,
        "source": upload.name,
        "result": result,
        "reported_ikm": data["reported_ikm"],
        "current": current.ikm(),
    }


def _legacy_confirm(request, mall: Mall):
    try:
        payload = signing.loads(
            request.POST["payload"], salt=LEGACY_SALT, max_age=LEGACY_PREVIEW_SECONDS
        )
    except signing.BadSignature:
        messages.error(request, _("The preview has expired or was altered: upload the file again."))
        return redirect("surveys:legacy_reports", code=mall.code)
    if payload["mall"] != mall.code:
        raise PermissionDenied
    service = mall.services.filter(slug=payload["service"]).first() if payload["service"] else None
    try:
        report = legacy_report_save(
            mall=mall,
            period=Period.parse(payload["period"]),
            respondents=payload["respondents"],
            element_sums=payload["sums"],
            service=service,
            by=request.user,
            source_name=payload["source"],
            reported_ikm=payload["reported_ikm"] or None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Old report for %(period)s imported: %(n)s questionnaires.")
            % {"period": report.period_label, "n": report.respondents},
        )
    return redirect("surveys:legacy_reports", code=mall.code)


@login_required
def paper_entry(request, code):
    """Staff type in questionnaires collected on paper, one after the other: the service
    and date stay selected for the next form."""
    mall = _mall(request, code)
    if not can_enter_paper_forms(request.user, mall):
        raise PermissionDenied
    initial = {k: request.GET[k] for k in ("service", "collected_on") if request.GET.get(k)}
    form = PaperSurveyForm(request.POST or None, mall=mall, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey_submit(
                scores=form.scores(),
                profile=form.profile(),
                suggestion=data["suggestion"],
                channel=SurveyChannel.PAPER,
                mall=mall,
                service=data["service"],
                collected_on=data["collected_on"],
                by=request.user,
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Paper form saved. Enter the next one."))
            url = reverse("surveys:paper_entry", kwargs={"code": mall.code})
            return redirect(
                f"{url}?service={data['service'].slug}&collected_on={data['collected_on']}"
            )
    entered = SurveyResponse.objects.filter(
        mall=mall,
        channel=SurveyChannel.PAPER,
        entered_by=request.user,
        submitted_at__gte=timezone.now() - timedelta(days=1),
    ).count()
    return render(
        request,
        "surveys/manage/paper.html",
        {"mall": mall, "form": form, "entered": entered},
    )
