"""Sign-in with MPP over HTTP: the token endpoint and userinfo, gunicorn + PostgreSQL.

Usage: python bench/oidc.py [--seconds 10] [--workers 3] [--clients 8] [--baseline REF]
       [--rounds 1] [--port 8183]
       [--database-url postgres://postgres@127.0.0.1:5432/mpp_bench_oidc]

With --baseline REF (a commit, e.g. the branch point), the same measurement also runs on
that commit's code (exported with `git archive` into a temporary directory, its own
migrations, its own fresh database: the URL's name + `_old`, its own gunicorn on --port + 1):
old and new in one table, one run. Both servers are up together and the windows alternate
(old token, new token, old userinfo, new userinfo), --rounds times: on a machine shared with
other work, a change in the background load then hits both sides alike. The table gives the
requests per second over all rounds and, with --rounds > 1, each round's figure.

It re-creates the benchmark database, seeds a citizen, a confidential agency client and the
citizen's sign-in consent, then many authorization codes (PKCE S256, as the consent screen
makes them) and access tokens, starts gunicorn (DEBUG off, persistent DB connections) and
measures, each for --seconds:

1. the token endpoint: a code + verifier + client secret → access, refresh and signed ID
   token (one code per request, as in real use);
2. userinfo: a bearer token → the granted fields, through the one access function, with the
   access record written (counted in the table: records written per request).

The load generator runs on the same 2 cores as the server and the database: the figures are
a floor for a machine where they are separate.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


import bench_queue as bq  # noqa: E402 (the same production-mode server environment)
import rawhttp  # noqa: E402 (bench/rawhttp.py: the generator's HTTP client)

HTTP_CLIENT = {"name": "raw"}  # --http-client

recreate_database = bq.recreate_database


def server_env(database_url: str) -> dict:
    return bq.server_env(database_url) | {"LOG_LEVEL": "ERROR"}


SEED = r"""
import json, os, secrets
from datetime import date, timedelta
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant
from mpp.accounts.models import Role, User
from mpp.citizens import access
from mpp.citizens.services import citizen_create
from mpp.identity.models import SignIn, code_digest
from mpp.identity.services import agency_client_register, sign_in_consent_record
from mpp.registry.models import Agency

with open(os.devnull, "w") as quiet:
    call_command("migrate", verbosity=0, stdout=quiet)
    call_command("load_reference_data", skip_villages=True, verbosity=0, stdout=quiet)
user = User.objects.create_user("bench-citizen", password=secrets.token_hex(8), role=Role.CITIZEN)
person = citizen_create(nik="3171014505900001", full_name="Siti Nurhaliza",
                        birth_date=date(1990, 5, 5), phone="081234567890", user=user)
access.profile_write(citizen=person, changes={"address": "Jl. Merdeka 1", "rt": "001"})
person.save()
client, secret = agency_client_register(
    agency=Agency.objects.get(code="bpjs-kesehatan"), display_name="Sistem BPJS Kesehatan",
    redirect_uris=["https://bpjs.example.org/cb"], scopes=["identity", "address"],
    confidential=True, by=None)
scopes = ["openid", "identity", "address"]
consent = sign_in_consent_record(citizen=person, client=client, scopes=scopes, days=30, by=user)
app = client.application
CHALLENGE = os.environ["BENCH_CHALLENGE"]
later = timezone.now() + timedelta(hours=2)
codes = [secrets.token_urlsafe(30) for _ in range(int(os.environ["BENCH_CODES"]))]
Grant.objects.bulk_create([
    Grant(user=user, application=app, code=c, expires=later, redirect_uri="https://bpjs.example.org/cb",
          scope=" ".join(scopes), code_challenge=CHALLENGE, code_challenge_method="S256", nonce="n")
    for c in codes])
SignIn.objects.bulk_create([
    SignIn(code_digest=code_digest(c), user=user, application=app, consent=consent, scopes=scopes,
           acr="urn:mpp:acr:password", amr=["pwd"], auth_time=timezone.now()) for c in codes])
tokens = [secrets.token_urlsafe(30) for _ in range(200)]
AccessToken.objects.bulk_create([
    AccessToken(user=user, application=app, token=t, expires=later, scope=" ".join(scopes))
    for t in tokens])
print(json.dumps({"client_id": app.client_id, "secret": secret, "codes": codes, "tokens": tokens}))
"""


def seed(env: dict, codes: int, challenge: str) -> dict:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEED],
        cwd=env["PYTHONPATH"],
        env=env | {"BENCH_CODES": str(codes), "BENCH_CHALLENGE": challenge},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def access_records(env: dict) -> int:
    code = "from mpp.citizens.models import AccessRecord; print(AccessRecord.objects.count())"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=env["PYTHONPATH"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.split()[-1])


def start_server(env: dict, workers: int, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=env["PYTHONPATH"],
        env=env,
        start_new_session=True,
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/oidc/.well-known/openid-configuration")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


class Keepalive(threading.local):
    conns: dict | None = None


_local = Keepalive()


def request(
    port: int, method: str, path: str, body: str | None, headers: dict
) -> tuple[int, bytes, float]:
    if HTTP_CLIENT["name"] == "raw":
        payload = body.encode() if body is not None else b""
        status, _head, data, elapsed = rawhttp.exchange(port, method, path, payload, headers)
        return status, data, elapsed
    if _local.conns is None:
        _local.conns = {}
    conn = _local.conns.get(port)
    if conn is None:
        conn = _local.conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        _local.conns.pop(port, None)
        return 0, b"", time.perf_counter() - started
    if response.getheader("Connection", "").lower() == "close":
        conn.close()
        _local.conns.pop(port, None)
    return response.status, data, time.perf_counter() - started


def run_clients(clients: int, seconds: float, work) -> tuple[int, list[float], int, float]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(index):
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            result = work(index)
            if result is None:
                break
            elapsed, ok = result
            if ok:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors[0], time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


REDEEM_ROW = "token (code + PKCE + secret → tokens, ID token signed)"
USERINFO_ROW = "userinfo (granted fields, access record written)"


class Target:
    """One tree's code: its database (seeded) and its gunicorn, measured window by window."""

    def __init__(self, tree: Path, label: str, database_url: str, port: int, args):
        self.tree, self.label, self.database_url, self.port = tree, label, database_url, port
        self.args = args
        self.env = server_env(database_url) | {"PYTHONPATH": str(tree)}
        self.server = None
        # per endpoint: requests, seconds, latencies, errors, each round's req/s
        # … and the load generator's CPU seconds
        self.results = {name: [0, 0.0, [], 0, [], 0.0] for name in (REDEEM_ROW, USERINFO_ROW)}
        self.records_written = 0

    def start(self) -> None:
        self.verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(self.verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        codes = self.args.codes * self.args.rounds
        log(f"[{self.label}] re-creating {self.database_url.rsplit('/', 1)[1]}")
        recreate_database(self.database_url)
        log(f"[{self.label}] migrating and seeding a citizen, a client, {codes} codes, 200 tokens")
        self.fixture = seed(self.env, codes, challenge)
        self.codes = list(self.fixture["codes"])
        self.codes_lock = threading.Lock()
        log(f"[{self.label}] starting gunicorn with {self.args.workers} workers on :{self.port}")
        self.server = start_server(self.env, self.args.workers, self.port)
        request(self.port, "GET", "/oidc/.well-known/jwks.json", None, {})  # warm the workers

    def stop(self) -> None:
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait(timeout=30)
            self.server = None

    def _token(self, _index):
        with self.codes_lock:
            if not self.codes:
                return None
            code = self.codes.pop()
        body = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "https://bpjs.example.org/cb",
                "code_verifier": self.verifier,
                "client_id": self.fixture["client_id"],
                "client_secret": self.fixture["secret"],
            }
        )
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, data, elapsed = request(self.port, "POST", "/oidc/token/", body, form)
        return elapsed, status == 200 and b"id_token" in data

    def _userinfo(self, index):
        tokens = self.fixture["tokens"]
        auth = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
        status, data, elapsed = request(self.port, "GET", "/oidc/userinfo/", None, auth)
        return elapsed, status == 200 and b'"sub"' in data and b"Siti" in data

    def window(self, name: str) -> None:
        log(f"[{self.label}] {name.split()[0]}")
        before = access_records(self.env) if name == USERINFO_ROW else 0
        work = self._token if name == REDEEM_ROW else self._userinfo
        cpu = rawhttp.generator_cpu()
        n, lat, errors, wall = run_clients(self.args.clients, self.args.seconds, work)
        cpu = rawhttp.generator_cpu() - cpu
        if name == USERINFO_ROW:
            self.records_written += access_records(self.env) - before
        total = self.results[name]
        total[0] += n
        total[1] += wall
        total[2] += lat
        total[3] += errors
        total[4].append(n / wall)
        total[5] += cpu

    def rows(self) -> list[tuple]:
        rows = []
        for name, (n, wall, lat, errors, rounds, cpu) in self.results.items():
            per = "—" if name == REDEEM_ROW else f"{self.records_written / max(n, 1):.2f}"
            generator_ms = cpu / max(n, 1) * 1000
            rows.append((self.label, name, n, wall, lat, errors, per, generator_ms, rounds))
        return rows


def exported(ref: str) -> Path:
    """`ref`'s tree in a temporary directory (git archive: no worktree, no checkout)."""
    target = Path(tempfile.mkdtemp(prefix="bench-oidc-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--codes", type=int, default=6000, help="codes seeded per round")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--port", type=int, default=8183, help="this tree's; the old's is +1")
    parser.add_argument("--baseline", default="", help="a commit to measure beside (old code)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/mpp_bench_oidc"
    )
    parser.add_argument(
        "--http-client",
        choices=["raw", "stdlib"],
        default="raw",
        help="the generator's client: bench/rawhttp.py (default) or http.client (as before)",
    )
    args = parser.parse_args()
    HTTP_CLIENT["name"] = args.http_client
    targets = []
    old_tree = exported(args.baseline) if args.baseline else None
    if old_tree is not None:
        label = f"old ({args.baseline[:10]})"
        targets.append(Target(old_tree, label, args.database_url + "_old", args.port + 1, args))
    label = "new" if args.baseline else "this tree"
    targets.append(Target(REPO_ROOT, label, args.database_url, args.port, args))
    try:
        for target in targets:
            target.start()
        load_before = os.getloadavg()
        for _round in range(args.rounds):
            for name in (REDEEM_ROW, USERINFO_ROW):
                for target in targets:
                    target.window(name)
        load_after = os.getloadavg()
    finally:
        for target in targets:
            target.stop()
        if old_tree is not None:
            shutil.rmtree(old_tree, ignore_errors=True)

    print(
        f"\nSign-in with MPP over HTTP — gunicorn {args.workers} sync workers + PostgreSQL, "
        f"{args.clients} client threads ({args.http_client} HTTP client) on the same machine "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores), "
        f"{args.rounds} × {args.seconds:.0f} s each, old and new windows alternating; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after\n"
    )
    each = " | req/s per round" if args.rounds > 1 else ""
    print(
        "| code | endpoint | requests | req/s | p50 ms | p99 ms | errors "
        f"| access records / request | generator CPU ms / request{each} |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---|" if each else ""))
    rows = [row for target in targets for row in target.rows()]
    rows.sort(key=lambda row: (row[1] != REDEEM_ROW, row[0] == "new"))
    for label, name, n, wall, lat, errors, per, generator_ms, rounds in rows:
        line = (
            f"| {label} | {name} | {n} | {n / max(wall, 1e-9):.0f} | {pct(lat, 0.5):.1f} "
            f"| {pct(lat, 0.99):.1f} | {errors} | {per} | {generator_ms:.2f} |"
        )
        if each:
            line += " " + ", ".join(f"{r:.0f}" for r in rounds) + " |"
        print(line)


if __name__ == "__main__":
    main()
