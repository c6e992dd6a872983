"""Sign-in with MPP over HTTP: the token endpoint and userinfo, gunicorn + PostgreSQL.

Usage: python bench/oidc.py [--seconds 10] [--workers 3] [--clients 8] [--baseline REF]
       [--database-url postgres://postgres@127.0.0.1:5432/mpp_bench_oidc]

With --baseline REF (a commit, e.g. the branch point), the same measurement first runs on
that commit's code (exported with `git archive` into a temporary directory, its own
migrations, a fresh database) and then on this tree: old and new in one table, one run.

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
PORT = 8183
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


import bench_queue as bq  # noqa: E402 (the same production-mode server environment)

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


def start_server(env: dict, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
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
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/oidc/.well-known/openid-configuration")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Keepalive(threading.local):
    conn: http.client.HTTPConnection | None = None


_local = Keepalive()


def request(method: str, path: str, body: str | None, headers: dict) -> tuple[int, bytes, float]:
    if _local.conn is None:
        _local.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    started = time.perf_counter()
    try:
        _local.conn.request(method, path, body, headers)
        response = _local.conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        _local.conn.close()
        _local.conn = None
        return 0, b"", time.perf_counter() - started
    if response.getheader("Connection", "").lower() == "close":
        _local.conn.close()
        _local.conn = None
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


def measure(tree: Path, label: str, args) -> list[tuple]:
    """Seed a fresh database with `tree`'s code, serve it with gunicorn, measure both rows."""
    env = server_env(args.database_url) | {"PYTHONPATH": str(tree)}
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    log(f"[{label}] re-creating the benchmark database")
    recreate_database(args.database_url)
    log(f"[{label}] migrating and seeding a citizen, a client, {args.codes} codes, 200 tokens")
    fixture = seed(env, args.codes, challenge)
    log(f"[{label}] starting gunicorn with {args.workers} workers")
    server = start_server(env, args.workers)
    rows = []
    try:
        codes = list(fixture["codes"])
        codes_lock = threading.Lock()
        form = {"Content-Type": "application/x-www-form-urlencoded"}

        def token(_index):
            with codes_lock:
                if not codes:
                    return None
                code = codes.pop()
            body = urllib.parse.urlencode(
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": "https://bpjs.example.org/cb",
                    "code_verifier": verifier,
                    "client_id": fixture["client_id"],
                    "client_secret": fixture["secret"],
                }
            )
            status, data, elapsed = request("POST", "/oidc/token/", body, form)
            return elapsed, status == 200 and b"id_token" in data

        request("GET", "/oidc/.well-known/jwks.json", None, {})  # warm the workers
        log(f"[{label}] token endpoint")
        n, lat, errors, wall = run_clients(args.clients, args.seconds, token)
        rows.append((label, "token (code + PKCE + secret → tokens, ID token signed)"))
        rows[-1] += (n, wall, lat, errors, "—")

        tokens = fixture["tokens"]
        before = access_records(env)

        def userinfo(index):
            auth = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
            status, data, elapsed = request("GET", "/oidc/userinfo/", None, auth)
            return elapsed, status == 200 and b'"sub"' in data and b"Siti" in data

        log(f"[{label}] userinfo")
        n, lat, errors, wall = run_clients(args.clients, args.seconds, userinfo)
        written = access_records(env) - before
        rows.append((label, "userinfo (granted fields, access record written)"))
        rows[-1] += (n, wall, lat, errors, f"{written / max(n, 1):.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        _local.conn = None
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
    parser.add_argument("--codes", type=int, default=6000)
    parser.add_argument("--baseline", default="", help="a commit to measure first (old code)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/mpp_bench_oidc"
    )
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()
    if args.baseline:
        old = exported(args.baseline)
        try:
            rows += measure(old, f"old ({args.baseline[:10]})", args)
        finally:
            shutil.rmtree(old, ignore_errors=True)
    rows += measure(REPO_ROOT, "new" if args.baseline else "this tree", args)
    load_after = os.getloadavg()

    print(
        f"\nSign-in with MPP over HTTP — gunicorn {args.workers} sync workers + PostgreSQL, "
        f"{args.clients} client threads on the same machine "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores), "
        f"{args.seconds:.0f} s each; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after\n"
    )
    print(
        "| code | endpoint | requests | req/s | p50 ms | p99 ms | errors "
        "| access records / request |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for label, name, n, wall, lat, errors, per in rows:
        print(
            f"| {label} | {name} | {n} | {n / wall:.0f} | {pct(lat, 0.5):.1f} "
            f"| {pct(lat, 0.99):.1f} | {errors} | {per} |"
        )


if __name__ == "__main__":
    main()
