"""Visit events: the sender's key is unique per mall and day (the partition key must be in
every unique key), then on PostgreSQL the table is partitioned by month on local_date
(docs/decisions/0027). SQLite: only the constraint changes."""

from django.db import migrations, models

from mpp.core.partitions import table_partition_by_month, table_unpartition


def forwards(apps, schema_editor):
    table_partition_by_month("monitoring_visitevent", "local_date")


def backwards(apps, schema_editor):
    table_unpartition("monitoring_visitevent", "local_date")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0005_mall_day_hours")]

    operations = [
        migrations.RemoveConstraint(model_name="visitevent", name="visit_event_key_unique"),
        migrations.AddConstraint(
            model_name="visitevent",
            constraint=models.UniqueConstraint(
                fields=["mall", "key", "local_date"], name="visit_event_key_unique"
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
