from django.core.management.base import BaseCommand

from mpp.core.workers import worker_run, worker_stopping
from mpp.visits.outbox import notifications_send_counts
from mpp.visits.services import bookings_release, issue_claims_prune


class Command(BaseCommand):
    help = (
        "Send 'your turn is near' messages from the outbox, release expired bookings and "
        "forget kiosk forms older than ten minutes. "
        "With --loop, keep doing it every few seconds (run it as a service)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between rounds.")

    def handle(self, *args, loop=False, interval=2.0, **options):
        def batch() -> dict:
            counts = notifications_send_counts(stop=worker_stopping)
            released = counts.pop("released")  # claims given back on SIGTERM
            return counts | {
                "released": bookings_release(),
                "unclaimed": released,
                "forms_forgotten": issue_claims_prune(),
            }

        def report(counts: dict) -> None:
            if any(counts.values()) or not loop:
                self.stdout.write(
                    f"{counts['sent']} sent, {counts['failed']} failed (will retry), "
                    f"{counts['dropped']} dropped (no longer useful), "
                    f"{counts['released']} bookings released"
                )

        worker_run(worker="notifications", batch=batch, interval=interval, loop=loop, report=report)
