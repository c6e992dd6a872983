"""Queue throughput over HTTP: gunicorn + PostgreSQL on this machine.

Usage: .venv/bin/python bench/bench_queue.py [--seconds 10] [--workers 4] [--clients 16]
       [--database-url postgres://postgres@127.0.0.1:5432/mpp_bench_queue] [--port 8765]
       [--cache-url redis://127.0.0.1:6379/15] [--only-kiosk]

It creates (drops and re-creates) the benchmark database, seeds one mall with 16 counters,
officers, a kiosk and a board, starts gunicorn (DEBUG off, persistent DB connections) and
measures, each for --seconds:

1. baseline: a naive write endpoint (number = max()+1, no lock; only in this benchmark's
   URLconf, bench/queue_naive_urls.py) — its rate, and how many duplicate numbers it made;
2. ticket issue through the kiosk API (device token): rate, p50, p99, duplicates;
3. full lifecycles: 16 officers each call-next → start → finish through the API while the
   kiosks keep issuing; completed lifecycles per second;
4. the display board state (cached 1 s) with a board token;
5. ticket issue through the kiosk *page* (HTML form, device session, CSRF, a fresh issue token
   per tap, so idempotency is included), twice in the same run: at a mall with no hours entered
   (the hours check answers at once: the path as it was before issue 15) and at a mall with
   weekly hours, a last-ticket cut-off, closures and a daily cap (the full check).

The load generator runs on the same 2 cores as the server and the database, so every figure
is a floor for a machine where they are separate. The kiosk-page rows send their taps with
bench/rawhttp.py (`--http-client stdlib`: http.client, as before 2026-12-02) and give the
generator's own CPU per ticket.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import rawhttp  # bench/, beside this file

REPO_ROOT = Path(__file__).resolve().parent.parent
PORT = 8765  # --port
HTTP_CLIENT = "raw"  # --http-client


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rsa_pem() -> str:
    """A throwaway OIDC signing key: production mode refuses to start without one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="False",
        SECRET_KEY="bench-" + secrets.token_hex(24),
        CITIZEN_DATA_KEY=secrets.token_hex(32),
        ACCESS_LOG_KEY=secrets.token_hex(32),
        FACE_TEMPLATE_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        OIDC_RSA_PRIVATE_KEYS=rsa_pem(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        DB_CONN_MAX_AGE="600",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


def recreate_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SEED = r"""
import json, secrets
from datetime import date, time
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from mpp.accounts.models import Role, User
from mpp.registry.models import Agency, Counter, Mall, OfficerPosting, Service, Tenancy
from mpp.visits.devices import device_issue
from mpp.visits.models import DeviceKind

call_command("migrate", verbosity=0)
call_command("load_reference_data", skip_villages=True, verbosity=0)
mall = Mall.objects.get(code="mpp-31")
manager = User.objects.create_user("bench-manager", role=Role.MALL_MANAGER)
mall.managers.add(manager)
agency = Agency.objects.get(code="dukcapil")
Tenancy.objects.get_or_create(mall=mall, agency=agency)
services = [Service.objects.create(mall=mall, agency=agency, name=f"Layanan {p}", slug=f"l-{p}",
            ticket_prefix=p) for p in "ABCD"]
officers = []  # they sign in over HTTP: password, then a TOTP code
for number in range(16):
    counter = Counter.objects.create(mall=mall, number=str(number + 1), agency=agency)
    counter.services.set(services)
    password = secrets.token_urlsafe(16)
    officer = User.objects.create_user(f"bench-officer-{number}", password=password,
                                       role=Role.COUNTER_OFFICER)
    OfficerPosting.objects.create(officer=officer, mall=mall, agency=agency)
    officers.append({"counter": counter.pk, "username": officer.username, "password": password})
_, kiosk = device_issue(mall=mall, kind=DeviceKind.KIOSK, name="bench kiosk", by=manager)
_, board = device_issue(mall=mall, kind=DeviceKind.BOARD, name="bench board", by=manager)

from datetime import timedelta
from mpp.registry.models import Closure, OpeningHours
from mpp.visits.devices import SESSION_KEY as DEVICE_SESSION_KEY

def kiosk_page_mall(code, hours):
    # A mall whose kiosk page issues tickets: its services, a device session (as after
    # activation at /queue/device/) and, when `hours`, the full set of rules to check.
    other = Mall.objects.get(code=code)
    other.managers.add(manager)
    Tenancy.objects.get_or_create(mall=other, agency=agency)
    rules = {"last_ticket_minutes": 1, "daily_ticket_cap": 10_000_000} if hours else {}
    page_services = [Service.objects.create(mall=other, agency=agency, name=f"Layanan {p}",
                     slug=f"k-{p}", ticket_prefix=p, **rules).pk for p in "EFGH"]
    if hours:  # open round the clock (so the run never falls outside), closures ahead
        for weekday in range(7):
            OpeningHours.objects.create(mall=other, weekday=weekday, opens_at=time(0),
                                        closes_at=time(23, 59, 59))
        today = other.local_now().date()
        for days in (3, 10):
            Closure.objects.create(mall=other, date=today + timedelta(days=days), reason="bench")
    device, _ = device_issue(mall=other, kind=DeviceKind.KIOSK, name="bench page", by=manager)
    store = SessionStore()
    store[DEVICE_SESSION_KEY] = device.pk
    store.create()
    return {"code": other.code, "mall_id": other.pk, "services": page_services,
            "session": store.session_key}

print(json.dumps({"mall": mall.code, "mall_id": mall.pk, "services": [s.pk for s in services],
                  "officers": officers, "kiosk": kiosk, "board": board,
                  "page_plain": kiosk_page_mall("mpp-7371", hours=False),
                  "page_hours": kiosk_page_mall("mpp-6202", hours=True)}))
"""


def seed(env: dict) -> dict:
    # Production mode serves hashed static files: collected first, as a deployment does
    # (the sign-in pages render templates that name them).
    env.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="mpp-bench-static-"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_server(env: dict, workers: int, wsgi: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,  # the virtual environment's, wherever it lives
            "-m",
            "gunicorn",
            wsgi,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=REPO_ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def request(method: str, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    payload = json.dumps(body) if body is not None else None
    all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    all_headers.update(headers or {})
    started = time.perf_counter()
    conn.request(method, path, payload, all_headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, data, elapsed


def post_form(path: str, fields: dict, headers: dict):
    from urllib.parse import urlencode

    body = urlencode(fields)
    all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    all_headers.update(headers)
    if HTTP_CLIENT == "stdlib":
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        started = time.perf_counter()
        conn.request("POST", path, body, all_headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        return response.status, response.getheader("Location", ""), elapsed
    status, head, _, elapsed = rawhttp.exchange(PORT, "POST", path, body.encode(), all_headers)
    return status, rawhttp.header(head, "Location"), elapsed


def officer_sign_in(username: str, password: str) -> dict:
    """Sign in as an officer would on the first day: the login form, then the two-factor
    set-up page (its key typed into an authenticator, here computed), confirmed with the
    app's six-digit code. Returns the headers of the verified session for the API."""
    import re
    import urllib.parse
    import urllib.request
    from base64 import b32decode
    from http.cookiejar import CookieJar

    from django_otp.oath import totp

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{PORT}"

    def page(path: str, fields: dict | None = None) -> str:
        data = None
        if fields is not None:
            csrf = next(c.value for c in jar if c.name == "csrftoken")
            data = urllib.parse.urlencode(fields | {"csrfmiddlewaretoken": csrf}).encode()
        with opener.open(base + path, data, timeout=30) as response:  # noqa: S310 (loopback)
            return response.read().decode()

    page("/accounts/login/")
    page("/accounts/login/", {"username": username, "password": password})
    setup = page("/accounts/two-factor/setup/")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7=]+)<', setup)
    if secret is None:
        raise RuntimeError(f"{username}: the sign-in did not reach the two-factor set-up")
    done = page("/accounts/two-factor/setup/", {"token": f"{totp(b32decode(secret[1])):06d}"})
    if 'name="token"' in done:  # the form came back: the code was refused
        raise RuntimeError(f"{username}: the authenticator code was refused")
    cookies = {c.name: c.value for c in jar}
    return {
        "Cookie": f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}",
        "X-CSRFToken": cookies["csrftoken"],
    }


def kiosk_page_issue(
    page: dict, clients: int, seconds: float, twice_every: int = 10, before: bool = False
):
    """Taps on the kiosk page's "take a number" button: a fresh issue token per form; every
    `twice_every`-th form is sent twice (a double tap), which must give the same ticket.
    `before`: the path as it was before the claim moved into the ticket's transaction
    (bench/queue_naive_urls.py), for the comparison in the same run."""
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"sessionid={page['session']}; csrftoken={csrf}"}
    path = f"/queue/{page['code']}/kiosk/issue/"
    if before:
        path = f"/bench/kiosk-issue-before/{page['code']}/"
    double_taps = {"same": 0, "different": 0}
    lock = threading.Lock()
    counter = [0]

    def tap(i):
        with lock:
            counter[0] += 1
            nth = counter[0]
        fields = {
            "csrfmiddlewaretoken": csrf,
            "service": page["services"][i % len(page["services"])],
            "priority": "",
            "issue_token": secrets.token_hex(16),
        }
        status, location, elapsed = post_form(path, fields, headers)
        if status == 302 and nth % twice_every == 0:
            again, second, _ = post_form(path, fields, headers)
            with lock:
                double_taps["same" if (again, second) == (302, location) else "different"] += 1
        return elapsed, status == 302 and "/print/" in location

    cpu = rawhttp.generator_cpu()
    n, lat, err = run_clients(clients, seconds, tap)
    double_taps["generator_ms"] = (rawhttp.generator_cpu() - cpu) / max(n, 1) * 1000
    return n, lat, err, double_taps


def run_clients(clients: int, seconds: float, work) -> tuple[int, list[float], int]:
    """Run `work(index)` in a loop in `clients` threads; it returns (latency, ok)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(index):
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            elapsed, ok = work(index)
            if ok:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors[0]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def duplicates(env: dict, mall_id: int, prefix: str | None = None) -> tuple[int, int]:
    code = (
        "from django.db.models import Count; from mpp.visits.models import Ticket;"
        f"t = Ticket.objects.filter(mall_id={mall_id});"
        + (f"t = t.filter(prefix={prefix!r});" if prefix else "t = t.exclude(prefix='Z');")
        + "d = t.values('prefix','local_date','number').annotate(n=Count('id')).filter(n__gt=1);"
        "print(t.count(), sum(r['n'] - 1 for r in d))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    total, dup = out.stdout.split()[-2:]
    return int(total), int(dup)


def main() -> None:
    global PORT, HTTP_CLIENT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/mpp_bench_queue"
    )
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--cache-url", default="", help="the shared cache (default: database)")
    parser.add_argument("--only-kiosk", action="store_true", help="only row 5 (kiosk page)")
    parser.add_argument(
        "--http-client",
        choices=["raw", "stdlib"],
        default="raw",
        help="the kiosk page's client: bench/rawhttp.py (default) or http.client (as before)",
    )
    args = parser.parse_args()
    PORT, HTTP_CLIENT = args.port, args.http_client
    env = server_env(args.database_url)
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    log("re-creating the benchmark database")
    recreate_database(args.database_url)
    log("migrating and seeding one mall, 16 counters and officers")
    fixture = seed(env)
    log(f"starting gunicorn with {args.workers} workers")
    server = start_server(env, args.workers, "bench.queue_naive_wsgi:application")
    rows = []
    try:
        kiosk = {"Authorization": f"Device {fixture['kiosk']}"}
        services = fixture["services"]
        if not args.only_kiosk:
            api_rows(args, env, fixture, kiosk, services, rows)
        full = "hours + cut-off + closures + daily cap"
        for key, before, label in [
            ("page_plain", False, "Issue ticket (kiosk page, no hours entered)"),
            ("page_hours", True, f"Kiosk page, {full}: the path before (claim in the cache)"),
            ("page_hours", False, f"Issue ticket (kiosk page, {full})"),
        ]:
            log(f"5/5 {label}, {args.clients} clients")
            page = fixture[key]
            stored_before, _ = duplicates(env, page["mall_id"])
            n, lat, err, taps = kiosk_page_issue(page, args.clients, args.seconds, before=before)
            stored, dup = duplicates(env, page["mall_id"])
            note = (
                f"double taps: {taps['same']} gave the same ticket, {taps['different']} not; "
                f"{stored - stored_before} tickets stored for {n} forms, {dup} duplicate numbers; "
                f"load generator {taps['generator_ms']:.2f} ms CPU per ticket ({HTTP_CLIENT})"
            )
            rows.append((label, n / args.seconds, pct(lat, 0.5), pct(lat, 0.99), err, note))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    report(args, rows)


def api_rows(args, env, fixture, kiosk, services, rows) -> None:
    """Rows 1-4: the naive baseline, the kiosk API, whole lifecycles, the board."""
    log(f"1/4 baseline: naive max()+1 write endpoint, {args.clients} clients")

    collided = [0]

    def naive(i):
        status, _, elapsed = request("POST", f"/bench/naive-issue/{services[0]}/")
        if status == 409:
            collided[0] += 1  # a race: the unique constraint refused a duplicate number
        return elapsed, status in (201, 409)

    n, lat, err = run_clients(args.clients, args.seconds, naive)
    rows.append(
        (
            "Baseline: naive write (max()+1, no lock)",
            n / args.seconds,
            pct(lat, 0.5),
            pct(lat, 0.99),
            err,
            f"{collided[0]} of {n} attempts picked a number already taken",
        )  # fmt: skip
    )

    log(f"2/4 ticket issue through the kiosk API, {args.clients} clients")

    def issue(i):
        body = {"service": services[i % len(services)]}
        status, _, elapsed = request("POST", "/api/v1/queue/tickets/", body, kiosk)
        return elapsed, status == 201

    n, lat, err = run_clients(args.clients, args.seconds, issue)
    total, dup = duplicates(env, fixture["mall_id"])
    rows.append(
        (
            "Issue ticket (kiosk API)",
            n / args.seconds,
            pct(lat, 0.5),
            pct(lat, 0.99),
            err,
            f"{dup} duplicate numbers of {total}",
        )  # fmt: skip
    )

    log("3/4 full lifecycles: 16 officers call → start → finish, kiosks keep issuing")
    officers = fixture["officers"]
    for officer in officers:
        headers = officer_sign_in(officer["username"], officer["password"])
        officer["headers"] = headers
        status, data, _ = request(
            "POST", f"/api/v1/queue/counters/{officer['counter']}/open/", None, headers
        )
        if status != 200:
            raise RuntimeError(f"opening counter {officer['counter']}: {status} {data[:200]}")
    completed = [0]
    lock = threading.Lock()

    def lifecycle(i):
        officer = officers[i % len(officers)]
        h = officer["headers"]
        started = time.perf_counter()
        request("POST", "/api/v1/queue/tickets/", {"service": services[i % 4]}, kiosk)
        status, data, _ = request(
            "POST", f"/api/v1/queue/counters/{officer['counter']}/call-next/", None, h
        )
        ticket = json.loads(data).get("ticket") if status == 200 else None
        if not ticket:
            return time.perf_counter() - started, False
        uuid = ticket["uuid"]
        request("POST", f"/api/v1/queue/tickets/{uuid}/start/", None, h)
        status, _, _ = request(
            "POST", f"/api/v1/queue/tickets/{uuid}/finish/", {"outcome": "completed"}, h
        )
        if status == 200:
            with lock:
                completed[0] += 1
        return time.perf_counter() - started, status == 200

    n, lat, err = run_clients(len(officers), args.seconds, lifecycle)
    rows.append(
        (
            "Full lifecycle (issue+call+start+finish, 4 requests)",
            n / args.seconds,
            pct(lat, 0.5),
            pct(lat, 0.99),
            err,
            f"{completed[0]} visits completed",
        )  # fmt: skip
    )

    log(f"4/4 display board state, {args.clients * 2} clients")
    board = {"Authorization": f"Device {fixture['board']}"}

    def board_get(i):
        status, _, elapsed = request(
            "GET", f"/api/v1/queue/malls/{fixture['mall']}/board/", None, board
        )
        return elapsed, status == 200

    n, lat, err = run_clients(args.clients * 2, args.seconds, board_get)
    rows.append(
        ("Board state (cached 1 s)", n / args.seconds, pct(lat, 0.5), pct(lat, 0.99), err, "")
    )


def report(args, rows) -> None:
    print(
        f"\nQueue over HTTP — gunicorn {args.workers} sync workers + PostgreSQL, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {args.seconds:.0f} s each, "
        f"{args.clients} clients (load generator on the same machine)\n"
    )
    print("| Measure | per second | p50 ms | p99 ms | errors | notes |")
    print("|---|---:|---:|---:|---:|---|")
    for name, rate, p50, p99, err, note in rows:
        print(f"| {name} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {err} | {note} |")
    print(
        "\nLifecycles per second count whole visits (4 requests each). Median of latencies is "
        "per request for rows 1, 2, 4, 5 and per whole lifecycle for row 3. Kiosk-page rates "
        "count first taps only (the second tap of a double tap is not counted)."
    )


if __name__ == "__main__":
    main()
