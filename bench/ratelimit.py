"""Latency the shared rate limiter adds to a request (mpp.core.ratelimit).

Usage: .venv/bin/python bench/ratelimit.py [--calls 3000]
       [--postgres postgres://postgres@127.0.0.1:5432/h13_bench] [--redis redis://127.0.0.1:6379/9]

Each configuration runs in its own process: one `rate_limit_allow_request` per simulated
request (a client address and a signed-in user: two counters, as for a signed-in citizen
posting a complaint), over 200 distinct addresses so counters are both opened and
incremented. Prints p50/p90/p99 per call, against the baseline of the per-process
local-memory cache (what the limits used before, and what cannot hold across processes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def worker(calls: int) -> dict:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.test import RequestFactory

    from mpp.core.ratelimit import CACHE_ALIAS, rate_limit_allow_request

    if "DatabaseCache" in caches[CACHE_ALIAS].__class__.__name__:
        call_command("createcachetable", verbosity=0)
    caches[CACHE_ALIAS].clear()

    class User:
        is_authenticated = True
        pk = 42

    factory = RequestFactory()
    requests = []
    for i in range(calls):
        request = factory.post("/", REMOTE_ADDR=f"10.9.0.{i % 200}")
        request.user = User()
        requests.append(request)
    for request in requests[:100]:  # warm up connections and statements
        rate_limit_allow_request(request, scope="bench-warm", limit=10**9)
    timings = []
    for request in requests:
        start = time.perf_counter()
        rate_limit_allow_request(request, scope="bench", limit=10**9)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p90": timings[int(len(timings) * 0.9)],
        "p99": timings[int(len(timings) * 0.99)],
    }


def run(name: str, env: dict, calls: int) -> dict | None:
    full_env = {**os.environ, "DEBUG": "True", **env}
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", "--calls", str(calls)],
            env=full_env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout
    except subprocess.CalledProcessError as error:
        print(f"{name}: failed\n{error.stderr[-800:]}", file=sys.stderr)
        return None
    return {"name": name, **json.loads(out.strip().splitlines()[-1])}


def ensure_postgres_database(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable ({error}); skipped", file=sys.stderr)
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/h13_bench")
    parser.add_argument("--redis", default="", help="also measure Redis, e.g. redis://…/9")
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.calls)))
        return
    sqlite = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    configs = [
        ("baseline: local memory (one process)", {"CACHE_URL": "locmem://"}),
        ("database cache, SQLite (WAL)", {"DATABASE_URL": f"sqlite:///{sqlite}"}),
    ]
    if ensure_postgres_database(args.postgres):
        configs.append(("database cache, PostgreSQL", {"DATABASE_URL": args.postgres}))
    if args.redis:
        configs.append(("Redis", {"CACHE_URL": args.redis, "DATABASE_URL": f"sqlite:///{sqlite}"}))
    rows = [r for name, env in configs if (r := run(name, env, args.calls))]
    print(f"\nRate limiter, one signed-in request = 2 counters; {args.calls} requests each")
    print(f"{'cache':<40} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for row in rows:
        print(f"{row['name']:<40} {row['p50']:8.3f} {row['p90']:8.3f} {row['p99']:8.3f}")


if __name__ == "__main__":
    main()
