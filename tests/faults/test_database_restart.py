"""Fault: PostgreSQL restarted (fast shutdown) while kiosks issue tickets through the
production web server (gunicorn, DEBUG=False, persistent connections). During the outage
every request fails cleanly — 503 {"code": "unavailable"} with Retry-After, never a 500 —
the web recovers by itself when the database is back, and no ticket is half-written: the
tickets stored are exactly the ones answered 201, numbered without gaps or doubles, and the
day's rollup counts each once; a request sent with an Idempotency-Key during the outage and
retried after it issues exactly one ticket. A throwaway cluster on its own port
(FAULT_PG_PORT, 8145), never the shared server. Under a minute."""

import json
import os
import time
import urllib.error
import urllib.request

import pytest

from tests.faults.throwaway_pg import ThrowawayCluster
from tests.processes import manage, process_stop, production_env, web_start

pytestmark = pytest.mark.skipif(
    not ThrowawayCluster.available() or os.geteuid() != 0 and os.environ.get("USER") != "postgres",
    reason="needs PostgreSQL's server binaries and the right to run them as postgres",
)
WEB_PORT = int(os.environ.get("FAULT_WEB_PORT", "8140"))
SETUP = """
from mpp.accounts.models import User
from mpp.registry.models import Agency, Mall, Service
from mpp.visits.devices import device_issue
mall = Mall.objects.get(code="mpp-6202")
service = Service.objects.create(mall=mall, agency=Agency.objects.get(code="dukcapil"),
                                 name="KTP-el", slug="ktp-el", ticket_prefix="A")
admin = User.objects.create_superuser("fault-admin", password=None)
device, token = device_issue(mall=mall, kind="kiosk", name="Kiosk 1", by=admin)
print(service.pk, token)
"""
COUNT = """
from django.db.models import Sum
from mpp.visits.models import DailyRollup, Ticket
numbers = list(Ticket.objects.order_by("number").values_list("number", flat=True))
issued = DailyRollup.objects.aggregate(n=Sum("issued"))["n"]
import json
print(json.dumps([numbers, issued]))
"""


def issue(service: int, token: str, key: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Authorization": f"Device {token}"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"http://127.0.0.1:{WEB_PORT}/api/v1/queue/tickets/",
        data=json.dumps({"service": service}).encode(),
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body) | {"retry_after": error.headers["Retry-After"]}
        except ValueError:
            return error.code, {"body": body[:200].decode(errors="replace")}


@pytest.fixture
def cluster():
    pg = ThrowawayCluster()
    try:
        pg.create()
        yield pg
    finally:
        pg.remove()


def test_a_database_restart_mid_run_fails_cleanly_and_the_web_recovers_by_itself(cluster):
    env = production_env(
        cluster.url,
        "fault",
        DB_CONN_MAX_AGE="60",  # the hard case: connections kept across requests
        CACHE_URL="db://",
    )
    manage(env, "migrate", "-v0")
    manage(env, "createcachetable")
    manage(env, "load_reference_data", "--skip-villages", "-v0")
    service, token = manage(env, "shell", "-c", SETUP).split()[-2:]
    answers = []

    def a_ticket_is_issued() -> bool:  # the web is up (state, not a sleep)
        try:
            answers.append(issue(int(service), token))
        except (urllib.error.URLError, ConnectionError):
            return False
        return answers[-1][0] == 201

    web = web_start(port=WEB_PORT, env=env, gunicorn=True, ready=a_ticket_is_issued, timeout=30)
    try:
        answers += [issue(int(service), token) for _ in range(10)]

        cluster.stop("fast")
        outage = [issue(int(service), token) for _ in range(5)]
        # A kiosk whose request failed in the outage retries later with the same key.
        keyed_in_outage = issue(int(service), token, key="tap-in-outage")
        cluster.start()
        back_at = time.monotonic()
        recovered = None
        for _ in range(200):  # bounded
            status, body = issue(int(service), token)
            answers.append((status, body))
            if status == 201:
                recovered = time.monotonic() - back_at
                break
        assert recovered is not None, "the web did not recover after the database came back"
        answers += [issue(int(service), token) for _ in range(10)]
        keyed_retry = issue(int(service), token, key="tap-in-outage")
        keyed_again = issue(int(service), token, key="tap-in-outage")
        answers.append(keyed_retry)
    finally:
        process_stop(web, timeout=20)

    assert [status for status, _ in outage] == [503] * 5
    assert all(body["code"] == "unavailable" and body["retry_after"] for _, body in outage)
    # The failed attempt held nothing: the retry issued exactly one ticket, a repeat answers it.
    assert keyed_in_outage[0] == 503 and keyed_retry[0] == 201
    assert keyed_again[0] == 200 and keyed_again[1]["uuid"] == keyed_retry[1]["uuid"]
    statuses = {status for status, _ in answers}
    assert statuses <= {201, 503}, answers  # never a 500
    issued = [body["number"] for status, body in answers if status == 201]
    stored, rollup = json.loads(manage(env, "shell", "-c", COUNT).splitlines()[-1])
    assert stored == list(range(1, len(stored) + 1))  # no gap, no double
    assert len(stored) == len(issued) == int(rollup)
    print(f"\nrecovered {recovered:.2f} s after the database accepted connections again")
