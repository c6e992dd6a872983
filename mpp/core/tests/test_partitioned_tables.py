"""Every table that grows with each visit is partitioned by month on PostgreSQL
(docs/decisions/0021, 0027), and one command looks after them all. SQLite: one table each."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from mpp.core.partitions import month_start, partitioned_tables

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's; SQLite: one table"
)

PER_VISIT = [
    ("citizens_accessrecord", "at", True),
    ("monitoring_visitevent", "local_date", False),
    ("surveys_surveyresponse", "local_date", False),
    ("visits_notification", "created_at", False),
    ("visits_ticket", "local_date", False),
]


def test_every_per_visit_table_is_partitioned_by_month(db):
    assert partitioned_tables() == PER_VISIT


@pytest.mark.django_db(transaction=True)
def test_the_command_creates_the_missing_months_of_every_table():
    far = month_start(timezone.localdate(), 3)
    suffix = f"_y{far.year}m{far.month:02d}"
    with connection.cursor() as cursor:
        for table, _, _ in PER_VISIT:
            cursor.execute(f'DROP TABLE IF EXISTS "{table}{suffix}"')

    out = StringIO()
    call_command("visits_partitions", stdout=out)

    for table, _, _ in PER_VISIT:
        assert f"created {table}{suffix}" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_an_outbox_row_of_a_month_without_partition_waits_in_the_default_then_moves():
    from mpp.visits.models import Notification

    far = month_start(timezone.localdate(), 3)
    name = f"visits_notification_y{far.year}m{far.month:02d}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
    note = Notification.objects.create(channel="sms", address="0812", body="x")
    moment = datetime(far.year, far.month, 3, 9, 30, tzinfo=UTC)
    Notification.objects.filter(pk=note.pk).update(created_at=moment)

    call_command("visits_partitions", stdout=StringIO())

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM visits_notification WHERE id = %s", [note.pk]
        )
        assert cursor.fetchone()[0] == name
    assert Notification.objects.get(pk=note.pk).created_at == moment
