import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from mpp.registry.importers import malls_import, read_csv_rows
from mpp.registry.services import DATA_DIR, agencies_load


class Command(BaseCommand):
    help = (
        "Load the reference data shipped in the repository: Kemendagri regions, the "
        "national agency catalogue and the known malls. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-villages", action="store_true")

    def handle(self, *args, skip_villages: bool, **options):
        started = time.monotonic()
        self.stdout.write("1/3 Regions")
        call_command("load_regions", skip_villages=skip_villages, stdout=self.stdout)
        self.stdout.write("2/3 Agency catalogue")
        created, unchanged = agencies_load()
        self.stdout.write(f"  agencies: {created} created, {unchanged} unchanged")
        self.stdout.write("3/3 Malls (mpp/registry/data/malls.csv)")
        summary = malls_import(
            rows=read_csv_rows(DATA_DIR / "malls.csv"), progress=self.stdout.write
        )
        self.stdout.write(
            f"  malls: {len(summary.created)} created, {len(summary.unchanged)} unchanged"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded in {time.monotonic() - started:.1f} s")
        )
