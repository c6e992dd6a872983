"""Time the IKM of one mall for one year with 1,000,000 questionnaires.

Usage (PostgreSQL, the target of the issue; the database is emptied and reused):
    createdb -h 127.0.0.1 -U postgres surveys_bench
    .venv/bin/python bench/surveys_ikm.py --database-url postgres://postgres@127.0.0.1:5432/surveys_bench
Options: --responses N (default 1,000,000), --repeat R (default 5).
With a sqlite:///path URL it runs on SQLite as well, for comparison.

Prints a Markdown table: the IKM in one aggregate query (what the pages and the API do),
the IKM per service in one GROUP BY, and, as the baseline, a Python loop over the rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def setup_django(url: str) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    print("migrating…", flush=True)
    call_command("migrate", verbosity=0)


def fixtures(services: int = 30):
    """One mall in Sampit with `services` services of one agency (no reference files)."""
    from mpp.registry.models import Agency, Mall, Province, Regency, Service, Tenancy

    province, _ = Province.objects.get_or_create(
        code="62", defaults={"name": "Kalimantan Tengah", "timezone": "Asia/Pontianak"}
    )
    regency, _ = Regency.objects.get_or_create(
        code="62.02",
        defaults={"province": province, "name": "Kotawaringin Timur", "kind": "kabupaten"},
    )
    mall, _ = Mall.objects.get_or_create(
        code="bench-6202", defaults={"name": "MPP Bench", "province": province, "regency": regency}
    )
    agency, _ = Agency.objects.get_or_create(
        code="bench-agency", defaults={"name": "Bench", "short_name": "Bench", "level": "regency"}
    )
    Tenancy.objects.get_or_create(mall=mall, agency=agency)
    for number in range(services):
        Service.objects.get_or_create(
            mall=mall, slug=f"s{number}", defaults={"agency": agency, "name": f"Layanan {number}"}
        )
    return mall


def fill(mall, total: int) -> None:
    """`total` questionnaires spread over 2025, inserted by the database itself."""
    from django.db import connection

    from mpp.surveys.models import SurveyResponse

    SurveyResponse.objects.filter(mall=mall).delete()
    ids = list(mall.services.order_by("pk").values_list("pk", flat=True))
    table = SurveyResponse._meta.db_table
    scores = ", ".join(f"1 + ((n * {p}) %% 4)" for p in (7, 11, 13, 17, 19, 23, 29, 31, 37))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(  # only integers and the model's table name are interpolated
                f"""
                INSERT INTO {table} (uuid, mall_id, agency_id, service_id, channel, local_date,
                    submitted_at, u1, u2, u3, u4, u5, u6, u7, u8, u9, age_band, sex, education,
                    occupation, suggestion)
                SELECT md5(n::text || 'bench')::uuid, %s, %s, (ARRAY{ids})[1 + n %% {len(ids)}],
                    'kiosk', DATE '2025-01-01' + (n %% 365), TIMESTAMPTZ '2025-01-01 02:00+00'
                    + (n %% 365) * INTERVAL '1 day', {scores}, '', '', '', '', ''
                FROM generate_series(1, %s) AS n
                """,  # noqa: S608
                [mall.pk, mall.services.first().agency_id, total],
            )
        else:
            cursor.execute(
                f"""
                WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)
                INSERT INTO {table} (uuid, mall_id, agency_id, service_id, channel, local_date,
                    submitted_at, u1, u2, u3, u4, u5, u6, u7, u8, u9, age_band, sex, education,
                    occupation, suggestion)
                SELECT lower(hex(randomblob(16))), %s, %s, {ids[0]} + n %% {len(ids)}, 'kiosk',
                    date('2025-01-01', '+' || (n %% 365) || ' days'), '2025-01-01 02:00:00',
                    {scores}, '', '', '', '', ''
                FROM seq
                """,  # noqa: S608
                [total, mall.pk, mall.services.first().agency_id],
            )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
    print(f"inserted {total:,} questionnaires in {time.perf_counter() - started:.1f} s", flush=True)


def timed(label: str, func, repeat: int) -> tuple[str, float, str]:
    times, result = [], None
    for attempt in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
        print(f"  {label}: run {attempt + 1}/{repeat} {times[-1]:.3f} s", flush=True)
    return label, statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.db import connection

    from mpp.surveys.ikm import Period, ikm_from_rows
    from mpp.surveys.models import ELEMENT_FIELDS, SurveyResponse

    mall = fixtures()
    if SurveyResponse.objects.filter(mall=mall).count() != args.responses:
        fill(mall, args.responses)
    year = Period.parse("2025")
    responses = SurveyResponse.objects.filter(mall=mall).in_period(year)

    rows = [
        timed("IKM of the mall (one aggregate)", lambda: responses.ikm().ikm, args.repeat),
        timed(
            "IKM per service (one GROUP BY)",
            lambda: len(responses.ikm_by("service_id")),
            args.repeat,
        ),
        timed(
            "baseline: Python loop over rows",
            lambda: ikm_from_rows(list(responses.values_list(*ELEMENT_FIELDS))).ikm,
            1,
        ),
    ]
    print()
    print(
        f"{args.responses:,} questionnaires, one mall, year 2025 · {connection.vendor} · "
        f"{platform.processor() or platform.machine()} · Python {platform.python_version()}"
    )
    print()
    print("| computation | median seconds | result |")
    print("|---|---:|---|")
    for label, seconds, result in rows:
        print(f"| {label} | {seconds:.3f} | {result} |")


if __name__ == "__main__":
    main()
