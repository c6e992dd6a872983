"""On PostgreSQL, visits_ticket becomes partitioned by month on local_date (docs/decisions/
0021): rows copied, indexes and constraints recreated under their names. SQLite: nothing."""

from django.db import migrations

from mpp.core.partitions import table_partition_by_month, table_unpartition


def forwards(apps, schema_editor):
    table_partition_by_month("visits_ticket", "local_date")


def backwards(apps, schema_editor):
    table_unpartition("visits_ticket", "local_date")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0005_ticket_without_db_constraint"),
        ("surveys", "0003_ticket_without_db_constraint"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
