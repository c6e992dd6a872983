import sys

from django.core.management.base import BaseCommand, CommandError

from mpp.citizens.checkpoints import (
    CheckpointError,
    checkpoint_append,
    checkpoint_compare,
    checkpoints_read,
)
from mpp.citizens.ledger import access_log_verify


class Command(BaseCommand):
    help = (
        "Check the hash chain of the citizen data access log; exit 1 and name the first "
        "broken records if any record was edited or deleted. With --against (a checkpoint "
        "file or line) also detect a truncated, rolled-back or rewritten tail. An intact "
        "log's head is then checkpointed to ACCESS_LOG_CHECKPOINT_FILE/_EMAIL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument(
            "--against",
            metavar="CHECKPOINT",
            help="a checkpoint file (every line is checked) or one checkpoint line",
        )
        parser.add_argument(
            "--no-checkpoint", action="store_true", help="do not append a new checkpoint"
        )

    def handle(self, *args, **options):
        def progress(checked):
            if options["verbosity"] > 1:
                self.stderr.write(f"  {checked:,} records checked")

        checkpoints = []
        if options["against"]:
            try:
                checkpoints = checkpoints_read(options["against"])
            except CheckpointError as error:
                self.stderr.write(self.style.ERROR(str(error)))
                raise CommandError("The checkpoint cannot be trusted.", returncode=1) from None
        report = access_log_verify(batch=options["batch"], progress=progress)
        problems = report.problems + checkpoint_compare(checkpoints)
        self.stdout.write(
            f"{report.checked:,} records checked; head #{report.head_seq} {report.head_hash}"
        )
        if checkpoints:
            self.stdout.write(f"{len(checkpoints)} checkpoint(s) compared")
        if problems:
            for problem in problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError("The access log was tampered with.", returncode=1)
        if not options["no_checkpoint"]:
            written = checkpoint_append()
            if written:
                self.stdout.write(f"checkpoint #{written.seq} appended")
        self.stdout.write(self.style.SUCCESS("The access log is intact."))
        sys.stdout.flush()
