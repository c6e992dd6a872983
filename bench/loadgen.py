"""A mall's busiest hour, ×1, ×10 or ×30, over HTTP: gunicorn + PostgreSQL on this machine.

Usage: .venv/bin/python bench/loadgen.py [--scale 10] [--seconds 60] [--compress 60]
       [--workers 4] [--database-url postgres://postgres@127.0.0.1:5432/mpp_bench_load]

The model (one "mall" = one mall's peak hour; ×N runs N malls at once on one server):
- kiosks issue tickets as a Poisson stream of ARRIVALS_PER_HOUR (240) per mall;
- COUNTERS (12) officers per mall call the next ticket, start, serve for an exponential
  time of mean SERVICE_MINUTES (3), finish, and call again (IDLE_CALL_SECONDS, 5, later when
  nobody waits);
- BOARDS (2) display boards per mall poll the board state every real second;
- each citizen opens the ticket page once issued and again every CITIZEN_POLL_MINUTES (5)
  while waiting.
Rates are real (`--compress 1`, the default): ×10 is ten malls at their peak at once.
`--compress 60` runs simulated time 60 times faster (a peak hour in a minute: 60 times the
issue, call and page rates, a stress test, not the ×N load); board polls stay at one per
real second. Bookings, face check-ins and survey kiosks
are not modelled yet. It drops and re-creates the benchmark database, seeds the malls,
starts gunicorn on 127.0.0.1:8142 (DEBUG off, persistent connections; MFA off for the
seeded officers' sessions), runs, then prints p50/p99 and errors per request kind and checks
the queue invariants: no duplicate number, no ticket called twice, every finished ticket
counted once in its day's rollup, every issued ticket counted once.

The generator runs on the same 2 cores as the server and the database: every figure is a
floor for a machine where they are separate.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_queue as bq  # noqa: E402 (the same server, database and request helpers)

bq.PORT = 8142
ARRIVALS_PER_HOUR, COUNTERS, BOARDS = 240, 12, 2
SERVICE_MINUTES, CITIZEN_POLL_MINUTES, IDLE_CALL_SECONDS = 3.0, 5.0, 5.0

SEED = r"""
import json
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from mpp.accounts.models import Role, User
from mpp.registry.models import Agency, Counter, Mall, OfficerPosting, Service, Tenancy
from mpp.visits.devices import device_issue
from mpp.visits.models import DeviceKind

call_command("migrate", verbosity=0)
call_command("load_reference_data", skip_villages=True, verbosity=0)
agency = Agency.objects.get(code="dukcapil")
malls = []
for index, mall in enumerate(Mall.objects.filter(status="open").order_by("code")[:%(scale)d]):
    manager = User.objects.create_user(f"load-manager-{index}", role=Role.MALL_MANAGER)
    mall.managers.add(manager)
    Tenancy.objects.get_or_create(mall=mall, agency=agency)
    services = [Service.objects.create(mall=mall, agency=agency, name=f"Layanan {p}",
                slug=f"l-{p.lower()}", ticket_prefix=p) for p in "ABC"]
    officers = []
    for number in range(%(counters)d):
        counter = Counter.objects.create(mall=mall, number=str(number + 1), agency=agency)
        counter.services.set(services)
        officer = User.objects.create_user(f"load-{index}-{number}", role=Role.COUNTER_OFFICER)
        OfficerPosting.objects.create(officer=officer, mall=mall, agency=agency)
        store = SessionStore()
        store[SESSION_KEY] = str(officer.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = officer.get_session_auth_hash()
        store.create()
        officers.append({"counter": counter.pk, "session": store.session_key})
    _, kiosk = device_issue(mall=mall, kind=DeviceKind.KIOSK, name="kiosk", by=manager)
    _, board = device_issue(mall=mall, kind=DeviceKind.BOARD, name="board", by=manager)
    malls.append({"code": mall.code, "id": mall.pk, "services": [s.pk for s in services],
                  "officers": officers, "kiosk": kiosk, "board": board})
print(json.dumps(malls))
"""

CHECK = r"""
import json
from django.db.models import Count, Sum
from mpp.visits.models import DailyRollup, Ticket
t = Ticket.objects.all()
dup = t.values("mall_id", "prefix", "local_date", "number").annotate(n=Count("id")).filter(n__gt=1)
r = DailyRollup.objects.aggregate(issued=Sum("issued"), served=Sum("served"))
print(json.dumps({"tickets": t.count(), "duplicate_numbers": sum(x["n"] - 1 for x in dup),
                  "finished": t.filter(status="finished").count(),
                  "rollup_issued": r["issued"] or 0, "rollup_served": r["served"] or 0}))
"""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(int)
        self.error_samples = {}

    def record(self, kind: str, status: int, elapsed: float, ok_statuses=(200, 201)):
        with self.lock:
            if status in ok_statuses:
                self.latency[kind].append(elapsed)
            else:
                self.errors[kind] += 1
                self.error_samples.setdefault(kind, status)


def call(stats: Stats, kind: str, method: str, path: str, body=None, headers=None):
    try:
        status, data, elapsed = bq.request(method, path, body, headers)
    except OSError:
        stats.record(kind, 0, 0.0)
        return 0, b""
    stats.record(kind, status, elapsed)
    return status, data


def run(fixture: list, seconds: float, compress: float) -> tuple[Stats, dict]:
    stats = Stats()
    stop = threading.Event()
    called: list[str] = []
    called_lock = threading.Lock()
    waiting: dict[str, float] = {}  # ticket uuid → next page view (monotonic)
    waiting_lock = threading.Lock()
    rng = random.Random(7)  # noqa: S311 (a load model, not security)

    def kiosk(mall):
        headers = {"Authorization": f"Device {mall['kiosk']}"}
        rate = ARRIVALS_PER_HOUR * compress / 3600.0  # tickets per real second
        while not stop.is_set():
            stop.wait(rng.expovariate(rate))
            if stop.is_set():
                return
            body = {"service": rng.choice(mall["services"])}
            status, data = call(stats, "issue", "POST", "/api/v1/queue/tickets/", body, headers)
            if status == 201:
                uuid = json.loads(data)["uuid"]
                call(stats, "ticket page", "GET", f"/api/v1/queue/tickets/{uuid}/")
                with waiting_lock:
                    waiting[uuid] = time.monotonic() + CITIZEN_POLL_MINUTES * 60 / compress

    def citizens():
        while not stop.is_set():
            now = time.monotonic()
            with waiting_lock:
                due = [u for u, at in waiting.items() if at <= now]
                for uuid in due:
                    waiting[uuid] = now + CITIZEN_POLL_MINUTES * 60 / compress
            for uuid in due:
                status, data = call(stats, "ticket page", "GET", f"/api/v1/queue/tickets/{uuid}/")
                if status == 200 and json.loads(data).get("status") != "waiting":
                    with waiting_lock:
                        waiting.pop(uuid, None)
            stop.wait(0.2)

    def board(mall):
        headers = {"Authorization": f"Device {mall['board']}"}
        while not stop.is_set():
            call(
                stats,
                "board poll",
                "GET",
                f"/api/v1/queue/malls/{mall['code']}/board/",
                None,
                headers,
            )
            stop.wait(1.0)

    def officer(person, seed):
        local = random.Random(seed)  # noqa: S311
        csrf = secrets.token_hex(16)
        headers = {
            "Cookie": f"sessionid={person['session']}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        base = f"/api/v1/queue/counters/{person['counter']}"
        call(stats, "counter open", "POST", f"{base}/open/", None, headers)
        while not stop.is_set():
            status, data = call(stats, "call", "POST", f"{base}/call-next/", None, headers)
            ticket = json.loads(data).get("ticket") if status == 200 else None
            if not ticket:
                stop.wait(IDLE_CALL_SECONDS / compress)  # nobody waits: look again soon
                continue
            uuid = ticket["uuid"]
            with called_lock:
                called.append(uuid)
            call(stats, "start", "POST", f"/api/v1/queue/tickets/{uuid}/start/", None, headers)
            stop.wait(local.expovariate(1.0 / (SERVICE_MINUTES * 60 / compress)))
            call(
                stats,
                "finish",
                "POST",
                f"/api/v1/queue/tickets/{uuid}/finish/",
                {"outcome": "completed"},
                headers,
            )

    threads = [threading.Thread(target=citizens)]
    for index, mall in enumerate(fixture):
        threads.append(threading.Thread(target=kiosk, args=(mall,)))
        threads += [threading.Thread(target=board, args=(mall,)) for _ in range(BOARDS)]
        threads += [
            threading.Thread(target=officer, args=(p, index * 100 + n))
            for n, p in enumerate(mall["officers"])
        ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return stats, {"called": len(called), "called_twice": len(called) - len(set(called))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="malls at peak at once (1, 10, 30)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--compress", type=float, default=1.0, help="simulated time per real time (1: real rates)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/mpp_bench_load"
    )
    args = parser.parse_args()
    env = bq.server_env(args.database_url) | {
        "MFA_REQUIRED_ROLES": "",
        "MFA_REQUIRED_FOR_ADMIN_STAFF": "False",
        "MESSAGING_ALLOW_CONSOLE": "True",
    }
    bq.log(f"database {args.database_url}: re-created")
    bq.recreate_database(args.database_url)
    seed = SEED % {"scale": args.scale, "counters": COUNTERS}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", seed],
        cwd=bq.REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    fixture = json.loads(out.stdout.strip().splitlines()[-1])
    bq.log(f"seeded {len(fixture)} malls × {COUNTERS} counters; gunicorn ×{args.workers}")
    server = bq.start_server(env, args.workers, "config.wsgi")
    try:
        stats, calls = run(fixture, args.seconds, args.compress)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    check = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", CHECK],
        cwd=bq.REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    invariants = json.loads(check.stdout.strip().splitlines()[-1]) | calls

    print(
        f"\nLoad ×{args.scale}: {len(fixture)} malls, {args.seconds:.0f} s real, "
        f"time ×{args.compress:.0f}, gunicorn {args.workers} workers\n"
    )
    print(
        f"| {'request':<13} | {'count':>6} | {'per s':>6} | {'p50 ms':>7} | {'p99 ms':>7} "
        f"| {'errors':>6} |"
    )
    print(f"|{'-' * 15}|{'-' * 8}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    for kind in ["issue", "ticket page", "board poll", "call", "start", "finish", "counter open"]:
        values = stats.latency.get(kind, [])
        print(
            f"| {kind:<13} | {len(values):>6} | {len(values) / args.seconds:>6.1f} | "
            f"{bq.pct(values, 0.50):>7.1f} | {bq.pct(values, 0.99):>7.1f} | "
            f"{stats.errors.get(kind, 0):>6} |"
        )
    if stats.error_samples:
        print(f"\nfirst error status per kind: {stats.error_samples}")
    print("\nInvariants after the run:")
    ok = (
        invariants["duplicate_numbers"] == 0
        and invariants["called_twice"] == 0
        and invariants["rollup_issued"] == invariants["tickets"]
        and invariants["rollup_served"] == invariants["finished"]
    )
    for name, value in invariants.items():
        print(f"  {name}: {value}")
    print("  all hold" if ok else "  VIOLATED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
