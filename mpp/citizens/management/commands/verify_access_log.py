import sys

from django.core.management.base import BaseCommand, CommandError

from mpp.citizens.ledger import access_log_verify


class Command(BaseCommand):
    help = (
        "Check the hash chain of the citizen data access log; exit 1 and name the first "
        "broken records if any record was edited or deleted. Keep the printed head hash "
        "somewhere else (e.g. the weekly report) to also detect a rewritten tail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=20_000)

    def handle(self, *args, **options):
        def progress(checked):
            if options["verbosity"] > 1:
                self.stderr.write(f"  {checked:,} records checked")

        report = access_log_verify(batch=options["batch"], progress=progress)
        self.stdout.write(
            f"{report.checked:,} records checked; head #{report.head_seq} {report.head_hash}"
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError("The access log was tampered with.", returncode=1)
        self.stdout.write(self.style.SUCCESS("The access log is intact."))
        sys.stdout.flush()
