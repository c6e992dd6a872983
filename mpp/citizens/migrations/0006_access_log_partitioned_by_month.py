"""On PostgreSQL, the access log is partitioned by month on `at` (docs/decisions/0027);
its months are never detached: the hash chain stays whole for verify_access_log. The
record numbers stay unique through the chain head. SQLite: nothing."""

from django.db import migrations

from mpp.core.partitions import table_partition_by_month, table_unpartition


def forwards(apps, schema_editor):
    table_partition_by_month("citizens_accessrecord", "at", keep_all=True)


def backwards(apps, schema_editor):
    table_unpartition("citizens_accessrecord", "at")


class Migration(migrations.Migration):
    dependencies = [("citizens", "0005_face_alone_at_kiosk")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
