"""`manage.py visits_partitions [--ahead 3] [--retention-months N] [--loop --interval 21600]`

On PostgreSQL every table that grows with each visit is partitioned by month (docs/decisions/
0021, 0027): tickets, the notification outbox, survey responses, ingested visit events and
the citizens' access log. For each table partitioned by range in the database this creates
the partitions of this month and the next `--ahead` months (moving any rows the default
partition caught for them), and detaches the months older than `--retention-months`
(VISITS_PARTITION_RETENTION_MONTHS; 0 keeps everything) so they can be archived:
`pg_dump -t visits_ticket_y2025m01` then `DROP TABLE`. The access log is never detached (its
hash chain must stay whole). Reports are unaffected: they read the daily rollups. On SQLite
there is one table each and nothing to do."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mpp.core.partitions import (
    is_postgresql,
    month_start,
    partitioned_tables,
    partitions_create,
    partitions_detach,
)
from mpp.core.workers import worker_run


class Command(BaseCommand):
    help = "Create the coming months' partitions and detach months past retention."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=settings.VISITS_PARTITIONS_AHEAD)
        parser.add_argument(
            "--retention-months", type=int, default=settings.VISITS_PARTITION_RETENTION_MONTHS
        )
        parser.add_argument("--loop", action="store_true", help="Run until stopped")
        parser.add_argument("--interval", type=int, default=21600, help="Seconds between passes")

    def handle(self, *args, **options):
        ahead, retention = options["ahead"], options["retention_months"]
        if ahead < 1:
            raise CommandError("--ahead: at least 1 (next month's partition must exist)")
        if retention < 0:
            raise CommandError("--retention-months: 0 (keep all) or more")

        def batch() -> dict:
            if not is_postgresql():
                return {"created": [], "detached": []}
            today = timezone.localdate()
            created, detached = [], []
            for table, column, _keep_all in partitioned_tables():
                created += partitions_create(table, column, ahead=ahead, today=today)
                if retention:
                    detached += partitions_detach(table, before=month_start(today, -retention))
            return {"created": created, "detached": detached}

        def report(counts: dict) -> None:
            for name in counts["created"]:
                self.stdout.write(f"created {name}")
            for name in counts["detached"]:
                self.stdout.write(f"detached {name} (archive it: pg_dump -t {name}; then drop)")
            if not is_postgresql():
                self.stdout.write("SQLite: one table each; nothing to do.")
            elif not any(counts.values()):
                self.stdout.write("partitions up to date")

        worker_run(
            worker="partitions",
            batch=batch,
            interval=options["interval"],
            loop=options["loop"],
            report=report,
        )
