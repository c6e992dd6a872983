"""The gauges a mall and the ministry watch, computed from the database at each scrape of
/metrics (mpp.core.health): tickets waiting and the oldest wait per mall, open counters,
notifications pending, summary lag, ingest rows per minute, face checks and refusals."""

from datetime import timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from mpp.citizens.models import FaceCheck
from mpp.core.health import metrics_source
from mpp.visits.health import outbox_lag_seconds
from mpp.visits.models import (
    CounterSession,
    CounterSessionStatus,
    Notification,
    NotificationStatus,
    Ticket,
    TicketStatus,
)

from .models import SummaryDay, VisitEvent
from .summaries import first_open_day

INGEST_WINDOW = timedelta(minutes=5)


def _gauge(name: str, documentation: str, labels=()):
    return GaugeMetricFamily(name, documentation, labels=list(labels))


@metrics_source
def queue_metrics():
    now = timezone.now()
    waiting = _gauge("mpp_tickets_waiting", "Tickets waiting, per mall.", ["mall"])
    oldest = _gauge(
        "mpp_oldest_waiting_ticket_age_seconds",
        "Age of the oldest waiting ticket (since it joined the queue), per mall.",
        ["mall"],
    )
    rows = (
        Ticket.objects.filter(status=TicketStatus.WAITING)
        .values("mall__code")
        .annotate(n=Count("id"), first=Min("queued_at"))
    )
    for row in rows:
        waiting.add_metric([row["mall__code"]], row["n"])
        oldest.add_metric([row["mall__code"]], max(0.0, (now - row["first"]).total_seconds()))
    counters = _gauge(
        "mpp_counters_open", "Counters staffed now (open sessions), per mall.", ["mall"]
    )
    for row in (
        CounterSession.objects.filter(status=CounterSessionStatus.OPEN)
        .values("counter__mall__code")
        .annotate(n=Count("id"))
    ):
        counters.add_metric([row["counter__mall__code"]], row["n"])
    pending = _gauge("mpp_notifications_pending", "Notifications not yet sent (due or later).")
    pending.add_metric([], Notification.objects.filter(status=NotificationStatus.PENDING).count())
    lag = _gauge("mpp_outbox_lag_seconds", "How long the oldest due notification has waited.")
    lag.add_metric([], outbox_lag_seconds(now))
    yield from (waiting, oldest, counters, pending, lag)


@metrics_source
def report_metrics():
    now = timezone.now()
    latest = SummaryDay.objects.aggregate(day=Max("local_date"), at=Max("refreshed_at"))
    lag_days = _gauge(
        "mpp_summary_lag_days",
        "Closed days not yet summarised for the weekly report (0: up to yesterday).",
    )
    yesterday = first_open_day(now) - timedelta(days=1)
    if latest["day"]:
        lag_days.add_metric([], max(0, (yesterday - latest["day"]).days))
    refreshed = _gauge(
        "mpp_summary_refreshed_age_seconds", "Seconds since the summaries were last rebuilt."
    )
    if latest["at"]:
        refreshed.add_metric([], (now - latest["at"]).total_seconds())
    ingest = _gauge(
        "mpp_ingest_rows_per_minute",
        "Visit events received from other queue systems per minute (last 5 minutes).",
    )
    received = VisitEvent.objects.filter(received_at__gte=now - INGEST_WINDOW).count()
    ingest.add_metric([], received / (INGEST_WINDOW.total_seconds() / 60))
    yield from (lag_days, refreshed, ingest)


@metrics_source
def face_metrics():
    since = timezone.now() - timedelta(hours=24)
    checks = _gauge(
        "mpp_face_checks_24h",
        "Face checks in the last 24 hours per mall, by result (verified, refused, open).",
        ["mall", "result"],
    )
    rows = (
        FaceCheck.objects.filter(created_at__gte=since)
        .values("mall__code")
        .annotate(
            verified=Count("id", filter=Q(verified_at__isnull=False)),
            refused=Count("id", filter=Q(verified_at__isnull=True) & ~Q(reason="")),
            total=Count("id"),
        )
    )
    for row in rows:
        open_checks = row["total"] - row["verified"] - row["refused"]
        for result, value in (
            ("verified", row["verified"]),
            ("refused", row["refused"]),
            ("open", open_checks),
        ):
            checks.add_metric([row["mall__code"], result], value)
    yield checks
