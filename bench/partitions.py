# ruff: noqa: S608 - SQL built from integers and fixed names only
"""Benchmark: tickets partitioned by month (PostgreSQL) against the unpartitioned table, in
the same run and the same database, and detaching a month of 1,000,000 tickets.

    .venv/bin/python bench/partitions.py [--rows 1000000] [--issues 400] [--rounds 3]

Creates (drops and re-creates) the database `partitions_bench` on BENCH_SERVER (default
postgres://postgres@127.0.0.1:5432), loads the reference data, one mall with a service, and
`--rows` tickets in last month. Then, in alternating rounds with the table unpartitioned
(migrations back to visits 0005) and partitioned (0006): ticket_issue() p50/p99 (the
kiosk's write path, in-process), and the weekly report p50. Last, the time to detach last
month's partition holding the rows. Prints a table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
DB = "partitions_bench"
BEFORE = ("visits", "0005_ticket_without_db_constraint")
AFTER = ("visits", "0006_tickets_partitioned_by_month")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def migrate_to(target) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def main():
    parser = argparse.ArgumentParser(description="Ticket partitions benchmark")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--issues", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup()
    from django.core.management import call_command
    from django.utils import timezone

    from mpp.core.partitions import month_start, partition_name, partitions_detach
    from mpp.monitoring.report import weekly_report_build
    from mpp.monitoring.weeks import IsoWeek
    from mpp.registry.models import Agency, Mall, MallStatus, Service
    from mpp.visits import services as q

    say("migrating, reference data")
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    mall = Mall.objects.get(code="mpp-6202")
    Mall.objects.filter(pk=mall.pk).update(status=MallStatus.OPEN)
    mall.refresh_from_db()
    agency = Agency.objects.get(code="dukcapil")
    mall.tenancies.get_or_create(agency=agency)
    service = Service.objects.create(
        mall=mall, agency=agency, name="KTP-el", slug="ktp-el", ticket_prefix="A"
    )
    last_month = month_start(timezone.localdate(), -1)
    say(f"{args.rows:,} tickets in {last_month:%Y-%m}")
    sql(
        f"""INSERT INTO visits_ticket (uuid, mall_id, service_id, agency_id, channel,
        priority_reason, prefix, number, local_date, status, outcome, issued_at, queued_at,
        sort_key, call_count, trip, notify_channel, notify_address)
        SELECT gen_random_uuid(), {mall.pk}, {service.pk}, {agency.pk}, 'walk_in', '', 'B',
          g, %s::date + (g %% 28), 'finished', 'completed', now(), now(), now(), 1,
          gen_random_uuid(), '', ''
        FROM generate_series(1, {args.rows}) g""",
        [last_month],
    )
    sql("ANALYZE visits_ticket")
    week = IsoWeek.last_complete()
    results = {
        "unpartitioned": {"issue": [], "report": []},
        "partitioned": {"issue": [], "report": []},
    }
    for round_ in range(args.rounds):
        for state, target in (("unpartitioned", BEFORE), ("partitioned", AFTER)):
            say(f"round {round_ + 1}: {state}")
            started = time.perf_counter()
            migrate_to(target)
            say(f"  migrated in {time.perf_counter() - started:.1f} s")
            sql("ANALYZE visits_ticket")
            for _ in range(args.issues):
                started = time.perf_counter()
                q.ticket_issue(mall=mall, service=service)
                results[state]["issue"].append((time.perf_counter() - started) * 1000)
            weekly_report_build(week=week)
            for _ in range(9):
                started = time.perf_counter()
                weekly_report_build(week=week)
                results[state]["report"].append((time.perf_counter() - started) * 1000)
    name = partition_name("visits_ticket", last_month)
    (held,) = sql(f'SELECT count(*) FROM "{name}"')[0]
    started = time.perf_counter()
    detached = partitions_detach("visits_ticket", before=month_start(last_month, 1))
    detach_ms = (time.perf_counter() - started) * 1000
    assert detached == [name], detached

    def p(values, share):
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * share))]

    print()
    print("| table | ticket_issue p50 | p99 | weekly report p50 |")
    print("|---|---:|---:|---:|")
    for state, r in results.items():
        print(
            f"| {state} | {statistics.median(r['issue']):.2f} ms | {p(r['issue'], 0.99):.2f} ms "
            f"| {statistics.median(r['report']):.1f} ms |"
        )
    print()
    print(f"| detach {name} holding {held:,} tickets | {detach_ms:.1f} ms |")
    print("|---|---:|")


if __name__ == "__main__":
    main()
