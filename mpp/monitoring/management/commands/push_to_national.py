"""`manage.py push_to_national [--loop] [--interval 300]`

On an instance run by a regency: send each closed day of the malls in NATIONAL_PUSH_TOKENS
to the national instance (NATIONAL_URL) through its ingest API. Idempotent; a failure is
kept on the mall ("last error", shown to the mall manager) and retried with back-off."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mpp.core.workers import worker_run
from mpp.monitoring.federation import national_push_run


class Command(BaseCommand):
    help = "Send this instance's closed days to the national instance."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run until stopped")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between passes (default NATIONAL_PUSH_INTERVAL_SECONDS)",
        )

    def handle(self, *args, **options):
        if not settings.NATIONAL_URL or not settings.NATIONAL_PUSH_TOKENS:
            raise CommandError("Set NATIONAL_URL and NATIONAL_PUSH_TOKENS to push.")
        interval = options["interval"] or settings.NATIONAL_PUSH_INTERVAL_SECONDS

        def report(counts: dict) -> None:
            self.stdout.write(
                f"{counts['malls']} malls, {counts['days']} days sent, {counts['failed']} failed"
            )

        worker_run(
            worker="push_to_national",
            batch=national_push_run,
            interval=interval,
            loop=options["loop"],
            report=report,
        )
