from django.core.management.base import BaseCommand

from mpp.visits.alerts import wait_alerts_send


class Command(BaseCommand):
    help = "Alert mall managers when a service's oldest waiting visitor is past the limit."

    def handle(self, *args, **options):
        queued = wait_alerts_send()
        self.stdout.write(f"{queued} alert message(s) queued")
