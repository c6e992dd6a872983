"""On PostgreSQL the access log is partitioned by month (docs/decisions/0027): records land
in their month, the chain still verifies across months and after the migration from the
plain table, and retention never detaches a month of it. SQLite: one table."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mpp.core.partitions import month_start, partitioned_tables

from ..ledger import access_log_verify, access_record_append
from ..models import AccessRecord, Purpose
from ..models.accesslog import AccessOutcome, Channel

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite: one table"
)

BEFORE = ("citizens", "0005_face_alone_at_kiosk")
AFTER = ("citizens", "0006_access_log_partitioned_by_month")


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    # A transactional test starts from an empty database: the malls come back first.
    call_command("load_reference_data", skip_villages=True, stdout=StringIO())
    yield
    executor = MigrationExecutor(connection)  # every migration again, for the tests after
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def read(siti, at=None) -> AccessRecord:
    return access_record_append(
        citizen=siti,
        actor=siti.user,
        purpose=Purpose.SELF,
        fields=["sex"],
        outcome=AccessOutcome.GRANTED,
        channel=Channel.WEB,
        at=at,
    )


def partition_of(record) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM citizens_accessrecord WHERE seq = %s",
            [record.seq],
        )
        return cursor.fetchone()[0]


def month_name(day) -> str:
    return f"citizens_accessrecord_y{day.year}m{day.month:02d}"


@pytest.mark.django_db(transaction=True)
def test_records_of_two_months_verify_and_retention_keeps_every_month(siti):
    old_month = month_start(timezone.now().date(), -2)
    # An old month's partition (history imported from before the partitioning).
    call_command("visits_partitions", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(  # DDL binds no parameters: the values quoted in (server-side binding)
            connection.ops.compose_sql(
                f'CREATE TABLE "{month_name(old_month)}" PARTITION OF citizens_accessrecord '
                "FOR VALUES FROM (%s) TO (%s)",
                [old_month, month_start(old_month, 1)],
            )
        )
    old = read(siti, at=datetime(old_month.year, old_month.month, 10, 12, tzinfo=UTC))
    new = read(siti)
    assert partition_of(old) == month_name(old.at.date())
    assert partition_of(new) == month_name(timezone.now().date())

    out = StringIO()
    call_command("visits_partitions", "--retention-months", "1", stdout=out)

    assert "citizens_accessrecord" not in out.getvalue()
    assert AccessRecord.objects.count() == 2
    report = access_log_verify()
    assert report.ok and report.checked == 2
    assert ("citizens_accessrecord", "at", True) in partitioned_tables()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_chain_of_a_log_holding_records(siti):
    migrate_to(BEFORE)
    records = [read(siti, at=timezone.now() - timedelta(days=days)) for days in (70, 35, 0)]

    migrate_to(AFTER)

    assert [r.seq for r in AccessRecord.objects.order_by("seq")] == [r.seq for r in records]
    for record in records:
        assert partition_of(record) == month_name(record.at.date())
    assert read(siti).seq == records[-1].seq + 1  # the chain goes on from its head
    report = access_log_verify()
    assert report.ok and report.checked == 4
