"""Dashboards (national, province, mall), the map, exports, open data, the count upload,
system tokens and the weekly e-mail subscription. Views stay thin: access → read → render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.core.exports import csv_attachment, csv_dict_writer, csv_response
from mpp.core.replica import replica_reads
from mpp.registry.access import can_edit_mall
from mpp.registry.models import Mall, Province
from mpp.visits.models import Device, DeviceKind

from .access import access_mall_numbers, access_national, can_report_counts
from .charts import bars_svg
from .dashboards import mall_drilldown, province_malls, weekly_trend
from .exports import CONTENT_TYPES, report_csv, report_csv_data, report_render
from .forms import UploadForm
from .ingest import IngestError
from .maps import map_svg
from .models import (
    CountUpload,
    DeliveryStatus,
    NationalPush,
    ReportDelivery,
    ReportSubscription,
)
from .opendata import LICENSE_NAME, LICENSE_URL, OPEN_COLUMNS, open_data_metadata, open_data_rows
from .report import ReportOptions, weekly_report_build
from .services import (
    UPLOAD_COLUMNS,
    count_upload_commit,
    count_upload_prepare,
    subscription_set,
    system_token_issue,
    system_token_revoke,
)
from .weeks import IsoWeek

TREND_WEEKS = 52  # the history on the national, province and mall pages (from summaries)


def _week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except ValidationError:
        raise Http404(_("No such week.")) from None


def _week_nav(week: IsoWeek) -> dict:
    latest = IsoWeek.last_complete()
    return {
        "week": week,
        "previous_week": week.previous(),
        "next_week": week.next() if week < latest else None,
        "latest_week": latest,
        "current_week": latest.next(),
    }


def _current_ok(request) -> bool:
    """The running week is shown only when asked for (`?current=1`), as provisional."""
    return request.GET.get("current") == "1"


def _refused(request, error: ValidationError):
    """A week that cannot be reported (not started, or running and not asked for): the
    reason on the latest complete week's page."""
    for message in error.message_dict.get("week", error.messages):
        messages.error(request, message)
    return redirect("monitoring:national", week=str(IsoWeek.last_complete()))


@login_required
def home(request):
    access_national(request.user)
    return redirect("monitoring:national", week=str(IsoWeek.last_complete()))


@login_required
@replica_reads
def national(request, week):
    access_national(request.user)
    if "week" in request.GET:  # the week picker
        try:
            picked = IsoWeek.parse(request.GET["week"])
        except ValidationError:
            messages.error(request, _("No such week: write it as YYYY-Www, e.g. 2025-W23."))
        else:
            return redirect("monitoring:national", week=str(picked))
    week = _week(week)
    try:
        report = weekly_report_build(
            week=week, options=ReportOptions(current_ok=_current_ok(request))
        )
    except ValidationError as error:
        return _refused(request, error)
    trend = weekly_trend(week=week, weeks=TREND_WEEKS)
    chart = {
        "trend": {"labels": [w for w, _ in trend], "values": [v for _, v in trend]},
        "top": {
            "labels": [m["region"] for m in report["top20"]],
            "values": [m["visits"] for m in report["top20"]],
        },
        "bottom": {
            "labels": [m["region"] for m in report["lowest"]],
            "values": [m["visits"] for m in report["lowest"]],
        },
    }
    return render(
        request,
        "monitoring/national.html",
        {
            "report": report,
            "chart": chart,
            "subscribed": ReportSubscription.objects.filter(
                user=request.user, is_active=True
            ).exists(),
            **_week_nav(week),
        },
    )


@login_required
@replica_reads
def export(request, week, fmt):
    access_national(request.user)
    if fmt not in CONTENT_TYPES or fmt == "table":
        raise Http404
    week = _week(week)
    try:
        report = weekly_report_build(
            week=week, options=ReportOptions(current_ok=_current_ok(request))
        )
    except ValidationError as error:
        return HttpResponse(
            " ".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    # The reader's language (their setting or browser), or `?lang=en` / `?lang=id`.
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        content = report_render(report, fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = "data-mingguan-mpp" if fmt == "data.csv" else "laporan-mingguan-mpp"
    extension = "csv" if fmt == "data.csv" else fmt
    response["Content-Disposition"] = f'attachment; filename="{name}-{week}.{extension}"'
    return response


@login_required
@replica_reads
def province(request, week, code):
    access_national(request.user)
    week = _week(week)
    region = get_object_or_404(Province, code=code)
    try:
        report = weekly_report_build(
            week=week, options=ReportOptions(current_ok=_current_ok(request))
        )
    except ValidationError as error:
        return _refused(request, error)
    malls = province_malls(report, code)
    if request.GET.get("format") in ("csv", "data.csv"):
        # `csv` for people (the reader's language), `data.csv` for systems (machine names).
        writer = report_csv_data if request.GET["format"] == "data.csv" else report_csv
        response = HttpResponse(
            writer({"week": report["week"], "malls": malls}), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="laporan-mingguan-{week}-provinsi-{code}.csv"'
        )
        return response
    summary = next((p for p in report["provinces"] if p["code"] == code), None)
    trend = weekly_trend(
        week=week,
        weeks=TREND_WEEKS,
        mall_ids=list(Mall.objects.filter(province=region).values_list("pk", flat=True)),
    )
    return render(
        request,
        "monitoring/province.html",
        {
            "province": region,
            "malls": malls,
            "summary": summary,
            "trend": {"labels": [w for w, _ in trend], "values": [v for _, v in trend]},
            "bars": bars_svg(
                [(m["region"], m["visits"]) for m in malls], width=640, bar=14, label_width=220
            ),
            **_week_nav(week),
        },
    )


@login_required
@replica_reads
def mall_detail(request, week, code):
    mall = access_mall_numbers(
        request.user,
        get_object_or_404(Mall.objects.select_related("province", "regency"), code=code),
    )
    week = _week(week)
    drill = mall_drilldown(mall=mall, week=week)
    if request.GET.get("format") == "csv":
        columns = ["issued", "served", "no_shows", "avg_wait_minutes", "avg_service_minutes"]
        return csv_response(
            f"layanan-{mall.code}-{week}.csv",
            ["week", "mall", "service", "agency", *columns],
            (
                [week, mall.code, row["service__name"], row["agency__short_name"]]
                + ["" if row[c] is None else row[c] for c in columns]
                for row in drill["services"]
            ),
        )
    chart = {
        "daily": {
            "labels": [d.isoformat() for d, _ in drill["daily"]],
            "values": [v for _, v in drill["daily"]],
        },
        "hourly": {
            "labels": [f"{h:02d}" for h, _ in drill["hourly"]],
            "values": [v for _, v in drill["hourly"]],
        },
    }
    trend = weekly_trend(week=week, weeks=TREND_WEEKS, mall_ids=[mall.pk])
    chart["trend"] = {"labels": [w for w, _ in trend], "values": [v for _, v in trend]}
    return render(
        request,
        "monitoring/mall.html",
        {
            "mall": mall,
            "drill": drill,
            "chart": chart,
            "peers": _mall_peers(mall, week),
            **_week_nav(week),
        },
    )


def _mall_peers(mall: Mall, week: IsoWeek) -> dict | None:
    """The mall against its peer group (same population band and mall age) this week."""
    try:
        report = weekly_report_build(
            week=week, options=ReportOptions(quality=False, trend_weeks=0, current_ok=True)
        )
    except ValidationError:
        return None
    entry = next((m for m in report["malls"] if m["code"] == mall.code), None)
    if entry is None or not entry["peer_group"]:
        return None
    peers = [
        m
        for m in report["malls"]
        if m["peer_group"] == entry["peer_group"] and m["visits"] is not None
    ]
    return {
        "entry": entry,
        "malls": sorted(peers, key=lambda m: (-(m["visits"] or 0), m["code"])),
    }


@login_required
@replica_reads
def map_view(request, week):
    access_national(request.user)
    week = _week(week)
    try:
        report = weekly_report_build(
            week=week, options=ReportOptions(quality=False, current_ok=_current_ok(request))
        )
    except ValidationError as error:
        return _refused(request, error)
    return render(
        request,
        "monitoring/map.html",
        {"map": map_svg(report), "report": report, **_week_nav(week)},
    )


# Open data ----------------------------------------------------------------------------------


def open_data(request):
    latest = IsoWeek.last_complete()
    weeks = [latest.shifted(-i) for i in range(12)]
    return render(
        request,
        "monitoring/open_data.html",
        {"weeks": weeks, "license_name": LICENSE_NAME, "license_url": LICENSE_URL},
    )


def _license_link(response, week: IsoWeek):
    meta = reverse("monitoring:open_data_metadata", args=[str(week)])
    response["Link"] = f'<{LICENSE_URL}>; rel="license", <{meta}>; rel="describedby"'
    return response


@replica_reads
def open_data_metadata_file(request, week):
    week = _week(week)
    if week > IsoWeek.last_complete():
        return JsonResponse({"detail": _("Open data covers complete weeks only.")}, status=400)
    data = open_data_metadata(week=week, base_url=request.build_absolute_uri("/")[:-1])
    return _license_link(
        JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2}), week
    )


@replica_reads
def open_data_file(request, week, fmt):
    week = _week(week)
    try:
        rows = open_data_rows(week=week)
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages)}, status=400)
    if fmt == "json":
        return _license_link(
            JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False}), week
        )
    if fmt != "csv":
        raise Http404
    response = csv_attachment(f"kunjungan-mpp-{week}.csv")
    writer = csv_dict_writer(response, fieldnames=OPEN_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return _license_link(response, week)


# Reporting from other systems ---------------------------------------------------------------


@login_required
def upload(request):
    if not can_report_counts(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": UPLOAD_COLUMNS}
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            pending, rows = count_upload_prepare(
                user=request.user, name=file.name, content=file.read()
            )
        except IngestError as error:
            context["errors"] = error.errors
            return render(request, "monitoring/upload.html", context, status=400)
        preview = [[row.get(c) for c in context["columns"]] for row in rows[:50]]
        context |= {"pending": pending, "preview": preview, "total": len(rows)}
    return render(request, "monitoring/upload.html", context)


@login_required
@require_POST
def upload_commit(request, pk):
    pending = get_object_or_404(CountUpload, pk=pk, uploaded_by=request.user)
    try:
        stored = count_upload_commit(upload=pending, user=request.user)
    except IngestError as error:
        return render(
            request,
            "monitoring/upload.html",
            {"form": UploadForm(), "errors": error.errors},
            status=400,
        )
    messages.success(request, _("%(n)s rows stored.") % {"n": stored})
    return redirect("monitoring:upload")


@login_required
def tokens(request, code):
    mall = get_object_or_404(Mall, code=code)
    if not can_edit_mall(request.user, mall):
        raise PermissionDenied
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            device = get_object_or_404(
                Device, pk=request.POST["revoke"], mall=mall, kind=DeviceKind.SYSTEM
            )
            system_token_revoke(device=device, by=request.user)
            messages.success(request, _("Token revoked."))
            return redirect("monitoring:tokens", code=code)
        name = (request.POST.get("name") or "").strip() or _("Queue system")
        _device, new_token = system_token_issue(mall=mall, name=name, by=request.user)
    devices = Device.objects.filter(mall=mall, kind=DeviceKind.SYSTEM).order_by("-created_at")
    return render(
        request,
        "monitoring/tokens.html",
        {
            "mall": mall,
            "devices": devices,
            "new_token": new_token,
            # This instance's reporting of the mall to the national one (federation).
            "push": NationalPush.objects.filter(mall=mall).first(),
            "pushing": mall.code in settings.NATIONAL_PUSH_TOKENS,
        },
    )


@login_required
def subscription(request):
    """The analyst's own subscription: its state, the weeks sent, and the switch."""
    access_national(request.user)
    if request.method == "POST":
        active = request.POST.get("active") == "1"
        subscription_set(user=request.user, active=active)
        messages.success(
            request,
            _("You will receive the weekly report every Monday at 08:00 WIB.")
            if active
            else _("Subscription stopped."),
        )
        target = request.POST.get("next") or ""
        return redirect(target if target.startswith("/monitoring/") else reverse("monitoring:home"))
    mine = ReportSubscription.objects.filter(user=request.user).first()
    deliveries = mine.deliveries.order_by("-week") if mine else ReportDelivery.objects.none()
    status = request.GET.get("status") or ""
    if status:
        deliveries = deliveries.filter(status=status)
    if request.GET.get("format") == "csv":
        return csv_response(
            "weekly-report-deliveries.csv",
            ["week", "status", "claimed_at", "sent_at", "attempts"],
            (
                [d.week, d.status, d.claimed_at.isoformat()]
                + [d.sent_at.isoformat() if d.sent_at else "", d.attempts]
                for d in deliveries
            ),
        )
    return render(
        request,
        "monitoring/subscription.html",
        {
            "subscription": mine,
            "deliveries": deliveries[:52],
            "status": status,
            "statuses": DeliveryStatus.choices,
            "email": request.user.email,
        },
    )
