"""One summary row per mall and closed local day, so the weekly report and the trends read
at most malls × days rows, however many visits there were (decision 0009).

A day is *closed* once it has ended in every Indonesian zone, i.e. before today in Jakarta
(UTC+7 ends its day last). Closed days are read from `DailySummary`; the open days (today,
and tomorrow in the east) are read live from the rollups and reported counts, a few rows.

Keeping summaries exact without touching the queue's hot path:
- A day is summarised the first time a report needs it (`summaries_ensure`).
- Each summarised day remembers the highest rollup id at that moment. `rollups_rebuild` and
  late rows (a ticket finished after midnight for a new service-day) insert rows with
  higher ids; `summaries_ensure` finds them with one range read on the primary key (rows
  added since the last check only: the marks of unchanged days are raised as it goes) and
  rebuilds those days before the report reads them.
- Our own ingest paths (daily counts, visit events, uploads) rebuild the mall-days they
  touch in the same transaction.
- In-place changes to an existing rollup row of a past day (a ticket closed after midnight,
  a correction) are caught by `refresh_monitoring_summaries`, run as `--loop` (hourly by
  default), which rebuilds the last seven closed days (or any range with `--since`).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from mpp.visits.models import DailyRollup
from mpp.visits.rollups import ROLLUP_COUNT_FIELDS

from .models import CountSource, DailySummary, ReportedDailyCount, SummaryDay
from .weeks import JAKARTA

# A summary sums the rollups' counters (wait buckets stay in the rollups) and adds two
# denominators of its own: visits with a measured service time, visits judged against a
# standard (reported counts may carry fewer figures than the queue).
ROLLUP_SUMS = ROLLUP_COUNT_FIELDS
SUMMARY_FIELDS = [*ROLLUP_SUMS, "service_timed", "standard_checked"]


def first_open_day(now=None) -> date:
    """The first local day that may still change: today in Jakarta. Earlier days are over
    in every zone of Indonesia."""
    return (now or timezone.now()).astimezone(JAKARTA).date()


def live_day_numbers(first: date, last: date, mall_ids=None) -> dict[tuple, tuple[str, dict]]:
    """{(mall_id, day): (source, numbers)} computed from the rollups and reported counts.

    Source rule: a mall-day with rollups is the queue's; otherwise the mall's reported daily
    counts, or else the totals of its visit events. Never both, so nothing is counted twice.
    With MONITORING_QUEUE_COUNTS_WINNER = "counts", reported counts win over the queue.
    """
    counts_win = settings.MONITORING_QUEUE_COUNTS_WINNER == "counts"
    rollups = DailyRollup.objects.filter(local_date__gte=first, local_date__lte=last)
    reported = ReportedDailyCount.objects.filter(local_date__gte=first, local_date__lte=last)
    if mall_ids is not None:
        rollups = rollups.filter(mall_id__in=mall_ids)
        reported = reported.filter(mall_id__in=mall_ids)
    result: dict[tuple, tuple[str, dict]] = {}
    rows = (
        rollups.order_by()
        .values("mall_id", "local_date")
        .annotate(**{name: Sum(name) for name in ROLLUP_SUMS})
    )
    for row in rows:
        numbers = {name: row[name] or 0 for name in ROLLUP_SUMS}
        # Every rollup-served visit has a service time and is checked against the standard.
        numbers["service_timed"] = numbers["standard_checked"] = numbers["served"]
        result[(row["mall_id"], row["local_date"])] = ("queue", numbers)
    rows = (
        reported.order_by()
        .values("mall_id", "local_date", "source")
        .annotate(**{name: Sum(name) for name in SUMMARY_FIELDS})
    )
    for row in rows:
        key = (row["mall_id"], row["local_date"])
        if key in result:
            held = result[key][0]
            if row["source"] != CountSource.COUNTS or (held == "queue" and not counts_win):
                continue
        result[key] = (row["source"], {name: row[name] or 0 for name in SUMMARY_FIELDS})
    return result


def _days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@transaction.atomic
def summaries_refresh(*, days, mall_ids=None, now=None) -> list[date]:
    """Rebuild the summaries of the closed days among `days` (all malls), or only of the
    given malls on days already summarised (what ingest calls). Returns the days done."""
    open_from = first_open_day(now)
    days = sorted({day for day in days if day < open_from})
    if mall_ids is not None and days:
        days = sorted(
            SummaryDay.objects.filter(local_date__in=days).values_list("local_date", flat=True)
        )
    if not days:
        return []
    # Read the mark before the rollups: a row added meanwhile has a higher id and is seen.
    seen_id = DailyRollup.objects.aggregate(top=Max("pk"))["top"] or 0
    wanted = set(days)
    numbers = {
        key: value
        for key, value in live_day_numbers(days[0], days[-1], mall_ids).items()
        if key[1] in wanted
    }
    old = DailySummary.objects.filter(local_date__in=days)
    if mall_ids is not None:
        old = old.filter(mall_id__in=mall_ids)
    old.delete()
    DailySummary.objects.bulk_create(
        [
            DailySummary(mall_id=mall_id, local_date=day, source=source, **values)
            for (mall_id, day), (source, values) in numbers.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["local_date", "mall"],
        update_fields=["source", *SUMMARY_FIELDS],
    )
    if mall_ids is None:
        SummaryDay.objects.bulk_create(
            [SummaryDay(local_date=day, rollup_seen_id=seen_id) for day in days],
            update_conflicts=True,
            unique_fields=["local_date"],
            update_fields=["rollup_seen_id", "refreshed_at"],
        )
    return days


def summaries_ensure(first: date, last: date, now=None) -> date:
    """Make the summaries of the closed days in [first, last] current: days never
    summarised, or with rollup rows newer than their mark, are summarised now.
    Returns the first open day (read live by the caller)."""
    open_from = first_open_day(now)
    closed_last = min(last, open_from - timedelta(days=1))
    if closed_last < first:
        return open_from
    marks = dict(
        SummaryDay.objects.filter(local_date__gte=first, local_date__lte=closed_last).values_list(
            "local_date", "rollup_seen_id"
        )
    )
    days = _days_between(first, closed_last)
    stale = {day for day in days if day not in marks}
    if marks:
        lowest = min(marks.values())
        seen = DailyRollup.objects.aggregate(top=Max("pk"))["top"] or 0
        if seen > lowest:
            newer = (
                DailyRollup.objects.filter(
                    pk__gt=lowest, pk__lte=seen, local_date__gte=first, local_date__lte=closed_last
                )
                .order_by()
                .values_list("local_date")
                .annotate(top=Max("pk"))
            )
            stale |= {day for day, top in newer if top > marks.get(day, 0)}
            # Every row up to `seen` of the other days is in their summaries: raise their
            # marks, so the next check reads only rows added after this one.
            SummaryDay.objects.filter(
                local_date__in=[day for day in marks if day not in stale], rollup_seen_id__lt=seen
            ).update(rollup_seen_id=seen)
    if stale:
        summaries_refresh(days=stale, now=now)
    return open_from


def summaries_refresh_recent(
    *, since: date | None = None, days: int = 7, now=None, progress=None
) -> list[date]:
    """Rebuild every closed day from `since` (default: the last `days` closed days).
    `progress(text)`, if given, hears after every four weeks."""
    open_from = first_open_day(now)
    since = since or open_from - timedelta(days=days)
    if since >= open_from:
        return []
    every = _days_between(since, open_from - timedelta(days=1))
    done = []
    for start in range(0, len(every), 28):  # four weeks per transaction
        done += summaries_refresh(days=every[start : start + 28], now=now)
        if progress and done:
            progress(f"{len(done)} of {len(every)} days summarised (up to {done[-1]})")
    return done
