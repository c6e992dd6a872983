"""On PostgreSQL, the notification outbox is partitioned by month on created_at like the
tickets (docs/decisions/0027). SQLite: nothing."""

from django.db import migrations

from mpp.core.partitions import table_partition_by_month, table_unpartition


def forwards(apps, schema_editor):
    table_partition_by_month("visits_notification", "created_at")


def backwards(apps, schema_editor):
    table_unpartition("visits_notification", "created_at")


class Migration(migrations.Migration):
    dependencies = [("visits", "0006_tickets_partitioned_by_month")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
