"""Reads for the dashboards beyond the report itself: weekly trends and a mall's
drill-down (per day, hour, agency and service). Each is a bounded number of queries."""

import hashlib
from collections import Counter as Tally

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractHour

from mpp.registry.models import Mall
from mpp.visits.models import DailyRollup, Ticket

from .models import DailySummary, MallDayHours
from .summaries import first_open_day, live_day_numbers, summaries_ensure
from .weeks import IsoWeek


def weekly_trend(*, week: IsoWeek, weeks: int = 12, mall_ids=None) -> list[tuple[str, int]]:
    """Visits per week for the `weeks` weeks ending with `week` (all malls, or some):
    closed days from the per-mall-day summaries, open days live.

    A window of closed days only is kept in the cache under the summaries' newest row id:
    any re-summarised day inserts rows with higher ids, so a change is never served stale
    (a day losing all its rows is the exception, bounded by the cache time)."""
    first, last = week.shifted(-(weeks - 1)).monday, week.sunday
    open_from = summaries_ensure(first, last)
    key = None
    if open_from > last and settings.MONITORING_QUALITY_CACHE_SECONDS:
        newest = DailySummary.objects.aggregate(top=Max("pk"))["top"] or 0
        scope = (
            "all"
            if mall_ids is None
            else hashlib.sha1(  # noqa: S324 - a cache key
                ",".join(map(str, sorted(mall_ids))).encode()
            ).hexdigest()
        )
        key = f"monitoring:trend:{week}:{weeks}:{scope}:{newest}"
        kept = cache.get(key)
        if kept is not None:
            return kept
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
    result = [(label, totals.get(label, 0)) for label in labels]
    if key:
        cache.set(key, result, settings.MONITORING_QUALITY_CACHE_SECONDS)
    return result


def _hours_of_days(mall: Mall, days: list) -> dict:
    """{day: [24 counts]} of the mall's visits per local hour: one grouped query in the
    database (the hour taken in the mall's own zone), never a row-by-row conversion."""
    rows = (
        Ticket.objects.filter(mall=mall, local_date__in=days)
        .order_by()
        .annotate(hour=ExtractHour("issued_at", tzinfo=mall.tz))
        .values_list("local_date", "hour")
        .annotate(n=Count("id"))
    )
    result = {day: [0] * 24 for day in days}
    for day, hour, count in rows:
        result[day][hour] = count
    return result


def mall_hours(*, mall: Mall, week: IsoWeek) -> list[int]:
    """Visits per local hour over the week: closed days from their stored summary (made on
    first read), the open day live."""
    open_from = first_open_day()
    closed = [day for day in week.days() if day < open_from]
    live = [day for day in week.days() if day >= open_from]
    stored = dict(
        MallDayHours.objects.filter(mall=mall, local_date__in=closed).values_list(
            "local_date", "hours"
        )
    )
    missing = [day for day in closed if day not in stored]
    if missing:
        made = _hours_of_days(mall, missing)
        MallDayHours.objects.bulk_create(
            [MallDayHours(mall=mall, local_date=day, hours=hours) for day, hours in made.items()],
            ignore_conflicts=True,
        )
        stored |= made
    if live:
        stored |= _hours_of_days(mall, live)
    totals = [0] * 24
    for hours in stored.values():
        for hour, count in enumerate(hours):
            totals[hour] += count
    return totals


def mall_drilldown(*, mall: Mall, week: IsoWeek) -> dict:
    """Daily and hourly visits, per agency and per service, waits and service times: the
    days from the per-mall-day summaries, hours from the per-day hour summaries, agencies
    and services from the rollups. No raw rows for a closed day."""
    days = week.days()
    open_from = summaries_ensure(week.monday, week.sunday)
    daily = dict.fromkeys(days, 0)
    summaries = DailySummary.objects.filter(
        mall=mall, local_date__gte=week.monday, local_date__lt=open_from
    )
    for day, visits in summaries.values_list("local_date", "issued"):
        daily[day] += visits or 0
    if open_from <= week.sunday:
        for (_mall, day), (_source, values) in live_day_numbers(
            max(open_from, week.monday), week.sunday, [mall.pk]
        ).items():
            daily[day] += values["issued"]
    rollups = DailyRollup.objects.filter(
        mall=mall, local_date__gte=week.monday, local_date__lte=week.sunday
    )
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

    hourly = mall_hours(mall=mall, week=week)
    return {
        "daily": [(day, daily[day]) for day in days],
        "hourly": [(hour, hourly[hour]) for hour in range(6, 21)],
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
