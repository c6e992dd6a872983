# ruff: noqa: E501, S608 - long SQL built from integers only
"""Benchmark: the national weekly report from rollups vs a plain SQL aggregate over raw
visits (the report includes the 12-week trend and the peer groups), the mall dashboard
before/after issue 16, and the ingest rate of raw visit events, on PostgreSQL.

    .venv/bin/python bench/report.py [--sizes 1000000,10000000] [--repeat 15]
        [--replica postgres://postgres@127.0.0.1:5433]

With --replica (a hot standby of that server, e.g. `.ci/standby.sh start`): the weekly report
is also timed on the standby, interleaved with the primary in the same run, and the time for
a write on the primary to be visible on the standby is measured.

Creates (and reuses) its own database `monitoring_bench` on the server of DATABASE_URL
(default postgres://postgres@127.0.0.1:5432). One mall per kab/kota (514), twelve
services each, one year of visits generated in SQL with generate_series, skewed across
malls and services; rollups rebuilt with one INSERT … SELECT in day order; one SKM
questionnaire per ten visits; then timings. Prints a table.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "monitoring_bench"
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
YEAR_START = "2025-01-06"  # a Monday
DAYS = 364
SERVICES_PER_MALL = 12


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def create_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def prepare_registry() -> None:
    """Reference data, then a mall in every kab/kota and twelve services per mall."""
    from django.core.management import call_command

    from mpp.registry.models import Agency, Mall, Regency, Service, Tenancy

    call_command("migrate", verbosity=0)
    if not Regency.objects.exists():
        say("loading reference data")
        with open(os.devnull, "w") as quiet:
            call_command("load_reference_data", skip_villages=True, verbosity=0, stdout=quiet)
    Mall.objects.update(status="open", inaugurated_on="2020-01-01", closed_on=None)
    have = set(Mall.objects.values_list("regency_id", flat=True))
    Mall.objects.bulk_create(
        [
            Mall(
                code=f"bench-{r.code.replace('.', '')}",
                name=f"MPP {r.name}",
                province_id=r.province_id,
                regency=r,
                status="open",
                inaugurated_on="2020-01-01",
            )
            for r in Regency.objects.exclude(code__in=have)
        ]
    )
    malls = list(Mall.objects.filter(regency__isnull=False).order_by("code"))
    agencies = list(Agency.objects.order_by("code")[:4])
    if Service.objects.filter(slug__startswith="bench-").count() < len(malls) * SERVICES_PER_MALL:
        say(f"creating {SERVICES_PER_MALL} services in each of {len(malls)} malls")
        Tenancy.objects.bulk_create(
            [Tenancy(mall=m, agency=a) for m in malls for a in agencies], ignore_conflicts=True
        )
        Service.objects.bulk_create(
            [
                Service(
                    mall=m,
                    agency=agencies[i % 4],
                    slug=f"bench-{i}",
                    name=f"Layanan {i}",
                    ticket_prefix="B",
                )
                for m in malls
                for i in range(SERVICES_PER_MALL)
            ],
            ignore_conflicts=True,
        )


def sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def ticket_count() -> int:
    return sql("SELECT count(*) FROM visits_ticket")[0][0]


def generate_visits(target: int) -> None:
    """Add raw visits until the ticket table holds `target` rows (1M per statement)."""
    sql(
        "CREATE TEMP TABLE IF NOT EXISTS bench_services AS "
        "SELECT row_number() OVER (ORDER BY s.mall_id, s.slug) - 1 AS idx, s.id AS service_id, "
        "s.mall_id, s.agency_id, CASE WHEN substr(coalesce(m.regency_id, m.province_id), 1, 2) "
        "IN ('81','82','91','92','93','94','95','96') THEN 9 WHEN substr(coalesce(m.regency_id, "
        "m.province_id), 1, 2) IN ('51','52','53','63','64','65','71','72','73','74','75','76') "
        "THEN 8 ELSE 7 END AS utc_offset FROM registry_service s JOIN registry_mall m ON m.id = s.mall_id "
        "WHERE s.slug LIKE 'bench-%%' AND m.regency_id IS NOT NULL"
    )
    services = sql("SELECT count(*) FROM bench_services")[0][0]
    malls = services // SERVICES_PER_MALL
    start = ticket_count()
    while start < target:
        n = min(1_000_000, target - start)
        # Mall skewed (power 1.6), service skewed (power 2.5), day uniform, 08:00–16:00 local.
        sql(
            f"""
            INSERT INTO visits_ticket (uuid, mall_id, service_id, agency_id, channel, priority_reason,
                prefix, number, local_date, status, outcome, issued_at, queued_at, sort_key,
                called_at, last_called_at, started_at, finished_at, call_count, trip,
                notify_channel, notify_address)
            SELECT gen_random_uuid(), s.mall_id, s.service_id, s.agency_id, 'walk_in', '', 'B', g.n,
                v.day, v.status, '', v.issued, v.issued, v.issued,
                CASE WHEN v.status <> 'cancelled' THEN v.issued + v.wait END,
                CASE WHEN v.status <> 'cancelled' THEN v.issued + v.wait END,
                CASE WHEN v.status = 'finished' THEN v.issued + v.wait END,
                CASE WHEN v.status = 'finished' THEN v.issued + v.wait + v.serve END,
                1, gen_random_uuid(), '', ''
            FROM generate_series({start + 1}, {start + n}) AS g(n)
            CROSS JOIN LATERAL (SELECT floor({malls} * power(random(), 1.6))::int AS m,
                                       floor({SERVICES_PER_MALL} * power(random(), 2.5))::int AS k,
                                       random() AS r, g.n AS ref) AS pick
            JOIN bench_services s ON s.idx = pick.m * {SERVICES_PER_MALL} + pick.k
            CROSS JOIN LATERAL (SELECT
                DATE '{YEAR_START}' + floor(random() * {DAYS})::int AS day,
                CASE WHEN pick.r < 0.85 THEN 'finished' WHEN pick.r < 0.95 THEN 'no_show'
                     ELSE 'cancelled' END AS status,
                make_interval(mins => floor(random() * 60)::int) AS wait,
                make_interval(mins => 3 + floor(random() * 20)::int) AS serve,
                random() AS t, pick.ref) AS v0
            CROSS JOIN LATERAL (SELECT v0.*, (v0.day + time '08:00' + v0.t * interval '8 hours'
                - make_interval(hours => s.utc_offset)) AT TIME ZONE 'UTC' AS issued) AS v
            """
        )
        start += n
        say(f"  {start:,} raw visits")
    sql("ANALYZE visits_ticket")


def rebuild_rollups() -> int:
    """The rollups the queue keeps up to date, rebuilt here with one SQL statement."""
    sql("TRUNCATE visits_dailyrollup")
    sql(
        """
        INSERT INTO visits_dailyrollup (mall_id, service_id, agency_id, local_date, issued, served,
            no_shows, called, wait_seconds_sum, service_seconds_sum, served_within_standard,
            wait_le_5, wait_le_15, wait_le_30, wait_le_60, wait_gt_60)
        SELECT mall_id, service_id, min(agency_id), local_date, count(*),
            count(*) FILTER (WHERE status = 'finished'), count(*) FILTER (WHERE status = 'no_show'),
            count(called_at), coalesce(sum(extract(epoch FROM called_at - queued_at))::bigint, 0),
            coalesce(sum(extract(epoch FROM finished_at - started_at)) FILTER (WHERE status = 'finished'), 0)::bigint,
            count(*) FILTER (WHERE status = 'finished' AND finished_at - queued_at <= interval '60 minutes'),
            count(*) FILTER (WHERE called_at - queued_at <= interval '5 minutes'),
            count(*) FILTER (WHERE called_at - queued_at > interval '5 minutes' AND called_at - queued_at <= interval '15 minutes'),
            count(*) FILTER (WHERE called_at - queued_at > interval '15 minutes' AND called_at - queued_at <= interval '30 minutes'),
            count(*) FILTER (WHERE called_at - queued_at > interval '30 minutes' AND called_at - queued_at <= interval '60 minutes'),
            count(*) FILTER (WHERE called_at - queued_at > interval '60 minutes')
        FROM visits_ticket GROUP BY mall_id, service_id, local_date
        ORDER BY local_date, mall_id, service_id
        """
    )
    # Day order, as the queue writes them: a rollup row is created by the first ticket of
    # its mall-service-day, so a week's rows sit together on disk. (Inserted in mall order,
    # one week's 25k rows were spread over 14,584 pages and reading them took ~130 ms.)
    sql("VACUUM ANALYZE visits_dailyrollup")
    # The report's per-mall-day summaries start empty: the first report builds them.
    sql("TRUNCATE monitoring_dailysummary, monitoring_summaryday")
    return sql("SELECT count(*) FROM visits_dailyrollup")[0][0]


RAW_WEEK_SQL = """
    SELECT mall_id, count(*) AS visits, count(*) FILTER (WHERE status = 'finished') AS served,
           count(*) FILTER (WHERE status = 'no_show') AS no_shows,
           avg(extract(epoch FROM called_at - queued_at)) AS wait
    FROM visits_ticket WHERE local_date BETWEEN %s AND %s GROUP BY mall_id
"""


def p50(fn, repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure_report(repeat: int) -> dict:
    """The first report (which summarises its four weeks of closed days); the report p50
    afterwards (service quality from the cache); the p50 after rebuilding one past day's
    rollups each time (the report re-summarises that day); the raw SQL aggregate p50; the
    visits part alone; and the report with service quality recomputed every time, for a
    week early in its quarter (2025-W40) and one at the quarter's end (2025-W39, when the
    IKM reads the most questionnaires)."""
    from django.core.cache import cache
    from django.test import override_settings

    from mpp.monitoring.report import ReportOptions, weekly_report_build
    from mpp.monitoring.weeks import IsoWeek

    cache.clear()
    week = IsoWeek(2025, 40)
    started = time.perf_counter()
    report = weekly_report_build(week=week)
    result = {"first": (time.perf_counter() - started) * 1000}
    result["p50"] = p50(lambda: weekly_report_build(week=week), repeat)
    day = week.monday.isoformat()

    def after_rebuild():
        # What rollups_rebuild does to one day: delete its rows, insert them anew.
        sql(
            "WITH gone AS (DELETE FROM visits_dailyrollup WHERE local_date = %s RETURNING *) "
            "INSERT INTO visits_dailyrollup (mall_id, service_id, agency_id, local_date, issued, "
            "served, no_shows, called, wait_seconds_sum, service_seconds_sum, "
            "served_within_standard, wait_le_5, wait_le_15, wait_le_30, wait_le_60, wait_gt_60) "
            "SELECT mall_id, service_id, agency_id, local_date, issued, served, no_shows, called, "
            "wait_seconds_sum, service_seconds_sum, served_within_standard, wait_le_5, wait_le_15, "
            "wait_le_30, wait_le_60, wait_gt_60 FROM gone",
            [day],
        )
        started = time.perf_counter()
        weekly_report_build(week=week)
        return (time.perf_counter() - started) * 1000

    result["rebuilt"] = statistics.median(after_rebuild() for _ in range(max(3, repeat // 3)))
    result["raw"] = p50(lambda: sql(RAW_WEEK_SQL, [week.monday, week.sunday]), repeat)
    visits_only = ReportOptions(quality=False)
    result["visits"] = p50(lambda: weekly_report_build(week=week, options=visits_only), repeat)
    with override_settings(MONITORING_QUALITY_CACHE_SECONDS=0):
        result["fresh_early"] = p50(lambda: weekly_report_build(week=week), repeat)
        late = IsoWeek(2025, 39)
        result["fresh_late"] = p50(lambda: weekly_report_build(week=late), repeat)
    result["malls"] = report["totals"]["malls_with_data"]
    return result


def _drilldown_from_raw_rows(mall, week):
    """The mall dashboard as it was before issue 16 (kept here to measure against): daily
    visits from the rollups, hours by converting every ticket's time in Python."""
    from collections import Counter as Tally

    from django.db.models import Sum

    from mpp.visits.models import DailyRollup, Ticket

    rollups = DailyRollup.objects.filter(
        mall=mall, local_date__gte=week.monday, local_date__lte=week.sunday
    )
    daily = dict(rollups.order_by().values_list("local_date").annotate(n=Sum("issued")))
    sums = ["issued", "served", "no_shows", "called", "wait_seconds_sum", "service_seconds_sum"]
    agencies = list(
        rollups.order_by().values("agency__short_name").annotate(**{f: Sum(f) for f in sums})
    )
    services = list(
        rollups.order_by()
        .values("service__name", "agency__short_name")
        .annotate(**{f: Sum(f) for f in sums})
    )
    hourly = Tally()
    zone = mall.tz
    moments = Ticket.objects.filter(
        mall=mall, local_date__gte=week.monday, local_date__lte=week.sunday
    )
    for issued_at in moments.values_list("issued_at", flat=True).iterator(chunk_size=5000):
        hourly[issued_at.astimezone(zone).hour] += 1
    return daily, hourly, agencies, services


def measure_dashboard(repeat: int) -> dict:
    """The mall dashboard of the busiest mall for 2025-W40: before (raw tickets, hours
    converted row by row) and after (summaries and the per-day hour summary), same run."""
    from django.db.models import Sum

    from mpp.monitoring.dashboards import mall_drilldown
    from mpp.monitoring.weeks import IsoWeek
    from mpp.registry.models import Mall
    from mpp.visits.models import DailyRollup

    week = IsoWeek(2025, 40)
    busiest = (
        DailyRollup.objects.filter(local_date__gte=week.monday, local_date__lte=week.sunday)
        .values("mall_id")
        .annotate(n=Sum("issued"))
        .order_by("-n")
        .first()
    )
    mall = Mall.objects.get(pk=busiest["mall_id"])
    before = p50(lambda: _drilldown_from_raw_rows(mall, week), repeat)
    after = p50(lambda: mall_drilldown(mall=mall, week=week), repeat)
    return {"mall_visits": busiest["n"], "before": before, "after": after}


def generate_responses(share: int = 10) -> int:
    """One SKM questionnaire for every `share`-th visit, on the visit's day (anonymous
    scores 2–4), so the report's IKM reads a realistic volume."""
    sql("TRUNCATE surveys_surveyresponse")
    sql(
        f"""
        INSERT INTO surveys_surveyresponse (uuid, channel, local_date, submitted_at,
            u1, u2, u3, u4, u5, u6, u7, u8, u9, age_band, sex, education, occupation,
            suggestion, agency_id, mall_id, service_id)
        SELECT gen_random_uuid(), 'kiosk', local_date, issued_at + interval '30 minutes',
            2 + (id %% 3)::int, 3 + (id %% 2)::int, 2 + (id %% 3)::int, 4, 3, 3 + (id %% 2)::int,
            3, 2 + (id %% 3)::int, 3, '', '', '', '', '', agency_id, mall_id, service_id
        FROM visits_ticket WHERE id %% {int(share)} = 0
        """
    )
    sql("ANALYZE")  # fresh statistics everywhere, as autovacuum keeps them in production
    return sql("SELECT count(*) FROM surveys_surveyresponse")[0][0]


def measure_ingest(batches: int = 10, size: int = 10_000) -> tuple[float, float]:
    """Events/s through the service (already parsed JSON) and through the HTTP API."""
    import json
    from datetime import datetime, timedelta

    from django.test import Client

    from mpp.monitoring.models import VisitEvent
    from mpp.monitoring.services import system_token_issue, visit_events_ingest
    from mpp.registry.models import Mall

    mall = Mall.objects.get(regency_id="62.02")
    VisitEvent.objects.filter(mall=mall).delete()
    base = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)

    def batch(b):
        events = []
        for i in range(size):
            issued = base + timedelta(days=i % 60, seconds=i)
            events.append(
                {
                    "key": f"b{b}-{i}",
                    "service": f"bench-{i % SERVICES_PER_MALL}",
                    "status": "served",
                    "issued_at": issued.isoformat(),
                    "called_at": (issued + timedelta(minutes=9)).isoformat(),
                    "started_at": (issued + timedelta(minutes=9)).isoformat(),
                    "finished_at": (issued + timedelta(minutes=20)).isoformat(),
                }
            )
        return events

    payloads = [batch(b) for b in range(batches)]
    started = time.perf_counter()
    for events in payloads:
        visit_events_ingest(mall=mall, events=events)
    service_rate = batches * size / (time.perf_counter() - started)

    _, token = system_token_issue(mall=mall, name="bench", by=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    bodies = [json.dumps({"events": batch(100 + b)}) for b in range(batches)]
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/ingest/visits", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
    api_rate = batches * size / (time.perf_counter() - started)
    return service_rate, api_rate


def measure_replica(repeat: int, writes: int = 300) -> dict:
    """Report p50 (quality recomputed every time, so neither side reads the other's cache) on
    the primary and on the replica, interleaved; then write → visible-on-replica times."""
    from django.db import connections
    from django.test import override_settings

    from mpp.core.replica import reading_replica
    from mpp.monitoring.report import weekly_report_build
    from mpp.monitoring.weeks import IsoWeek

    def caught_up():
        (target,) = sql("SELECT pg_current_wal_lsn()::text")[0]
        with connections["replica"].cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
                time.sleep(0.01)

    week = IsoWeek(2025, 40)
    caught_up()
    times = {"primary": [], "replica": []}
    with override_settings(MONITORING_QUALITY_CACHE_SECONDS=0):
        weekly_report_build(week=week)
        with reading_replica():
            weekly_report_build(week=week)
        for _ in range(repeat):
            for side in ("primary", "replica"):
                started = time.perf_counter()
                with reading_replica(side == "replica"):
                    weekly_report_build(week=week)
                times[side].append((time.perf_counter() - started) * 1000)
    sql("CREATE TABLE IF NOT EXISTS bench_replica_probe (id serial PRIMARY KEY, at timestamptz)")
    caught_up()
    seen = []
    with connections["replica"].cursor() as cursor:
        for _ in range(writes):
            started = time.perf_counter()
            (row_id,) = sql("INSERT INTO bench_replica_probe (at) VALUES (now()) RETURNING id")[0]
            while True:
                cursor.execute("SELECT 1 FROM bench_replica_probe WHERE id = %s", [row_id])
                if cursor.fetchone():
                    break
                time.sleep(0.0005)
            seen.append((time.perf_counter() - started) * 1000)
    seen.sort()
    return {
        "primary": statistics.median(times["primary"]),
        "replica": statistics.median(times["replica"]),
        "visible_p50": statistics.median(seen),
        "visible_p99": seen[int(len(seen) * 0.99) - 1],
        "visible_max": seen[-1],
        "writes": writes,
    }


def main():
    parser = argparse.ArgumentParser(description="Weekly report and ingest benchmark")
    parser.add_argument("--sizes", default="1000000,10000000", help="raw visit counts, ascending")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-ingest", action="store_true", help="Time the report only")
    parser.add_argument("--replica", help="server URL of a hot standby of BENCH_SERVER")
    args = parser.parse_args()
    if args.replica:
        os.environ["DATABASE_REPLICA_URL"] = f"{args.replica.rstrip('/')}/{BENCH_DB}"
    sizes = [int(s) for s in args.sizes.split(",")]
    create_database()
    setup_django()
    prepare_registry()
    if ticket_count() > sizes[0]:
        say("starting from an empty visit table")
        sql("TRUNCATE visits_ticket CASCADE")
    rows = []
    for size in sizes:
        say(f"generating raw visits up to {size:,}")
        started = time.perf_counter()
        generate_visits(size)
        generated = time.perf_counter() - started
        say("rebuilding rollups")
        rollups = rebuild_rollups()
        say("one questionnaire per ten visits")
        responses = generate_responses()
        say("timing the weekly report")
        say(f"load average before timing: {os.getloadavg()[0]:.2f}")
        result = measure_report(args.repeat)
        say("timing the mall dashboard, before and after")
        result["dashboard"] = measure_dashboard(args.repeat)
        if args.replica:
            say("timing the weekly report on the replica, and write visibility")
            result["replica"] = measure_replica(args.repeat)
        rows.append((size, rollups, responses, generated, result))
        say(
            f"  first {result['first']:.0f} ms, p50 {result['p50']:.1f} ms, "
            f"quality recomputed {result['fresh_early']:.1f} / {result['fresh_late']:.1f} ms"
        )
    print()
    print(
        "| raw visits | rollup rows | questionnaires | malls with data | first report "
        "(builds summaries) | report p50 | report p50 after a past day's rollups rebuilt | "
        "raw SQL aggregate p50 | visits part only p50 | report p50, quality recomputed, "
        "early / late in the quarter | generation |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, rollups, responses, generated, r in rows:
        print(
            f"| {size:,} | {rollups:,} | {responses:,} | {r['malls']} | {r['first']:.0f} ms | "
            f"{r['p50']:.1f} ms | {r['rebuilt']:.1f} ms | {r['raw']:.1f} ms | "
            f"{r['visits']:.1f} ms | {r['fresh_early']:.1f} / {r['fresh_late']:.1f} ms | "
            f"{generated:.0f} s |"
        )
    print()
    print(
        "| raw visits | busiest mall's visits in the week | mall dashboard p50 before "
        "(raw tickets, hours converted row by row) | after (summaries) |"
    )
    print("|---:|---:|---:|---:|")
    for size, _, _, _, r in rows:
        d = r["dashboard"]
        print(f"| {size:,} | {d['mall_visits']:,} | {d['before']:.1f} ms | {d['after']:.1f} ms |")
    if args.replica:
        print()
        print(
            "| raw visits | report p50 on the primary | on the replica | difference | "
            "write visible on the replica p50 / p99 / max |"
        )
        print("|---:|---:|---:|---:|---:|")
        for size, _, _, _, r in rows:
            x = r["replica"]
            print(
                f"| {size:,} | {x['primary']:.1f} ms | {x['replica']:.1f} ms | "
                f"{(x['replica'] / x['primary'] - 1) * 100:+.1f} % | {x['visible_p50']:.1f} / "
                f"{x['visible_p99']:.1f} / {x['visible_max']:.1f} ms ({x['writes']} writes) |"
            )
    if args.skip_ingest:
        return
    say("timing ingest")
    service_rate, api_rate = measure_ingest()
    print()
    print("| ingest path | events/s |")
    print("|---|---:|")
    print(f"| visit_events_ingest (10 × 10,000 events) | {service_rate:,.0f} |")
    print(f"| POST /api/v1/ingest/visits (10 × 10,000 events, JSON) | {api_rate:,.0f} |")


if __name__ == "__main__":
    main()
