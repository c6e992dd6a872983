from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mpp.registry.importers import MallImportError, malls_import, read_csv_rows


class Command(BaseCommand):
    help = (
        "Import malls from a CSV file (columns as in mpp/registry/data/malls.csv). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite malls that already exist with the file's values.",
        )

    def handle(self, *args, file: Path, update: bool, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        try:
            rows = read_csv_rows(file)
            self.stdout.write(f"Checking {len(rows)} rows of {file} …")
            summary = malls_import(rows=rows, update_existing=update, progress=self.stdout.write)
        except MallImportError as exc:
            raise CommandError(
                f"{file}: {len(exc.errors)} error(s), nothing was imported:\n{exc}"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Malls: {len(summary.created)} created, {len(summary.updated)} updated, "
                f"{len(summary.unchanged)} unchanged."
            )
        )
