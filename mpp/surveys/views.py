"""Pages: the survey (ticket link, kiosk), complaints and their tracking, the IKM table,
the SKM report, a mall's quality page and scorecards; the staff pages for complaints,
responses and compliance. Thin: parse → access → one service or query → render."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.registry.access import access_mall
from mpp.registry.models import Mall, MallStatus
from mpp.visits.models import DailyRollup, TicketStatus

from . import compliance, reports
from .access import access_complaint, can_handle_complaints
from .forms import (
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintUpdateForm,
    IkmFilterForm,
    SurveyForm,
    TrackForm,
    default_period,
)
from .ikm import Period, krejcie_morgan
from .models import ELEMENT_FIELDS, Complaint, ComplaintChannel, SurveyChannel, SurveyResponse
from .services import complaint_file, complaint_update, survey_submit, ticket_for_survey


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _csv(filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


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
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_submit(
                scores=form.scores(),
                profile=form.profile(),
                suggestion=form.cleaned_data["suggestion"],
                channel=SurveyChannel.TICKET_LINK,
                ticket=ticket,
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


def _open_mall(code) -> Mall:
    return get_object_or_404(Mall, code=code, status=MallStatus.OPEN)


def mall_survey(request, code):
    """Kiosk or QR at the exit: pick the service you used."""
    mall = _open_mall(code)
    services = mall.services.filter(is_active=True).select_related("agency")
    return render(
        request,
        "surveys/survey_pick.html",
        {"mall": mall, "services": services, "channel": request.GET.get("channel", "")},
    )


def mall_service_survey(request, code, slug):
    mall = _open_mall(code)
    service = get_object_or_404(mall.services, slug=slug, is_active=True)
    channel = request.GET.get("channel", "")
    if channel not in (SurveyChannel.KIOSK, SurveyChannel.COUNTER_TABLET):
        channel = SurveyChannel.KIOSK
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
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("surveys:thanks", code=mall.code)
    return render(
        request, "surveys/survey_form.html", {"form": form, "mall": mall, "service": service}
    )


def thanks(request, code):
    mall = get_object_or_404(Mall, code=code)
    return render(request, "surveys/survey_thanks.html", {"mall": mall})


# --- complaints (public) ----------------------------------------------------------------------


def complaint_new(request, code):
    mall = _open_mall(code)
    form = ComplaintForm(request.POST or None, mall=mall)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel = ComplaintChannel.KIOSK if request.GET.get("kiosk") else ComplaintChannel.WEB
        try:
            complaint = complaint_file(mall=mall, channel=channel, by=request.user, **data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("surveys:complaint_status", code=complaint.tracking_code)
    return render(request, "surveys/complaint_new.html", {"form": form, "mall": mall})


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
        },
    )


# --- IKM, reports, quality pages (public) ------------------------------------------------------


def _ikm_scope(data):
    responses = SurveyResponse.objects.all()
    rollups = DailyRollup.objects.all()
    for field, lookup in [
        ("province", "mall__province"),
        ("mall", "mall"),
        ("agency", "agency"),
    ]:
        if data.get(field):
            responses = responses.filter(**{lookup: data[field]})
            rollups = rollups.filter(**{lookup: data[field]})
    return responses, rollups


def ikm_table(request):
    form = IkmFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    period = data.get("period") or Period.parse(default_period())
    group = data.get("group") or "mall"
    weights = data.get("weights") or "exact"
    responses, rollups = _ikm_scope(data)
    rows = reports.ikm_rows(
        responses=responses, rollups=rollups, period=period, group=group, weight_mode=weights
    )
    total = responses.in_period(period).ikm(weight_mode=weights)
    if request.GET.get("format") == "csv":
        return _csv(
            f"ikm-{period}-{group}.csv",
            [
                "unit",
                "respondents",
                *[f.upper() for f in ELEMENT_FIELDS],
                "ikm",
                "grade",
                "label",
                "sample_target",
            ],
            (
                [
                    r["name"],
                    r["result"].respondents,
                    *r["result"].nrr_display,
                    r["result"].ikm,
                    r["result"].grade.letter,
                    r["result"].grade.label,
                    r["sample_target"],
                ]
                for r in rows
            ),
        )
    return render(
        request,
        "surveys/ikm_table.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "period": period,
            "group": group,
            "query": request.GET.urlencode(),
        },
    )


def skm_report(request):
    """The standard report for a mall (optionally one service or agency) and period."""
    form = IkmFilterForm(request.GET or None)
    if not form.is_valid() or not form.cleaned_data.get("mall"):
        return render(request, "surveys/report_pick.html", {"form": form}, status=200)
    data = form.cleaned_data
    mall = data["mall"]
    period = data["period"]
    responses = SurveyResponse.objects.filter(mall=mall)
    rollups = DailyRollup.objects.filter(mall=mall)
    unit = mall.name
    service_slug = request.GET.get("service", "")
    if service_slug:
        service = get_object_or_404(mall.services, slug=service_slug)
        responses, rollups = responses.filter(service=service), rollups.filter(service=service)
        unit = f"{service.name} — {service.agency}, {mall.name}"
    elif data.get("agency"):
        responses = responses.filter(agency=data["agency"])
        rollups = rollups.filter(agency=data["agency"])
        unit = f"{data['agency']}, {mall.name}"
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
    if fmt == "xlsx":
        response = HttpResponse(
            reports.skm_report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(reports.skm_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    return render(
        request, "surveys/report.html", {"report": report, "query": request.GET.urlencode()}
    )


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
        return _csv(
            f"kualitas-{mall.code}-{period}.csv",
            [
                "service",
                "agency",
                "standard_complete",
                "served",
                "within_standard_pct",
                "respondents",
                "sample_target",
                "ikm",
                "grade",
            ],
            (
                [
                    r.service.name,
                    r.service.agency,
                    not r.missing,
                    r.served,
                    r.time_share,
                    r.respondents,
                    r.sample_target,
                    r.ikm.ikm if r.ikm else "",
                    r.ikm.grade.letter if r.ikm else "",
                ]
                for r in services
            ),
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
        return _csv(
            f"kartu-kinerja-{period}.csv",
            [
                "mall",
                "province",
                "served",
                "within_standard_pct",
                "respondents",
                "ikm",
                "grade",
                "complaints",
                "complaints_in_time_pct",
            ],
            (
                [
                    r["mall"].code,
                    r["mall"].province,
                    r["served"],
                    r["time_share"],
                    r["respondents"],
                    r["ikm"] or "",
                    r["grade"].letter if r["grade"] else "",
                    r["complaints"],
                    r["complaints_in_time_share"],
                ]
                for r in rows
            ),
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


def filtered_complaints(params, complaints):
    form = ComplaintFilterForm(params)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            complaints = complaints.filter(status=data["status"])
        if data["category"]:
            complaints = complaints.filter(category=data["category"])
        if data["overdue"]:
            complaints = complaints.filter(first_answered_on__isnull=True).filter(
                due_on__lt=timezone.localdate()
            )
        if data["q"]:
            q = data["q"].strip().upper()
            complaints = complaints.filter(tracking_code__icontains=q) | complaints.filter(
                lapor_number__icontains=q
            )
    return form, complaints


@login_required
def complaint_list(request, code):
    mall = _mall(request, code)
    complaints = Complaint.objects.filter(mall=mall).select_related("agency", "service")
    form, complaints = filtered_complaints(request.GET, complaints)
    if request.GET.get("format") == "csv":
        return _csv(
            f"pengaduan-{mall.code}.csv",
            [
                "tracking_code",
                "received_on",
                "category",
                "agency",
                "service",
                "status",
                "due_on",
                "first_answered_on",
                "lapor_number",
            ],
            (
                [
                    c.tracking_code,
                    c.received_on,
                    c.category,
                    c.agency or "",
                    c.service or "",
                    c.status,
                    c.due_on,
                    c.first_answered_on or "",
                    c.lapor_number,
                ]
                for c in complaints
            ),
        )
    page = Paginator(complaints, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveys/manage/complaints.html",
        {
            "mall": mall,
            "form": form,
            "page": page,
            "query": query.urlencode(),
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
    responses = SurveyResponse.objects.filter(mall=mall).select_related("service", "agency")
    try:
        period = Period.parse(request.GET.get("period") or "")
        responses = responses.in_period(period)
    except ValueError:
        period = None
    if request.GET.get("service"):
        responses = responses.filter(service__slug=request.GET["service"])
    if request.GET.get("format") == "csv":
        return _csv(
            f"skm-{mall.code}.csv",
            [
                "local_date",
                "service",
                "channel",
                *[f.upper() for f in ELEMENT_FIELDS],
                "age_band",
                "sex",
                "education",
                "occupation",
                "suggestion",
            ],
            (
                [
                    r.local_date,
                    r.service.slug,
                    r.channel,
                    *r.scores,
                    r.age_band,
                    r.sex,
                    r.education,
                    r.occupation,
                    r.suggestion,
                ]
                for r in responses
            ),
        )
    page = Paginator(responses, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveys/manage/responses.html",
        {
            "mall": mall,
            "page": page,
            "period": period,
            "services": mall.services.all(),
            "query": query.urlencode(),
        },
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
    staffing = compliance.counters_staffing(
        mall=mall, start=today, end=today + timedelta(days=1), now=now
    )
    return render(
        request,
        "surveys/manage/compliance.html",
        {
            "mall": mall,
            "period": period,
            "rows": rows,
            "staffing": staffing,
            "empty": compliance.empty_counters(mall=mall, now=now),
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
        {"mall": mall, "empty": compliance.empty_counters(mall=mall)},
    )
