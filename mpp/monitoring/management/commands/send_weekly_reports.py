"""`manage.py send_weekly_reports [--loop] [--interval 60] [--no-reminders]`

Every Monday at 08:00 WIB: the weekly PDF to each subscribed analyst for the week just
ended (exactly once per subscriber and week; missed weeks are caught up), and a reminder
to malls that sent no data."""

from django.core.management.base import BaseCommand

from mpp.core.workers import worker_run
from mpp.monitoring.mailing import reminders_due, weekly_reports_send


class Command(BaseCommand):
    help = "Send due weekly reports (and reminders); with --loop, keep doing so."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run until stopped")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between passes")
        parser.add_argument("--no-reminders", action="store_true")

    def handle(self, *args, **options):
        def batch() -> dict:
            sent = weekly_reports_send()
            return {"sent": sent, "reminded": 0 if options["no_reminders"] else reminders_due()}

        def report(counts: dict) -> None:
            if any(counts.values()) or not options["loop"]:
                self.stdout.write(
                    f"{counts['sent']} reports sent, {counts['reminded']} malls reminded"
                )

        worker_run(
            worker="weekly_mail",
            batch=batch,
            interval=options["interval"],
            loop=options["loop"],
            report=report,
        )
