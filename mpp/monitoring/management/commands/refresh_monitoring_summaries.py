"""`manage.py refresh_monitoring_summaries [--since YYYY-MM-DD] [--days 7] [--loop]
[--interval 3600]`

Rebuilds the report's per-mall-day summaries of closed days from the rollups and reported
counts: the last `--days` closed days, or every day from `--since`. Run it with `--loop`
next to the queue (it catches late changes to rows of past days); run it with `--since`
after `rebuild_rollups --since` if you cannot wait for the next report to notice."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

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
        while True:
            done = summaries_refresh_recent(
                since=since, days=options["days"], progress=self.stdout.write
            )
            if done:
                self.stdout.write(f"{len(done)} days summarised ({done[0]} – {done[-1]})")
            else:
                self.stdout.write("no closed day to summarise")
            if not options["loop"]:
                return
            since = None  # later passes: the recent days only
            time.sleep(options["interval"])
