from django.core.management.base import BaseCommand

from mpp.core.workers import worker_run, worker_stopping
from mpp.identity.backchannel import logout_notices_send


class Command(BaseCommand):
    help = (
        "Post back-channel logout tokens to the agencies' systems (OpenID Connect Back-Channel "
        "Logout). With --loop, keep doing it every few seconds (run it as a service)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between rounds.")

    def handle(self, *args, loop=False, interval=2.0, **options):
        def report(counts: dict) -> None:
            if any(counts.values()) or not loop:
                self.stdout.write(
                    f"{counts['sent']} sent, {counts['refused']} refused by the client, "
                    f"{counts['failed']} failed (will retry)"
                )

        worker_run(
            worker="logout_tokens",
            batch=lambda: logout_notices_send(stop=worker_stopping),
            interval=interval,
            loop=loop,
            report=report,
        )
