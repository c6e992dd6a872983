from django.core.management.base import BaseCommand, CommandError

from mpp.citizens.checkpoints import checkpoint_append


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the access log's head to ACCESS_LOG_CHECKPOINT_FILE "
        "and/or ACCESS_LOG_CHECKPOINT_EMAIL. Run it on a schedule (e.g. hourly from cron "
        "or a systemd timer); verify_access_log appends one too."
    )

    def handle(self, *args, **options):
        checkpoint = checkpoint_append()
        if checkpoint is None:
            raise CommandError(
                "No checkpoint place: set ACCESS_LOG_CHECKPOINT_FILE or "
                "ACCESS_LOG_CHECKPOINT_EMAIL."
            )
        self.stdout.write(checkpoint.line())
