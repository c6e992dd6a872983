"""Tickets partitioned by month on PostgreSQL: the migration from the unpartitioned table
keeps every row (and the rows that point at tickets), the command creates coming months and
detaches old ones, and a row outside every month is kept, not refused. SQLite: one table."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mpp.core.partitions import month_start, partitions_list
from mpp.registry.models import Agency, Mall, Service
from mpp.visits.models import Ticket

BEFORE = ("visits", "0005_ticket_without_db_constraint")
AFTER = ("visits", "0006_tickets_partitioned_by_month")

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite: one table"
)


def partition_of(ticket) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM visits_ticket WHERE id = %s", [ticket.pk]
        )
        return cursor.fetchone()[0]


def is_partitioned() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'visits_ticket'::regclass"
        )
        return cursor.fetchone() is not None


def migrate_to(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def models_at(target):
    """The models as they were at migration `target` (later migrations add columns)."""
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.fixture
def service(transactional_db):
    call_command("load_reference_data", skip_villages=True, stdout=StringIO())
    mall = Mall.objects.get(code="mpp-6202")
    agency = Agency.objects.get(code="dukcapil")
    yield Service.objects.create(
        mall=mall, agency=agency, name="KTP-el", slug="ktp-el", ticket_prefix="A"
    )
    migrate_to_latest()  # the tests below stop at 0005/0006: later tests need every migration


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def ticket_on(service, day: date, number: int, **extra) -> Ticket:
    moment = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    return Ticket.objects.create(
        mall=service.mall,
        service=service,
        agency=service.agency,
        prefix="A",
        number=number,
        local_date=day,
        queued_at=moment,
        sort_key=moment,
        **extra,
    )


def test_the_migration_partitions_a_table_holding_data(service):
    migrate_to(BEFORE)
    assert not is_partitioned()
    today = timezone.localdate()
    days = [month_start(today, -14), month_start(today, -2) + timedelta(days=9), today]
    tickets = [ticket_on(service, day, n) for n, day in enumerate(days, start=1)]
    moved = ticket_on(service, today, 9, transferred_from=tickets[2])
    before = models_at(BEFORE)
    booking = before.get_model("visits", "Booking").objects.create(
        code="BK000001",
        mall_id=service.mall_id,
        service_id=service.pk,
        date=today,
        slot_start="09:00",
        starts_at=timezone.now(),
        nik_hash="h",
        nik_masked="3174****",
        phone="0812",
        ticket_id=tickets[2].pk,
    )
    before.get_model("visits", "Notification").objects.create(
        channel="sms", address="0812", body="x", ticket_id=tickets[0].pk
    )

    migrate_to(AFTER)
    after = models_at(AFTER)

    assert is_partitioned()
    assert Ticket.objects.count() == 4
    for ticket, day in zip(tickets, days, strict=True):
        assert partition_of(ticket) == f"visits_ticket_y{day.year}m{day.month:02d}"
        assert Ticket.objects.get(uuid=ticket.uuid).local_date == day
    months = [month for _, month in partitions_list("visits_ticket") if month]
    assert months[0] == month_start(days[0]) and months[-1] == month_start(today, 3)
    assert (
        after.get_model("visits", "Booking").objects.get(pk=booking.pk).ticket_id == tickets[2].pk
    )
    assert Ticket.objects.get(pk=moved.pk).transferred_from == tickets[2]
    assert after.get_model("visits", "Notification").objects.get().ticket_id == tickets[0].pk
    # The id sequence continues after the copied rows; the day's numbering stays unique.
    fresh = ticket_on(service, today, 10)
    assert fresh.pk > moved.pk
    with pytest.raises(IntegrityError, match=r"\(mall_id, prefix, local_date, number\)"):
        ticket_on(service, today, 10)


def test_the_way_back_gives_one_plain_table_with_the_same_rows(service):
    today = timezone.localdate()
    ticket = ticket_on(service, today, 1)
    migrate_to(BEFORE)
    assert not is_partitioned()
    assert Ticket.objects.get().uuid == ticket.uuid
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'visits_ticket_uuid_key'"
        )
        assert cursor.fetchone()[0] == "UNIQUE (uuid)"
    migrate_to(AFTER)
    assert is_partitioned() and Ticket.objects.get().uuid == ticket.uuid


def test_the_command_creates_coming_months_and_detaches_old_ones(service):
    today = timezone.localdate()
    old_month = month_start(today, -2)
    old = ticket_on(service, old_month + timedelta(days=3), 1)
    current = ticket_on(service, today, 2)
    # A ticket dated three months ahead, before its partition exists, waits in the default.
    with connection.cursor() as cursor:
        far = month_start(today, 3)
        cursor.execute(f'DROP TABLE "visits_ticket_y{far.year}m{far.month:02d}"')
    early = ticket_on(service, far + timedelta(days=1), 3)
    assert partition_of(early) == "visits_ticket_default"

    out = StringIO()
    call_command("visits_partitions", "--ahead", "4", "--retention-months", "1", stdout=out)

    assert partition_of(early) == f"visits_ticket_y{far.year}m{far.month:02d}"
    assert f"created visits_ticket_y{far.year}m{far.month:02d}" in out.getvalue()
    name = f"visits_ticket_y{old_month.year}m{old_month.month:02d}"
    assert f"detached {name}" in out.getvalue()
    assert not Ticket.objects.filter(pk=old.pk).exists()
    assert Ticket.objects.filter(pk=current.pk).exists()
    with connection.cursor() as cursor:  # the detached month is a table of its own, to archive
        cursor.execute(f'SELECT uuid FROM "{name}"')  # noqa: S608
        assert cursor.fetchall() == [(old.uuid,)]
        cursor.execute(f'DROP TABLE "{name}"')
    again = StringIO()
    call_command("visits_partitions", "--ahead", "4", "--retention-months", "1", stdout=again)
    assert again.getvalue().strip() == "partitions up to date"


def test_bad_arguments_are_named(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--ahead"):
        call_command("visits_partitions", "--ahead", "0")
    with pytest.raises(CommandError, match="--retention-months"):
        call_command("visits_partitions", "--retention-months", "-1")
