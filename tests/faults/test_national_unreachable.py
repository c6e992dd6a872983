"""Fault: the national instance is unreachable while a regency's instance keeps pushing its
closed days (decision 0034). Two real instances on two databases: the national one
(runserver on the test database) behind a fault proxy, the regency's (its own SQLite file)
running `push_to_national --loop`. The national side is, in turn:

1. refused: nothing listens on its address (the proxy closed);
2. timing out: it accepts and never answers (the regency's timeout is 1 s here);
3. answering 503 (maintenance page);
4. storing the days but the answer is lost (the connection drops after the upsert): the
   regency believes it failed and sends them again;
then it is back. Meanwhile the regency's queue system reports late visits for a closed day.
The regency keeps every day unsent (`sent_through` does not move), backs off (no more than
one try per back-off, not one per pass), and once national answers again catches up: every
day of both malls counted once at national with the regency's numbers, 0 lost, 0 duplicated.
The time to recover is printed (`-s`). Under a minute; SQLite or PostgreSQL as national."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db.models import Count

from mpp.monitoring.ingest import MALL_SUBJECT
from mpp.monitoring.models import ReportedDailyCount
from mpp.monitoring.services import system_token_issue
from mpp.registry.models import Mall
from tests.processes import ROOT, database_url, manage, process_stop, wait_until, web_start

pytestmark = pytest.mark.django_db(transaction=True)
NATIONAL_PORT = int(os.environ.get("FAULT_NATIONAL_PORT", "8400"))
PROXY_PORT = int(os.environ.get("FAULT_NATIONAL_PROXY_PORT", "8401"))
MALLS = ["mpp-31", "mpp-6202"]
DAYS = 8  # closed days with visits at the regency, per mall
RETRY, MAX_BACKOFF = 1, 2  # seconds (production: 30 doubling up to 3600)


class FaultProxy:
    """The national instance as the regency sees it: forwards to the real server, or fails
    in the way `mode` says. Records (time, token, mode) of every request it receives."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.mode = "refuse"
        self.requests: list[tuple[float, str, str]] = []
        self.release = threading.Event()  # lets hanging requests go when the test ends
        self.server = None

    def listen(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                token = self.headers.get("Authorization", "")
                mode = proxy.mode
                proxy.requests.append((time.monotonic(), token, mode))
                if mode == "hang":
                    proxy.release.wait(15)  # the regency gives up long before
                    self.close_connection = True
                    return
                if mode == "503":
                    self._answer(503, b'{"detail": "maintenance"}')
                    return
                status, answer = proxy.forward(self.path, body, token)
                if mode == "lost":  # stored at national, the answer never arrives
                    self.close_connection = True
                    return
                self._answer(status, answer)

            def _answer(self, status: int, body: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", PROXY_PORT), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def forward(self, path: str, body: bytes, token: str) -> tuple[int, bytes]:
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.upstream + path,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": token},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def seen(self, mode: str) -> list[tuple[float, str]]:
        return [(at, token) for at, token, m in self.requests if m == mode]


# Seeds the regency: two malls, each with DAYS closed days of visits through the ordinary
# ingest service (as a mall's queue system would post them). Prints the expected totals.
REGENCY_SEED = """
import json
from datetime import timedelta
from django.core.management import call_command
from mpp.monitoring.services import visit_events_ingest
from mpp.monitoring.tests.conftest import service_for
from mpp.registry.models import Mall
call_command("migrate", run_syncdb=True, verbosity=0)
call_command("load_reference_data", skip_villages=True, verbosity=0)
out = {}
for m, code in enumerate(%(malls)r):
    mall = Mall.objects.get(code=code)
    service_for(mall)
    today = mall.local_now().date()
    for back in range(1, %(days)d + 1):
        day = today - timedelta(days=back)
        events = [{"key": f"{day}-{i}", "service": "ktp-el", "status": "served",
                   "issued_at": f"{day}T09:{i:02d}:00+07:00",
                   "called_at": f"{day}T09:{i + 10:02d}:00+07:00",
                   "started_at": f"{day}T09:{i + 10:02d}:00+07:00",
                   "finished_at": f"{day}T09:{i + 20:02d}:00+07:00"}
                  for i in range(1 + (back * 3 + m) %% 7)]
        visit_events_ingest(mall=mall, events=events)
        out[f"{code} {day}"] = len(events)
print(json.dumps(out))
"""

# Late visits for the regency's yesterday, reported while national is unreachable.
REGENCY_LATE = """
from datetime import timedelta
from mpp.monitoring.services import visit_events_ingest
from mpp.registry.models import Mall
mall = Mall.objects.get(code=%(mall)r)
day = mall.local_now().date() - timedelta(days=1)
visit_events_ingest(mall=mall, events=[{"key": f"late-{day}-{i}", "service": "ktp-el",
    "status": "no_show", "issued_at": f"{day}T15:{i:02d}:00+07:00"} for i in range(%(n)d)])
print(day)
"""


def regency_state(path) -> dict[str, tuple]:
    """The regency's push state per mall, read straight from its SQLite file."""
    with sqlite3.connect(path, timeout=10) as db:
        rows = db.execute(
            "SELECT m.code, p.sent_through, p.failures, p.last_error FROM monitoring_nationalpush p"
            " JOIN registry_mall m ON m.id = p.mall_id"
        ).fetchall()
    return {code: (sent, failures, error) for code, sent, failures, error in rows}


def national_days() -> dict[str, tuple[int, int]]:
    """'<mall> <day>' → (rows, visits) of the counts national holds from the regency."""
    rows = (
        ReportedDailyCount.objects.filter(mall__code__in=MALLS, subject_key=MALL_SUBJECT)
        .values("mall__code", "local_date")
        .annotate(n=Count("id"))
        .values_list("mall__code", "local_date", "n", "issued")
    )
    return {f"{code} {day}": (n, issued) for code, day, n, issued in rows}


def test_national_unreachable_the_regency_keeps_its_days_backs_off_and_catches_up_once(
    tmp_path,
):
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    tokens = {
        code: system_token_issue(mall=Mall.objects.get(code=code), name="Regency", by=None)[1]
        for code in MALLS
    }
    base = {k: v for k, v in os.environ.items() if not k.startswith("NATIONAL_")}
    base |= {"DEBUG": "True", "CACHE_URL": "", "INGEST_REQUESTS_PER_MINUTE": "1000"}
    regency_db = tmp_path / "regency.sqlite3"
    regency_env = base | {
        "DATABASE_URL": f"sqlite:///{regency_db}",
        "DJANGO_SETTINGS_MODULE": "tests.faults.regency_settings",
        "NATIONAL_URL": f"http://127.0.0.1:{PROXY_PORT}",
        "NATIONAL_PUSH_TOKENS": json.dumps(tokens),
        "NATIONAL_PUSH_RETRY_SECONDS": str(RETRY),
        "NATIONAL_PUSH_MAX_BACKOFF_SECONDS": str(MAX_BACKOFF),
        "NATIONAL_PUSH_TIMEOUT_SECONDS": "1",
    }
    seeding = subprocess.Popen(  # noqa: S603 (fixed arguments); runs while national starts
        [sys.executable, "manage.py", "shell", "-v", "0", "-c"]
        + [REGENCY_SEED % {"malls": MALLS, "days": DAYS}],
        cwd=ROOT,
        env=regency_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    national = web_start(port=NATIONAL_PORT, env=base | {"DATABASE_URL": database_url()})
    try:
        out, err = seeding.communicate(timeout=120)
    finally:
        if seeding.returncode != 0:
            process_stop(national)
    assert seeding.returncode == 0, err[-2000:]
    expected = json.loads(out.strip().splitlines()[-1])
    assert len(expected) == len(MALLS) * DAYS

    proxy = FaultProxy(f"http://127.0.0.1:{NATIONAL_PORT}")
    loop = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "push_to_national", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=regency_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    token_mall = {f"Bearer {token}": code for code, token in tokens.items()}

    def failing_with(text: str) -> bool:
        state = regency_state(regency_db)
        return len(state) == len(MALLS) and all(
            text in (error or "") and sent is None for sent, _failures, error in state.values()
        )

    try:
        # 1. Refused: nothing listens. The days stay unsent; the error says why.
        wait_until(lambda: failing_with("Connection refused"), "refused pushes recorded")
        # Late visits for yesterday reach the regency during the outage.
        yesterday = manage(
            regency_env, "shell", "-v", "0", "-c", REGENCY_LATE % {"mall": MALLS[0], "n": 4}
        ).strip()
        expected[f"{MALLS[0]} {yesterday}"] += 4

        # 2. Timing out: accepted, never answered.
        proxy.mode = "hang"
        proxy.listen()
        wait_until(lambda: failing_with("timed out"), "timed-out pushes recorded")

        # 3. 503: the national site's maintenance answer is the recorded error.
        proxy.mode = "503"
        wait_until(lambda: failing_with("HTTP 503: maintenance"), "503s recorded")
        wait_until(lambda: len(proxy.seen("503")) >= 2 * len(MALLS), "several tries per mall")
        assert national_days() == {}  # nothing reached national so far

        # The regency backed off: per mall, tries are about the back-off apart (2 s, less the
        # jitter of a loaded machine), while the loop itself passes every 0.2 s.
        tries = defaultdict(list)
        for at, token in proxy.seen("503"):
            tries[token_mall[token]].append(at)
        for times in tries.values():
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert gaps and min(gaps) >= MAX_BACKOFF - 0.5, gaps

        # 4. National stores the days, the answers are lost: the regency must resend.
        proxy.mode = "lost"
        wait_until(lambda: len(proxy.seen("lost")) >= len(MALLS), "a push with a lost answer")
        wait_until(lambda: len(national_days()) == len(expected), "national storing the days")
        assert all(sent is None for sent, _f, _e in regency_state(regency_db).values())

        # National is back: the time to recover runs from here.
        back = time.monotonic()
        proxy.mode = "pass"

        def caught_up() -> bool:
            state = regency_state(regency_db)
            return all(failures == 0 and sent == yesterday for sent, failures, _e in state.values())

        wait_until(caught_up, "the regency catching up")
        recovered = time.monotonic() - back
    finally:
        process_stop(loop)
        proxy.release.set()
        proxy.close()
        process_stop(national)

    # Every day of both malls once at national, with the regency's numbers (late ones in).
    assert national_days() == {key: (1, visits) for key, visits in expected.items()}
    # The days stored during the "lost" phase were sent again and are still counted once.
    print(f"\nnational unreachable: recovered {recovered:.2f} s after it answered again")
    assert recovered <= MAX_BACKOFF + 5
