"""Fault: gunicorn's workers are replaced (SIGHUP: a rolling restart, as a deploy does)
while kiosks issue tickets. No request that was accepted is lost: every one is answered 201
and stored once; the master keeps listening throughout. PostgreSQL (the test database).
Under a minute."""

import json
import os
import signal
import threading
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.db import connection

from mpp.accounts.models import User
from mpp.registry.models import Agency, Mall, Service
from mpp.visits.devices import device_issue
from mpp.visits.models import Ticket
from tests.processes import database_url, process_stop, production_env, web_start

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn against PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
PORT = int(os.environ.get("FAULT_WEB_PORT_ROLLING", "8143"))
CLIENTS, PER_CLIENT = 4, 15


def issue(service: int, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"http://127.0.0.1:{PORT}/api/v1/queue/tickets/",
        data=json.dumps({"service": service}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Device {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError):
        return 0  # refused or reset: a request lost


def test_a_rolling_restart_of_gunicorn_loses_no_accepted_request():
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    mall = Mall.objects.get(code="mpp-6202")
    service = Service.objects.create(
        mall=mall, agency=Agency.objects.get(code="dukcapil"), name="KTP", slug="ktp"
    )
    admin = User.objects.create_superuser("rolling-admin", password=None)
    _, token = device_issue(mall=mall, kind="kiosk", name="Kiosk", by=admin)
    env = production_env(database_url(), "rolling", LOG_LEVEL="WARNING")
    web = web_start(
        port=PORT,
        env=env,
        gunicorn=True,
        graceful_timeout=20,
        ready=lambda: issue(service.pk, token) == 201,  # up when a ticket is issued
        timeout=30,
    )
    try:
        statuses, lock = [], threading.Lock()
        first_answers = threading.Event()

        def kiosk():
            for _ in range(PER_CLIENT):
                status = issue(service.pk, token)
                with lock:
                    statuses.append(status)
                    if len(statuses) >= CLIENTS:
                        first_answers.set()

        threads = [threading.Thread(target=kiosk) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        first_answers.wait(timeout=30)
        web.send_signal(signal.SIGHUP)  # new workers start, the old finish what they hold
        for thread in threads:
            thread.join(timeout=120)
    finally:
        process_stop(web)

    assert statuses == [201] * (CLIENTS * PER_CLIENT)
    assert Ticket.objects.count() == CLIENTS * PER_CLIENT + 1
