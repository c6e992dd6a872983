"""Time regions_load on a fresh temporary SQLite database.

Usage: .venv/bin/python bench/bench_load_regions.py

Prints a Markdown table (load, rows, seconds) for a first load of all regions and a second,
idempotent load of the same data, beside the baseline a straightforward loader would give:
one `update_or_create()` per row, timed on a sample of villages and scaled to all rows.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: Path) -> None:
    """Point Django at the temporary database; must run before django.setup()."""
    sys.path.insert(0, str(REPO_ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed_load() -> tuple[int, float]:
    from mpp.registry.region_loader import regions_load

    started = time.perf_counter()
    counts = regions_load()
    return sum(counts.values()), time.perf_counter() - started


BASELINE_SAMPLE = 3_000


def timed_naive_baseline(total_rows: int) -> tuple[int, float]:
    """One ORM round trip per row (what `update_or_create` in a loop costs), on a sample of
    villages re-parented to a scratch district, scaled linearly to `total_rows`."""
    import gzip

    from django.db import transaction

    from mpp.registry.models import District, Village
    from mpp.registry.region_loader import DATA_DIR

    with gzip.open(DATA_DIR / "regions.tsv.gz", "rt", encoding="utf-8") as lines:
        villages = [line.split("\t")[:2] for line in lines if line.count(".") == 3]
    district = District.objects.first()
    sample = villages[:BASELINE_SAMPLE]
    started = time.perf_counter()
    with transaction.atomic():
        for code, name in sample:
            Village.objects.update_or_create(
                code="X" + code[1:], defaults={"name": name, "district": district}
            )
        transaction.set_rollback(True)
    elapsed = time.perf_counter() - started
    return total_rows, elapsed * total_rows / len(sample)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-regions-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        import django

        results = [("first load", *timed_load()), ("second load (idempotent)", *timed_load())]
        results.append(
            (
                f"baseline: update_or_create per row (scaled from {BASELINE_SAMPLE:,} rows)",
                *timed_naive_baseline(results[0][1]),
            )
        )
        print(
            f"regions_load on SQLite {sqlite3.sqlite_version}, Django {django.get_version()}, "
            f"Python {platform.python_version()}, {platform.machine()}"
        )
        print("| load | rows | seconds |")
        print("| --- | ---: | ---: |")
        for name, rows, seconds in results:
            print(f"| {name} | {rows:,} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
