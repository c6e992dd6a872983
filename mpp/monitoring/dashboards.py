"""Reads for the dashboards beyond the report itself: weekly trends and a mall's
drill-down (per day, hour, agency and service). Each is a bounded number of queries."""

from collections import Counter as Tally

from django.db.models import Sum

from mpp.registry.models import Mall
from mpp.visits.models import DailyRollup, Ticket

from .models import CountSource, DailySummary, ReportedDailyCount
from .summaries import live_day_numbers, summaries_ensure
from .weeks import IsoWeek


def _reported_by_day(first, last, mall_ids=None) -> dict:
    """{(mall_id, day): visits} from reported counts on mall-days without rollups, daily
    counts winning over event totals (the report's rule)."""
    rows = ReportedDailyCount.objects.filter(local_date__gte=first, local_date__lte=last)
    if mall_ids is not None:
        rows = rows.filter(mall_id__in=mall_ids)
    rows = list(rows.order_by().values("mall_id", "local_date", "source").annotate(n=Sum("issued")))
    if not rows:
        return {}
    queue_days = set(
        DailyRollup.objects.filter(
            mall_id__in={r["mall_id"] for r in rows}, local_date__gte=first, local_date__lte=last
        )
        .order_by()
        .values_list("mall_id", "local_date")
        .distinct()
    )
    chosen = {}
    for row in rows:
        key = (row["mall_id"], row["local_date"])
        if key not in queue_days and (key not in chosen or row["source"] == CountSource.COUNTS):
            chosen[key] = row
    return {key: row["n"] or 0 for key, row in chosen.items()}


def weekly_trend(*, week: IsoWeek, weeks: int = 12, mall_ids=None) -> list[tuple[str, int]]:
    """Visits per week for the `weeks` weeks ending with `week` (all malls, or some):
    closed days from the per-mall-day summaries, open days live."""
    first, last = week.shifted(-(weeks - 1)).monday, week.sunday
    open_from = summaries_ensure(first, last)
    totals = Tally()
    summaries = DailySummary.objects.filter(local_date__gte=first, local_date__lt=open_from)
    if mall_ids is not None:
        summaries = summaries.filter(mall_id__in=mall_ids)
    for day, visits in summaries.order_by().values_list("local_date").annotate(n=Sum("issued")):
        totals[str(IsoWeek.of(day))] += visits or 0
    if open_from <= last:
        for (_mall, day), (_source, values) in live_day_numbers(open_from, last, mall_ids).items():
            totals[str(IsoWeek.of(day))] += values["issued"]
    labels = [str(week.shifted(-i)) for i in reversed(range(weeks))]
    return [(label, totals.get(label, 0)) for label in labels]


def mall_drilldown(*, mall: Mall, week: IsoWeek) -> dict:
    """Daily and hourly visits, per agency and per service, waits and service times."""
    days = week.days()
    rollups = DailyRollup.objects.filter(
        mall=mall, local_date__gte=week.monday, local_date__lte=week.sunday
    )
    daily = dict.fromkeys(days, 0)
    for day, visits in rollups.order_by().values_list("local_date").annotate(n=Sum("issued")):
        daily[day] += visits or 0
    for (_mall, day), visits in _reported_by_day(week.monday, week.sunday, [mall.pk]).items():
        daily[day] += visits
    sums = ["issued", "served", "no_shows", "called", "wait_seconds_sum", "service_seconds_sum"]

    def grouped(*fields):
        rows = rollups.order_by().values(*fields).annotate(**{f: Sum(f) for f in sums})
        result = []
        for row in rows:
            row["avg_wait_minutes"] = (
                round(row["wait_seconds_sum"] / row["called"] / 60, 1) if row["called"] else None
            )
            row["avg_service_minutes"] = (
                round(row["service_seconds_sum"] / row["served"] / 60, 1) if row["served"] else None
            )
            result.append(row)
        return sorted(result, key=lambda r: -r["issued"])

    hourly = Tally()
    zone = mall.tz
    moments = Ticket.objects.filter(
        mall=mall, local_date__gte=week.monday, local_date__lte=week.sunday
    )
    for issued_at in moments.values_list("issued_at", flat=True).iterator(chunk_size=5000):
        hourly[issued_at.astimezone(zone).hour] += 1
    return {
        "daily": [(day, daily[day]) for day in days],
        "hourly": [(hour, hourly.get(hour, 0)) for hour in range(6, 21)],
        "agencies": grouped("agency__short_name"),
        "services": grouped("service__name", "agency__short_name"),
    }


def province_malls(report: dict, code: str) -> list[dict]:
    return [m for m in report["malls"] if m["province_code"] == code]


def colour_scale(values: list[float], steps: int = 5) -> tuple[list[float], callable]:
    """Quantile breaks over `values` and a function value → class 0..steps-1."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return [], lambda value: None
    breaks = [ordered[min(len(ordered) - 1, (len(ordered) * i) // steps)] for i in range(1, steps)]

    def classify(value):
        if value is None:
            return None
        return sum(value >= b for b in breaks)

    return breaks, classify
