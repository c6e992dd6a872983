"""manage.py load_regions [--skip-villages]: load the shipped Kemendagri region tables."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mpp.registry.region_loader import regions_load


class Command(BaseCommand):
    help = (
        "Load provinces, kab/kota, kecamatan, villages and historical region codes from "
        "mpp/registry/data/ (idempotent: safe to re-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-villages",
            action="store_true",
            help="Do not load the ~84k desa/kelurahan (faster; enough for most uses).",
        )

    def handle(self, *args: Any, skip_villages: bool = False, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        started = time.perf_counter()
        counts = regions_load(
            include_villages=not skip_villages,
            progress=self._progress if verbose else None,
        )
        elapsed = time.perf_counter() - started
        if verbose:
            self._print_table(counts, elapsed)

    def _progress(self, message: str) -> None:
        self.stdout.write(f"  {message}")

    def _print_table(self, counts: dict[str, int], elapsed: float) -> None:
        width = max(len(name) for name in counts)
        self.stdout.write(f"{'Model'.ljust(width)}  {'Rows':>8}")
        for name, count in counts.items():
            self.stdout.write(f"{name.ljust(width)}  {count:>8,}")
        self.stdout.write(self.style.SUCCESS(f"Loaded regions in {elapsed:.1f} s"))
