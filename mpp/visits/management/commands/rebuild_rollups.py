from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mpp.registry.models import Mall
from mpp.visits.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the daily rollups from the raw visits (all, or some malls and days)."

    def add_arguments(self, parser):
        parser.add_argument("--mall", action="append", help="Mall code (repeatable).")
        parser.add_argument("--since", type=date.fromisoformat, help="First local day, YYYY-MM-DD.")
        parser.add_argument("--until", type=date.fromisoformat, help="Last local day, YYYY-MM-DD.")

    def handle(self, *args, mall=None, since=None, until=None, **options):
        mall_ids = None
        if mall:
            found = dict(Mall.objects.filter(code__in=mall).values_list("code", "pk"))
            missing = sorted(set(mall) - set(found))
            if missing:
                raise CommandError(f"Unknown mall code(s): {', '.join(missing)}")
            mall_ids = list(found.values())
        rows = rollups_rebuild(
            mall_ids=mall_ids, since=since, until=until, progress=self.stdout.write
        )
        self.stdout.write(self.style.SUCCESS(f"{rows} rollup rows rebuilt."))
