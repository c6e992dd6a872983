"""A mall's busiest hour, ×1, ×10 or ×30, over HTTP: gunicorn + PostgreSQL on this machine.

Usage: .venv/bin/python bench/loadgen.py [--scale 10] [--seconds 60] [--compress 60]
       [--workers 4] [--database-url postgres://postgres@127.0.0.1:5432/mpp_bench_load]

The model (one "mall" = one mall's peak hour; ×N runs N malls at once on one server):
- kiosks issue tickets as a Poisson stream of ARRIVALS_PER_HOUR (240) per mall;
- COUNTERS (12) officers per mall open their counter at a random moment of the first
  OPEN_SPREAD_MINUTES (2; the first quarter of a shorter run) — as at a real opening, not all
  in the same second — then call the next ticket, start, serve for an exponential
  time of mean SERVICE_MINUTES (3), finish, and call again (IDLE_CALL_SECONDS, 5, later when
  nobody waits);
- BOARDS (2) display boards per mall poll the board state every real second;
- each citizen opens the ticket page once issued and again every CITIZEN_POLL_MINUTES (5)
  while waiting;
- BOOKED_PER_HOUR (60) people per mall arrive with a booking made earlier (seeded for today,
  slots spread over the run) and check in at the kiosk by its code (`queue/bookings/check-in/`);
  one in ten taps twice (the second answer must be a refusal, never a second ticket);
- FACE_PER_HOUR (12) people per mall check in by face at a face kiosk, through the kiosk pages
  as face.js does: NIK claim, the camera page's prompt, a burst of 16 JPEG frames made from real
  photographs (John Simm of the test set, turning; a mirrored burst for "turn right") checked
  by the real model, the greeting, the service → a ticket carrying the citizen. The generator
  cannot act "come closer": a visitor given that prompt presses back and claims again (counted
  as `face redraw`, as a real visitor's failed try would be);
- SURVEY_SHARE (30 %) of the people served fill in the IKM questionnaire at the mall's survey
  kiosk (`quality/responses/`, device token) SURVEY_AFTER_MINUTES (2) after they finish.
Rates are real (`--compress 1`, the default): ×10 is ten malls at their peak at once.
`--compress 60` runs simulated time 60 times faster (a peak hour in a minute: 60 times the
issue, call and page rates, a stress test, not the ×N load); board polls stay at one per
real second. It drops and re-creates the benchmark database, seeds the malls,
starts gunicorn on 127.0.0.1:8142 (DEBUG off, persistent connections; MFA off for the
seeded officers' sessions), runs, then prints p50/p99 and errors per request kind and checks
the queue invariants: no duplicate number, no ticket called twice, every finished ticket
counted once in its day's rollup, every issued ticket counted once, every booking checked in
once with its one ticket, every face check-in's ticket carrying its citizen, every survey
answered 201 stored once.

The generator runs on the same 2 cores as the server and the database: every figure is a
floor for a machine where they are separate.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_queue as bq  # noqa: E402 (the same server, database and request helpers)

bq.PORT = 8142
ARRIVALS_PER_HOUR, COUNTERS, BOARDS = 240, 12, 2
SERVICE_MINUTES, CITIZEN_POLL_MINUTES, IDLE_CALL_SECONDS = 3.0, 5.0, 5.0
BOOKED_PER_HOUR, FACE_PER_HOUR, FACE_CITIZENS = 60, 12, 10
SURVEY_SHARE, SURVEY_AFTER_MINUTES = 0.3, 2.0
OPEN_SPREAD_MINUTES = 2.0  # officers open their counters over the first minutes, not at once

SEED = r"""
import json
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from datetime import date, timedelta
from django.utils import timezone
from mpp import biometrics as bio
from mpp.accounts.models import Role, User
from mpp.biometrics.tests.conftest import face_path, jpeg_bytes
from mpp.citizens.models import FaceMallSettings, Purpose
from mpp.citizens.services import citizen_create, consent_grant
from mpp.citizens.services.faces import face_template_store
from mpp.citizens.vocabulary import Category
from mpp.core.nik import nik_hash, nik_mask
from mpp.registry.models import Agency, Counter, Mall, OfficerPosting, Service, Tenancy
from mpp.visits.devices import SESSION_KEY as DEVICE_SESSION_KEY, device_issue
from mpp.visits.models import Booking, DeviceKind
from mpp.visits.services.bookings import _booking_code
from PIL import Image

call_command("migrate", verbosity=0)
call_command("load_reference_data", skip_villages=True, verbosity=0)
agency = Agency.objects.get(code="dukcapil")
# One enrolment of John Simm (the test set's photographs), stored for every face visitor.
enrolment = bio.template_enrol([jpeg_bytes(Image.open(face_path("John_Simm", n)).resize(
    (300, 300), Image.Resampling.LANCZOS)) for n in (1, 2, 5)])
assert enrolment.ok
now = timezone.now()
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
    _, survey = device_issue(mall=mall, kind=DeviceKind.KIOSK, name="survey", by=manager)
    face_kiosk, _ = device_issue(mall=mall, kind=DeviceKind.KIOSK, name="face", by=manager)
    store = SessionStore()
    store[DEVICE_SESSION_KEY] = face_kiosk.pk
    store.create()
    FaceMallSettings.objects.update_or_create(mall=mall, defaults={"face_alone_at_kiosk": True})
    niks = []
    for number in range(%(face_citizens)d):
        nik = f"620201010180{index * 100 + number + 1:04d}"
        citizen = citizen_create(nik=nik, full_name=f"Warga {index} {number}",
                                 birth_date=date(1980, 1, 1), phone=f"0812{index:03d}{number:05d}")
        consent = consent_grant(citizen=citizen, agency=agency, purpose=Purpose.BIOMETRIC,
                                categories=[Category.BIOMETRIC], days=365, by=None)
        face_template_store(citizen=citizen, template=enrolment.template, consent=consent,
                            by=None, mall=mall, frames_used=3)
        niks.append(nik)
    # Bookings made on earlier days for today's slots, spread over the run.
    today = mall.local_now().date()
    codes = []
    for number in range(%(bookings)d):
        starts = now + timedelta(minutes=%(horizon)f * (number + 1) / (%(bookings)d + 1))
        nik = f"317101010190{index * 1000 + number + 1:04d}"
        booking = Booking.objects.create(
            code=_booking_code(), mall=mall, service=services[number %% 3], date=today,
            slot_start=starts.astimezone(mall.tz).time().replace(second=0, microsecond=0),
            starts_at=starts, nik_hash=nik_hash(nik), nik_masked=nik_mask(nik),
            phone="081200000000", messages_off=True)
        codes.append(booking.code)
    malls.append({"code": mall.code, "id": mall.pk, "services": [s.pk for s in services],
                  "officers": officers, "kiosk": kiosk, "board": board, "survey": survey,
                  "face_session": store.session_key, "face_niks": niks, "bookings": codes})
print(json.dumps(malls))
"""

CHECK = r"""
import json
from django.db.models import Count, Sum
from mpp.citizens.models import FaceCheck
from mpp.surveys.models import SurveyResponse
from mpp.visits.models import Booking, DailyRollup, Ticket
t = Ticket.objects.all()
checked_in = Booking.objects.filter(status="checked_in")
dup = t.values("mall_id", "prefix", "local_date", "number").annotate(n=Count("id")).filter(n__gt=1)
r = DailyRollup.objects.aggregate(issued=Sum("issued"), served=Sum("served"))
print(json.dumps({"tickets": t.count(), "duplicate_numbers": sum(x["n"] - 1 for x in dup),
                  "finished": t.filter(status="finished").count(),
                  "rollup_issued": r["issued"] or 0, "rollup_served": r["served"] or 0,
                  "bookings_checked_in": checked_in.count(),
                  "booking_tickets": t.filter(channel="booking").count(),
                  "bookings_without_ticket": checked_in.filter(ticket__isnull=True).count(),
                  "face_tickets": t.filter(channel="face").count(),
                  "face_tickets_with_citizen": t.filter(channel="face", citizen__isnull=False)
                  .count(),
                  "face_checks_issued": FaceCheck.objects.filter(ticket_issued_at__isnull=False)
                  .count(),
                  "survey_responses": SurveyResponse.objects.filter(channel="kiosk").count()}))
"""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.finished_at = defaultdict(list)  # monotonic end of each answered request
        self.errors = defaultdict(int)
        self.gave_up = defaultdict(int)  # no answer (timeout, connection closed)
        self.error_samples = {}

    def record(self, kind: str, status: int, elapsed: float, ok_statuses=(200, 201)):
        with self.lock:
            if status in ok_statuses:
                self.latency[kind].append(elapsed)
                self.finished_at[kind].append(time.monotonic())
            else:
                self.errors[kind] += 1
                self.gave_up[kind] += status == 0
                self.error_samples.setdefault(kind, status)


def call(stats: Stats, kind: str, method: str, path: str, body=None, headers=None):
    try:
        status, data, elapsed = bq.request(method, path, body, headers)
    except OSError:
        stats.record(kind, 0, 0.0)
        return 0, b""
    stats.record(kind, status, elapsed)
    return status, data


def group_cpu_seconds(group: int) -> float:
    """CPU (user + system) used so far by the processes of a process group (gunicorn)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def page(stats: Stats, kind: str, method: str, path: str, headers: dict, body=None, ctype=""):
    """A kiosk page request (HTML form or multipart): (status, Location, body)."""
    from urllib.parse import urlencode

    all_headers = dict(headers)
    if isinstance(body, dict):
        body, ctype = urlencode(body), "application/x-www-form-urlencoded"
    if ctype:
        all_headers["Content-Type"] = ctype
    try:
        conn = http.client.HTTPConnection("127.0.0.1", bq.PORT, timeout=60)
        started = time.perf_counter()
        conn.request(method, path, body, all_headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        conn.close()
    except OSError:
        stats.record(kind, 0, 0.0)
        return 0, "", b""
    stats.record(kind, response.status, elapsed, ok_statuses=(200, 302))
    return response.status, response.getheader("Location", ""), data


def face_bursts() -> dict[str, list[bytes]]:
    """16-frame bursts of John Simm (the test photographs) turning left, and mirrored: right."""
    from PIL import Image, ImageOps

    from mpp.biometrics import attacks
    from mpp.biometrics.tests.conftest import face_path

    frontal, turned = (Image.open(face_path("John_Simm", n)).convert("RGB") for n in (4, 7))
    return {
        "left": attacks.burst_turn(frontal, turned),
        "right": attacks.burst_turn(ImageOps.mirror(frontal), ImageOps.mirror(turned)),
    }


def run(fixture: list, seconds: float, compress: float, bursts: dict) -> tuple[Stats, dict]:
    stats = Stats()
    open_spread = min(OPEN_SPREAD_MINUTES * 60 / compress, seconds / 4)  # real seconds
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

    extra = defaultdict(int)  # bookings tapped twice, face redraws, …
    surveys: list[tuple[float, str, int]] = []  # (due, survey token, service)
    surveys_lock = threading.Lock()

    def booked(mall):
        headers = {"Authorization": f"Device {mall['kiosk']}"}
        rate = BOOKED_PER_HOUR * compress / 3600.0
        local = random.Random(mall["id"])  # noqa: S311
        for number, code in enumerate(mall["bookings"]):
            stop.wait(local.expovariate(rate))
            if stop.is_set():
                return
            path = "/api/v1/queue/bookings/check-in/"
            status, data = call(stats, "booking check-in", "POST", path, {"code": code}, headers)
            if status == 201:
                uuid = json.loads(data)["uuid"]
                with waiting_lock:
                    waiting[uuid] = time.monotonic() + CITIZEN_POLL_MINUTES * 60 / compress
                if number % 10 == 9:  # a double tap: refused, never a second ticket
                    again, _, _ = bq.request("POST", path, {"code": code}, headers)
                    extra["booking taps refused" if again in (400, 409) else "booking twice"] += 1

    def face(mall):
        csrf = secrets.token_hex(16)
        headers = {"Cookie": f"sessionid={mall['face_session']}; csrftoken={csrf}"}
        base = f"/queue/{mall['code']}/kiosk/face/"
        rate = FACE_PER_HOUR * compress / 3600.0
        local = random.Random(mall["id"] + 1)  # noqa: S311
        niks = iter(mall["face_niks"] * 5)
        while not stop.is_set():
            stop.wait(local.expovariate(rate))
            for nik in niks:  # a visitor: tries until given a prompt they can act
                if stop.is_set():
                    return
                fields = {"csrfmiddlewaretoken": csrf, "nik": nik}
                status, camera, _ = page(stats, "face claim", "POST", base, headers, fields)
                if status != 302:
                    break
                status, _, html = page(stats, "face camera", "GET", camera, headers)
                text = html.decode("utf-8", "replace")
                side = "left" if "ke kiri" in text else "right" if "ke kanan" in text else None
                if status != 200 or side is None or "Dekatkan" in text:
                    extra["face redraw"] += 1
                    continue
                frames = [("frames", f"f{i}.jpg", f) for i, f in enumerate(bursts[side])]
                body, ctype = multipart({}, frames)
                status, _, answer = page(
                    stats,
                    "face frames",
                    "POST",
                    camera.replace("/camera/", "/frames/"),
                    headers | {"X-CSRFToken": csrf},
                    body,
                    ctype,
                )
                result = json.loads(answer or b"{}") if status == 200 else {}
                if not result.get("ok"):
                    extra["face refused"] += 1
                    break
                page(stats, "face hello", "GET", result["next"], headers)
                issue = camera.replace("/camera/", "/issue/")
                fields = {"csrfmiddlewaretoken": csrf, "service": mall["services"][0]}
                status, printed, _ = page(stats, "face issue", "POST", issue, headers, fields)
                if status == 302 and "/print/" in printed:
                    extra["face tickets"] += 1
                    uuid = printed.rstrip("/").split("/")[-2]
                    with waiting_lock:
                        waiting[uuid] = time.monotonic() + CITIZEN_POLL_MINUTES * 60 / compress
                break

    def survey_kiosks():
        local = random.Random(11)  # noqa: S311
        while not stop.is_set():
            now = time.monotonic()
            with surveys_lock:
                due = [x for x in surveys if x[0] <= now]
                surveys[:] = [x for x in surveys if x[0] > now]
            for _due, token, service in due:
                scores = {f"u{i}": local.randint(2, 4) for i in range(1, 10)}
                body = {"service": service, "scores": scores}
                headers = {"Authorization": f"Device {token}"}
                status, _ = call(
                    stats, "survey", "POST", "/api/v1/quality/responses/", body, headers
                )
                if status == 201:
                    extra["surveys stored"] += 1
            stop.wait(0.2)

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

    def officer(mall, person, seed):
        local = random.Random(seed)  # noqa: S311
        csrf = secrets.token_hex(16)
        headers = {
            "Cookie": f"sessionid={person['session']}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        base = f"/api/v1/queue/counters/{person['counter']}"
        stop.wait(local.uniform(0, open_spread))
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
            # Visits still open when the run stops are all finished at once: a burst no mall
            # sees (every officer at the same second), so it gets its own row.
            status, _ = call(
                stats,
                "finish at stop" if stop.is_set() else "finish",
                "POST",
                f"/api/v1/queue/tickets/{uuid}/finish/",
                {"outcome": "completed"},
                headers,
            )
            if status == 200 and local.random() < SURVEY_SHARE:
                due = time.monotonic() + SURVEY_AFTER_MINUTES * 60 / compress
                with surveys_lock:
                    surveys.append((due, mall["survey"], ticket["service"]))

    threads = [threading.Thread(target=citizens), threading.Thread(target=survey_kiosks)]
    for index, mall in enumerate(fixture):
        threads.append(threading.Thread(target=kiosk, args=(mall,)))
        threads.append(threading.Thread(target=booked, args=(mall,)))
        threads.append(threading.Thread(target=face, args=(mall,)))
        threads += [threading.Thread(target=board, args=(mall,)) for _ in range(BOARDS)]
        threads += [
            threading.Thread(target=officer, args=(mall, p, index * 100 + n))
            for n, p in enumerate(mall["officers"])
        ]
    stats.started, stats.open_spread = time.monotonic(), open_spread
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return stats, {"called": len(called), "called_twice": len(called) - len(set(called))} | extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="malls at peak at once (1, 10, 30)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--compress", type=float, default=1.0, help="simulated time per real time (1: real rates)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8142)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/mpp_bench_load"
    )
    args = parser.parse_args()
    bq.PORT = args.port
    env = bq.server_env(args.database_url) | {
        "MFA_REQUIRED_ROLES": "",
        "MFA_REQUIRED_FOR_ADMIN_STAFF": "False",
        "MESSAGING_ALLOW_CONSOLE": "True",
        "FACE_WARM_MODELS": "True",  # as on an instance whose kiosks check in by face
    }
    bq.log(f"database {args.database_url}: re-created")
    bq.recreate_database(args.database_url)
    horizon = args.seconds * args.compress / 60 + 1  # simulated minutes the run covers
    seed = SEED % {
        "scale": args.scale,
        "counters": COUNTERS,
        "face_citizens": FACE_CITIZENS,
        "bookings": int(BOOKED_PER_HOUR * horizon / 60) + 2,
        "horizon": horizon,
    }
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
    bursts = face_bursts()
    with tempfile.TemporaryDirectory(prefix="mpp-loadgen-static-") as static:
        # The kiosk's face pages are HTML: production mode serves their static manifest.
        env["STATIC_ROOT"] = static
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=bq.REPO_ROOT,
            env=env,
            check=True,
        )
        server = bq.start_server(env, args.workers, "config.wsgi")
        try:
            own, web = resource.getrusage(resource.RUSAGE_SELF), group_cpu_seconds(server.pid)
            stats, calls = run(fixture, args.seconds, args.compress, bursts)
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = {
                "generator": after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime,
                "gunicorn": group_cpu_seconds(server.pid) - web,
            }
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
        f"| {'request':<16} | {'count':>6} | {'per s':>6} | {'p50 ms':>7} | {'p99 ms':>7} "
        f"| {'errors':>6} |"
    )
    print(f"|{'-' * 18}|{'-' * 8}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 8}|")
    kinds = ["issue", "booking check-in", "ticket page", "board poll", "call", "start", "finish"]
    kinds += ["finish at stop", "counter open", "survey", "face claim", "face camera"]
    kinds += ["face frames", "face hello"]
    for kind in [*kinds, "face issue"]:
        values = stats.latency.get(kind, [])
        print(
            f"| {kind:<16} | {len(values):>6} | {len(values) / args.seconds:>6.1f} | "
            f"{bq.pct(values, 0.50):>7.1f} | {bq.pct(values, 0.99):>7.1f} | "
            f"{stats.errors.get(kind, 0):>6} |"
        )
    print(
        f"\nCPU during the run (2 cores = {2 * args.seconds:.0f} core-s): generator "
        f"{cpu['generator']:.1f} s, gunicorn "
        + (f"{cpu['gunicorn']:.1f} s" if cpu["gunicorn"] >= 0 else "n/a (workers replaced)")
        + ", load average "
        + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    )
    after = stats.started + stats.open_spread
    print(f"\np99 ms after the counters' opening ({stats.open_spread:.0f} s): ", end="")
    steady = []
    for kind in ["issue", "call", "board poll", "booking check-in", "face frames"]:
        pairs = zip(stats.latency.get(kind, []), stats.finished_at.get(kind, []), strict=True)
        late = [elapsed for elapsed, end in pairs if end - elapsed > after]
        steady.append(f"{kind} {bq.pct(late, 0.99):.1f}")
    print(", ".join(steady))
    if stats.error_samples:
        print(f"\nfirst error status per kind: {stats.error_samples}")
    print("\nInvariants after the run:")
    answered = {kind: len(stats.latency.get(kind, [])) for kind in ("booking check-in", "survey")}
    # A request the generator gave up on (no answer in 30 s) may still have been stored.
    gave_up = {kind: stats.gave_up.get(kind, 0) for kind in answered}

    def stored_once(stored: int, kind: str) -> bool:
        return answered[kind] <= stored <= answered[kind] + gave_up[kind]

    ok = (
        invariants["duplicate_numbers"] == 0
        and invariants["called_twice"] == 0
        and invariants["rollup_issued"] == invariants["tickets"]
        and invariants["rollup_served"] == invariants["finished"]
        and stored_once(invariants["bookings_checked_in"], "booking check-in")
        and invariants["booking_tickets"] == invariants["bookings_checked_in"]
        and invariants["bookings_without_ticket"] == 0
        and invariants.get("booking twice", 0) == 0
        and invariants["face_tickets"] == invariants.get("face tickets", 0)
        and invariants["face_tickets_with_citizen"] == invariants["face_tickets"]
        and invariants["face_checks_issued"] == invariants["face_tickets"]
        and stored_once(invariants["survey_responses"], "survey")
    )
    for name, value in invariants.items():
        print(f"  {name}: {value}")
    print("  all hold" if ok else "  VIOLATED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
