"""Fault: gunicorn's workers are replaced (SIGHUP: a rolling restart, as a deploy does)
while kiosks issue tickets. No request that was accepted is lost: every one is answered 201
and stored once; the master keeps listening throughout. PostgreSQL (the test database).
Under a minute."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.db import connection

from mpp.accounts.models import User
from mpp.identity.tests.keys import rsa_pem
from mpp.registry.models import Agency, Mall, Service
from mpp.visits.devices import device_issue
from mpp.visits.models import Ticket
from tests.processes import ROOT, database_url

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
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "False",
        "SECRET_KEY": "rolling-test-key-not-secret",
        "CITIZEN_DATA_KEY": "rolling-citizen-key",
        "ACCESS_LOG_KEY": "rolling-log-key",
        "FACE_TEMPLATE_KEY": "rolling-face-key",
        "OIDC_RSA_PRIVATE_KEYS": rsa_pem(),  # production refuses to start without one
        "MESSAGING_ALLOW_CONSOLE": "True",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "LOG_LEVEL": "WARNING",
    }
    web = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "2",
            "--graceful-timeout",
            "20",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while issue(service.pk, token) != 201:  # up when a ticket is issued
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
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
        web.terminate()
        web.wait(timeout=30)

    assert statuses == [201] * (CLIENTS * PER_CLIENT)
    assert Ticket.objects.count() == CLIENTS * PER_CLIENT + 1
