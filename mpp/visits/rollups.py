"""Daily rollups per mall × service × local day: bumped in the same transaction as every
ticket state change, and rebuildable from the tickets."""

from datetime import date

from django.db import connection, transaction
from django.db.models import F

from mpp.registry.models import CompletionUnit, ServiceStandard, standard_in_force

from .models import DailyRollup, Ticket, TicketStatus, wait_bucket_field

MINUTES_PER_UNIT = {CompletionUnit.MINUTES: 1, CompletionUnit.HOURS: 60}


def rollup_bump(ticket: Ticket, **deltas: int) -> int | None:
    """Add `deltas` (field → amount) to the ticket's rollup row, creating it if needed.

    Growth is one upsert statement (the hot path: every issued ticket), which answers the
    row's `issued` after it (the daily cap's bound); a correction with negative amounts
    updates the row the earlier state already created (and answers None)."""
    deltas = {field: amount for field, amount in deltas.items() if amount}
    if not deltas:
        return None
    if min(deltas.values()) < 0:
        DailyRollup.objects.filter(
            mall_id=ticket.mall_id, service_id=ticket.service_id, local_date=ticket.local_date
        ).update(**{field: F(field) + amount for field, amount in deltas.items()})
        return None
    ops = connection.ops
    table = ops.quote_name(DailyRollup._meta.db_table)
    fields = list(deltas)
    columns = ["mall_id", "service_id", "agency_id", "local_date", *ROLLUP_FIELDS]
    values = [ticket.mall_id, ticket.service_id, ticket.agency_id]
    values += [ops.adapt_datefield_value(ticket.local_date)]
    values += [deltas.get(field, 0) for field in ROLLUP_FIELDS]
    updates = ", ".join(
        f"{ops.quote_name(f)} = {table}.{ops.quote_name(f)} + EXCLUDED.{ops.quote_name(f)}"
        for f in fields
    )
    with connection.cursor() as cursor:
        cursor.execute(
            # Identifiers come from the model; values are parameters.
            f"INSERT INTO {table} ({', '.join(ops.quote_name(c) for c in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT (mall_id, service_id, local_date) DO UPDATE SET {updates} "
            f"RETURNING {ops.quote_name('issued')}",
            values,
        )
        return cursor.fetchone()[0]


def within_standard(ticket: Ticket, limit_minutes: int | None) -> bool:
    """Same-day services: queue to finish within the standard's time. Services measured in
    days are within the standard when handled the same day."""
    if limit_minutes is None:
        return True
    total = (ticket.finished_at - ticket.queued_at).total_seconds()
    return total <= limit_minutes * 60


def limit_minutes_of(standard) -> int | None:
    """The standard's completion time in minutes, for same-day services; else None."""
    if standard is None or standard.completion_time_unit not in MINUTES_PER_UNIT:
        return None
    return standard.completion_time_value * MINUTES_PER_UNIT[standard.completion_time_unit]


class StandardLimits:
    """Completion-time limits per service and day, from standards read once."""

    def __init__(self, service_ids=None):
        standards = ServiceStandard.objects.order_by("effective_from", "version")
        if service_ids is not None:
            standards = standards.filter(service_id__in=service_ids)
        self.by_service: dict[int, list] = {}
        for standard in standards:
            self.by_service.setdefault(standard.service_id, []).append(standard)

    def minutes(self, service_id: int, day: date) -> int | None:
        return limit_minutes_of(standard_in_force(self.by_service.get(service_id, []), day))


def rollup_deltas_for(ticket: Ticket, limit_minutes: int | None) -> dict[str, int]:
    """What one ticket contributes to its rollup, given its current state."""
    deltas = {"issued": 1}
    wait = ticket.wait_seconds()
    if wait is not None:
        deltas |= {"called": 1, "wait_seconds_sum": wait, wait_bucket_field(wait): 1}
    if ticket.status == TicketStatus.NO_SHOW:
        deltas["no_shows"] = 1
    if ticket.status == TicketStatus.FINISHED:
        deltas["served"] = 1
        deltas["service_seconds_sum"] = ticket.service_seconds() or 0
        deltas["served_within_standard"] = int(within_standard(ticket, limit_minutes))
    return deltas


# The one list of a rollup's counters; monitoring's daily summaries import it.
ROLLUP_COUNT_FIELDS = [
    "issued",
    "served",
    "no_shows",
    "called",
    "wait_seconds_sum",
    "service_seconds_sum",
    "served_within_standard",
]
ROLLUP_WAIT_BUCKET_FIELDS = ["wait_le_5", "wait_le_15", "wait_le_30", "wait_le_60", "wait_gt_60"]
ROLLUP_FIELDS = ROLLUP_COUNT_FIELDS + ROLLUP_WAIT_BUCKET_FIELDS


PROGRESS_EVERY = 100_000


def rollups_compute(tickets, progress=None) -> dict[tuple, dict[str, int]]:
    """Rollup values recomputed from raw tickets: {(mall, service, day): {field: value}}.
    `progress(text)`, if given, hears every 100,000 visits read."""
    limits = StandardLimits()
    totals: dict[tuple, dict[str, int]] = {}
    total = tickets.count() if progress else 0
    for number, ticket in enumerate(tickets.iterator(chunk_size=5000), start=1):
        if progress and number % PROGRESS_EVERY == 0:
            progress(f"{number:,} of {total:,} visits read ({100 * number // total} %)")
        limit = limits.minutes(ticket.service_id, ticket.local_date)
        key = (ticket.mall_id, ticket.service_id, ticket.local_date)
        row = totals.setdefault(
            key, dict.fromkeys(ROLLUP_FIELDS, 0) | {"agency_id": ticket.agency_id}
        )
        for field, amount in rollup_deltas_for(ticket, limit).items():
            row[field] += amount
    return totals


@transaction.atomic
def rollups_rebuild(
    *, mall_ids=None, since: date | None = None, until: date | None = None, progress=None
) -> int:
    """Recompute rollups from raw tickets for the given malls and days (all by default)."""
    tickets = Ticket.objects.all()
    rollups = DailyRollup.objects.all()
    if mall_ids is not None:
        tickets, rollups = (
            tickets.filter(mall_id__in=mall_ids),
            rollups.filter(mall_id__in=mall_ids),
        )
    if since:
        tickets, rollups = (
            tickets.filter(local_date__gte=since),
            rollups.filter(local_date__gte=since),
        )
    if until:
        tickets, rollups = (
            tickets.filter(local_date__lte=until),
            rollups.filter(local_date__lte=until),
        )
    totals = rollups_compute(tickets, progress)
    rollups.delete()
    objects = [
        DailyRollup(mall_id=m, service_id=s, local_date=d, **values)
        for (m, s, d), values in totals.items()
    ]
    DailyRollup.objects.bulk_create(objects, batch_size=2000)
    if progress:
        progress(f"{len(objects)} rollup rows rebuilt")
    return len(objects)
