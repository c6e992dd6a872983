"""Realistic visit history for the demo: 12 weeks for every open mall.

Volume follows the regency's population (a few quiet malls run far below it), Dukcapil is
the busiest tenant, Mondays are busiest and Saturdays short, mornings peak before noon,
malls inaugurated recently start at their inauguration and ramp up. Tickets are written in
bulk and the rollups computed on the way, so the whole country takes about a minute.
"""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from uuid import uuid4

from django.db import connection, transaction

from mpp.accounts.models import Role, User
from mpp.registry.models import Mall, MallStatus, Service

from .models import (
    Channel,
    CounterSession,
    CounterSessionStatus,
    DailyRollup,
    Outcome,
    Ticket,
    TicketStatus,
    wait_bucket_field,
)
from .rollups import ROLLUP_FIELDS, StandardLimits

WEEKS = 12
WEEKDAY_FACTOR = [1.3, 1.1, 1.0, 1.0, 0.8, 0.45, 0.0]  # Monday … Sunday (closed)
# Share of a day's arrivals per hour from 08:00; Saturday uses the first four hours.
HOUR_WEIGHTS = [0.16, 0.2, 0.18, 0.12, 0.06, 0.1, 0.1, 0.08]
AGENCY_WEIGHT = {"dukcapil": 4.0, "samsat": 1.6, "polri-skck": 1.5, "bpjs-kesehatan": 1.3}
LIGHT_CATALOGUE = ["dukcapil", "polri-skck", "bpjs-kesehatan", "samsat"]
QUIET_SHARE = 0.06
RAMP_DAYS = 56  # a new mall reaches its normal volume about eight weeks after opening


def _daily_base(mall: Mall, rng: random.Random) -> float:
    """Visits on an ordinary day: about 1 per 20,000 inhabitants, within 5 … 120. (Real
    malls see more; the demo keeps `make demo` to about a minute on a small machine.)"""
    population = mall.population or 300_000
    base = min(max(population / 20_000, 5), 120)
    return base * rng.uniform(0.8, 1.2)


def _furnish_light(mall: Mall) -> None:
    """Malls outside the four demo ones get a small typical catalogue to queue for."""
    from mpp.registry.management.commands.load_demo_data import Command

    Command()._furnish(mall, LIGHT_CATALOGUE)


@transaction.atomic
def demo_visits_generate(
    *,
    today: date,
    seed: int = 2026,
    weeks: int = WEEKS,
    mall_codes: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Create history for open malls that have none yet; returns (malls, tickets)."""
    rng = random.Random(seed)
    start = today - timedelta(weeks=weeks)
    malls = Mall.objects.filter(status=MallStatus.OPEN, inaugurated_on__lt=today)
    if mall_codes is not None:
        malls = malls.filter(code__in=mall_codes)
    malls = list(malls.select_related("province", "regency").order_by("code"))
    done_malls = set(
        Ticket.objects.filter(local_date__lt=today).values_list("mall_id", flat=True).distinct()
    )
    todo = [m for m in malls if m.pk not in done_malls]
    quiet = {m.pk for m in rng.sample(todo, int(len(todo) * QUIET_SHARE))}
    total = 0
    for index, mall in enumerate(todo, start=1):
        if not mall.services.exists():
            _furnish_light(mall)
        total += _mall_history(mall, start, today, rng, quiet=mall.pk in quiet)
        if progress and (index % 25 == 0 or index == len(todo)):
            progress(f"{index}/{len(todo)} malls, {total:,} visits")
    return len(todo), total


TICKET_COLUMNS = [
    "uuid", "mall_id", "service_id", "agency_id", "counter_id", "channel", "priority_reason",
    "prefix", "number", "local_date", "status", "outcome", "issued_at", "queued_at", "sort_key",
    "called_at", "last_called_at", "started_at", "finished_at", "call_count", "trip",
    "notify_channel", "notify_address",
]  # fmt: skip


def _insert_tickets(rows: list[tuple]) -> None:
    """Plain INSERTs with executemany: model instances and bulk_create cost 10× more here."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in TICKET_COLUMNS)
    marks = ", ".join(["%s"] * len(TICKET_COLUMNS))
    with connection.cursor() as cursor:
        for chunk in range(0, len(rows), 5000):
            cursor.executemany(
                # Identifiers come from the model's metadata; values are parameters.
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                rows[chunk : chunk + 5000],
            )


def _mall_history(mall: Mall, start: date, today: date, rng: random.Random, *, quiet: bool) -> int:
    services = list(
        Service.objects.filter(mall=mall, is_active=True)
        .select_related("agency")
        .prefetch_related("counters")
    )
    if not services:
        return 0
    weights = [AGENCY_WEIGHT.get(s.agency.code, 0.7) for s in services]
    counters = {s.pk: [c.pk for c in s.counters.all()] or [None] for s in services}
    prefixes = {s.pk: s.queue_prefix() for s in services}
    limits = StandardLimits([s.pk for s in services])
    base = _daily_base(mall, rng) * (0.15 if quiet else 1.0)
    tz = mall.tz
    opened = max(start, mall.inaugurated_on or start)
    ops = connection.ops
    uuid_field = Ticket._meta.get_field("uuid")

    def db_uuid():
        return uuid_field.get_db_prep_value(uuid4(), connection)

    def db_time(moment):
        return ops.adapt_datetimefield_value(moment) if moment else None

    rows: list[tuple] = []
    rollups: dict[tuple, dict[str, int]] = {}
    staffed: dict[tuple, list] = {}  # (counter, day) → [first call, last finish]
    day = opened
    while day < today:
        factor = WEEKDAY_FACTOR[day.weekday()]
        ramp = (
            min(1.0, 0.3 + (day - mall.inaugurated_on).days / RAMP_DAYS)
            if mall.inaugurated_on
            else 1.0
        )
        count = max(int(rng.gauss(base * factor * ramp, base * 0.1)), 0) if factor else 0
        numbers: dict[str, int] = {}
        hours = HOUR_WEIGHTS[:4] if day.weekday() == 5 else HOUR_WEIGHTS
        opening = datetime.combine(day, time(8), tzinfo=tz)
        arrivals = sorted(
            opening
            + timedelta(hours=rng.choices(range(len(hours)), hours)[0], seconds=rng.randrange(3600))
            for _ in range(count)
        )
        # Waits grow with the day's load: a busy Monday queues longer than a quiet Friday.
        mean_wait = 4 + 12 * factor * ramp
        db_day = ops.adapt_datefield_value(day)
        for issued in arrivals:
            service = rng.choices(services, weights)[0]
            prefix = prefixes[service.pk]
            numbers[prefix] = numbers.get(prefix, 0) + 1
            priority = "elderly" if rng.random() < 0.08 else ""
            channel = Channel.BOOKING if rng.random() < 0.1 else Channel.WALK_IN
            sort_key = issued - timedelta(minutes=15) if priority else issued
            key = (mall.pk, service.pk, day)
            roll_row = rollups.setdefault(
                key, dict.fromkeys(ROLLUP_FIELDS, 0) | {"agency_id": service.agency_id}
            )
            roll_row["issued"] += 1
            called = started = finished = None
            counter, outcome, calls = None, "", 0
            roll = rng.random()
            if roll < 0.04:  # left before being called
                status = TicketStatus.CANCELLED
            else:
                wait = int(rng.expovariate(1 / mean_wait) * 60)
                called = issued + timedelta(seconds=wait)
                counter, calls = rng.choice(counters[service.pk]), 1
                roll_row["called"] += 1
                roll_row["wait_seconds_sum"] += wait
                roll_row[wait_bucket_field(wait)] += 1
                if roll < 0.1:
                    status = TicketStatus.NO_SHOW
                    finished = called + timedelta(minutes=3)
                    roll_row["no_shows"] += 1
                else:
                    status = TicketStatus.FINISHED
                    started = called + timedelta(seconds=rng.randint(20, 120))
                    length = int(max(1.5, rng.lognormvariate(2.0, 0.5)) * 60)
                    finished = started + timedelta(seconds=length)
                    outcome = (
                        Outcome.COMPLETED
                        if roll < 0.9
                        else Outcome.INCOMPLETE
                        if roll < 0.97
                        else Outcome.REFERRED
                    )
                    limit = limits.minutes(service.pk, day)
                    roll_row["served"] += 1
                    roll_row["service_seconds_sum"] += length
                    roll_row["served_within_standard"] += int(
                        limit is None or (finished - issued).total_seconds() <= limit * 60
                    )
            if counter is not None:
                span = staffed.setdefault((counter, day), [called, finished or called])
                span[1] = max(span[1], finished or called)
            rows.append(
                (
                    db_uuid(),
                    mall.pk,
                    service.pk,
                    service.agency_id,
                    counter,
                    channel,
                    priority,
                    prefix,
                    numbers[prefix],
                    db_day,
                    status,
                    outcome,
                    db_time(issued),
                    db_time(issued),
                    db_time(sort_key),
                    db_time(called),
                    db_time(called),
                    db_time(started),
                    db_time(finished),
                    calls,
                    db_uuid(),
                    "",
                    "",
                )  # fmt: skip
            )
        day += timedelta(days=1)
    _insert_tickets(rows)
    DailyRollup.objects.bulk_create(
        [
            DailyRollup(mall_id=m, service_id=s, local_date=d, **v)
            for (m, s, d), v in rollups.items()
        ],
        batch_size=500,
    )
    _sessions_record(mall, staffed)
    return len(rows)


def _sessions_record(mall: Mall, staffed: dict[tuple, list]) -> None:
    """The staffing record the officer console would have left: each counter open from a
    few minutes before its first call to a few minutes after its last visitor, by a demo
    officer of the mall (no password: nobody signs in as them)."""
    if not staffed:
        return
    officer, _created = User.objects.get_or_create(
        username=f"demo-loket-{mall.code}",
        defaults={"role": Role.COUNTER_OFFICER, "first_name": "Petugas (demo)"},
    )
    if _created:
        officer.set_unusable_password()
        officer.save(update_fields=["password"])
    CounterSession.objects.bulk_create(
        [
            CounterSession(
                counter_id=counter,
                officer=officer,
                status=CounterSessionStatus.CLOSED,
                opened_at=first - timedelta(minutes=10),
                closed_at=last + timedelta(minutes=10),
            )
            for (counter, _day), (first, last) in staffed.items()
        ],
        batch_size=1000,
    )
