import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from mpp.visits.demo import WEEKS, demo_visits_generate


class Command(BaseCommand):
    help = (
        f"Create {WEEKS} weeks of realistic visit history for every open mall (run after "
        "load_demo_data). Malls that already have history are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, seed, **options):
        started = time.monotonic()
        malls, tickets = demo_visits_generate(
            today=timezone.localdate(), seed=seed, progress=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Visit history: {malls} malls, {tickets:,} visits in "
                f"{time.monotonic() - started:.1f} s."
            )
        )
