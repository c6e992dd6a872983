"""On PostgreSQL, survey responses are partitioned by month on local_date (docs/decisions/
0027); their unique keys gain local_date, so one rating per ticket is also held by a lock on
the ticket in `survey_submit`. SQLite: nothing."""

from django.db import migrations

from mpp.core.partitions import table_partition_by_month, table_unpartition


def forwards(apps, schema_editor):
    table_partition_by_month("surveys_surveyresponse", "local_date")


def backwards(apps, schema_editor):
    table_unpartition("surveys_surveyresponse", "local_date")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_ticket_without_db_constraint")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
