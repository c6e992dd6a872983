"""`manage.py refresh_monitoring_summaries [--since YYYY-MM-DD] [--days 7] [--loop]
[--interval 3600]`

Rebuilds the report's per-mall-day summaries of closed days from the rollups and reported
counts: the last `--days` closed days, or every day from `--since`. Run it with `--loop`
next to the queue (it catches late changes to rows of past days); run it with `--since`
after `rebuild_rollups --since` if you cannot wait for the next report to notice."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mpp.core.workers import worker_run
from mpp.monitoring.summaries import summaries_refresh_recent


class Command(BaseCommand):
    help = "Rebuild the weekly report's per-mall-day summaries of recent (or all) closed days."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First day to rebuild (YYYY-MM-DD)")
        parser.add_argument("--days", type=int, default=7, help="Closed days to rebuild")
        parser.add_argument("--loop", action="store_true", help="Run until stopped")
        parser.add_argument("--interval", type=int, default=3600, help="Seconds between passes")

    def handle(self, *args, **options):
        since = None
        if options["since"]:
            try:
                since = date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(f"--since: not a date: {options['since']!r}") from None
        first = {"since": since}

        def batch() -> dict:
            done = summaries_refresh_recent(
                since=first.pop("since", None), days=options["days"], progress=self.stdout.write
            )  # later passes: the recent days only
            return {
                "days": len(done),
                "first": done[0].isoformat() if done else None,
                "last": done[-1].isoformat() if done else None,
            }

        def report(counts: dict) -> None:
            if counts["days"]:
                self.stdout.write(
                    f"{counts['days']} days summarised ({counts['first']} – {counts['last']})"
                )
            else:
                self.stdout.write("no closed day to summarise")

        worker_run(
            worker="summaries",
            batch=batch,
            interval=options["interval"],
            loop=options["loop"],
            report=report,
        )
