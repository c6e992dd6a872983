import time

from django.core.management.base import BaseCommand

from mpp.visits.outbox import notifications_send
from mpp.visits.services import bookings_release


class Command(BaseCommand):
    help = (
        "Send 'your turn is near' messages from the outbox and release expired bookings. "
        "With --loop, keep doing it every few seconds (run it as a service)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between rounds.")

    def handle(self, *args, loop=False, interval=2.0, **options):
        while True:
            sent, failed = notifications_send()
            released = bookings_release()
            if sent or failed or released or not loop:
                self.stdout.write(
                    f"{sent} sent, {failed} failed (will retry), {released} bookings released"
                )
            if not loop:
                return
            time.sleep(interval)
