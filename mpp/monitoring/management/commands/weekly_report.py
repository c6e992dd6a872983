"""`manage.py weekly_report --week 2025-W23 --format table|json|csv|data.csv|xlsx|pdf`
[--out FILE]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mpp.monitoring.exports import FORMATS, report_render
from mpp.monitoring.report import ReportOptions, weekly_report_build
from mpp.monitoring.weeks import IsoWeek


class Command(BaseCommand):
    help = "Build the national weekly report for an ISO week (default: the week just ended)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2025-W23; default: last complete week")
        parser.add_argument("--format", choices=FORMATS, default="table")
        parser.add_argument("--out", help="Write to this file instead of standard output")
        parser.add_argument("--lowest", type=int, default=10)
        parser.add_argument("--highest", type=int, default=10)

    def handle(self, *args, **options):
        try:
            week = IsoWeek.parse(options["week"]) if options["week"] else IsoWeek.last_complete()
        except ValidationError as error:
            raise CommandError(f"--week: {error.message_dict['week'][0]}") from None
        for name in ("lowest", "highest"):
            if options[name] < 0:
                raise CommandError(f"--{name}: must be 0 or more")
        fmt = options["format"]
        if fmt in ("xlsx", "pdf") and not options["out"]:
            raise CommandError(f"--out: a file name is needed for --format {fmt}")
        try:
            report = weekly_report_build(
                week=week,
                options=ReportOptions(lowest=options["lowest"], highest=options["highest"]),
            )
        except ValidationError as error:
            raise CommandError(f"--week: {error.message_dict['week'][0]}") from None
        content = report_render(report, fmt)
        if options["out"]:
            Path(options["out"]).write_bytes(content)
            self.stderr.write(f"{week}: {len(content)} bytes written to {options['out']}")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
