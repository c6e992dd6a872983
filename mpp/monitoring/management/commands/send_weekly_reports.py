"""`manage.py send_weekly_reports [--loop] [--interval 60] [--no-reminders]`

Every Monday at 08:00 WIB: the weekly PDF to each subscribed analyst for the week just
ended (exactly once per subscriber and week; missed weeks are caught up), and a reminder
to malls that sent no data."""

import time

from django.core.management.base import BaseCommand

from mpp.monitoring.mailing import reminders_due, weekly_reports_send


class Command(BaseCommand):
    help = "Send due weekly reports (and reminders); with --loop, keep doing so."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Run until stopped")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between passes")
        parser.add_argument("--no-reminders", action="store_true")

    def handle(self, *args, **options):
        while True:
            sent = weekly_reports_send()
            reminded = 0 if options["no_reminders"] else reminders_due()
            if sent or reminded or not options["loop"]:
                self.stdout.write(f"{sent} reports sent, {reminded} malls reminded")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
