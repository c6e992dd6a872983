"""No secrets in logs: a production-mode run (DEBUG=False, the settings and logging a
deployment uses, the console SMS backend explicitly allowed) registers a citizen, books
with a NIK and sends a device token; its whole log holds no code, NIK or token."""

import base64
import hashlib
import hmac
import os
import re
import subprocess
import sys

import pytest
from django.core.checks import run_checks
from django.core.management import call_command

from mpp.citizens.models import OneTimeCode
from tests.processes import ROOT, database_url

NIK = "3171011203850002"
SECRET_KEY = "a-production-like-secret-key-for-this-test-only-0123456789"
SCRIPT = """
import django
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR="10.0.0.5")
r = client.post("/citizen/register/", {
    "nik": "%(nik)s", "full_name": "Budi Santoso", "birth_date": "1985-03-12",
    "phone": "081211112222", "username": "budi", "password": "kopi-tubruk-2025", "agree": "on",
}, secure=True)
print("register", r.status_code, flush=True)
r = client.post("/api/v1/queue/bookings/", {"service": 999999, "date": "2026-03-02",
    "slot": "09:00", "nik": "%(nik)s", "phone": "081211112222"},
    content_type="application/json", secure=True)
print("booking", r.status_code, flush=True)
r = client.get("/api/v1/queue/malls/mpp-31/board/?token=s3cr3tt0k3n",
    HTTP_AUTHORIZATION="Device s3cr3tt0k3n", secure=True)
import logging
logging.getLogger("mpp.test").warning("read NIK %%s for code 123456", "%(nik)s")
"""


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _rsa_pem() -> str:
    from mpp.identity.tests.keys import rsa_pem

    return rsa_pem()


@pytest.mark.django_db(transaction=True)
def test_a_production_mode_log_holds_no_code_nik_or_token():
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "False",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "testserver",
        "CITIZEN_DATA_KEY": _key(),
        "ACCESS_LOG_KEY": _key(),
        "FACE_TEMPLATE_KEY": _key(),
        "OIDC_RSA_PRIVATE_KEYS": _rsa_pem(),
        "MESSAGING_BACKEND": "mpp.core.messaging.ConsoleBackend",
        "MESSAGING_ALLOW_CONSOLE": "True",
        "LOG_LEVEL": "DEBUG",
    }
    run = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", SCRIPT % {"nik": NIK}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = run.stdout + run.stderr
    assert "register 302" in log, log[-2000:]
    assert "[sms →" in log  # the SMS was "sent" (to the console) …
    challenge = OneTimeCode.objects.get()
    for number in re.findall(r"(?<!\d)\d{6}(?!\d)", log):  # the code, hashed as the server did
        digest = hmac.new(SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
        assert digest != challenge.code_hash, "a one-time code is in the log"
    assert "123456" not in log
    assert NIK not in log and "s3cr3tt0k3n" not in log


def test_a_printing_sms_backend_is_refused_with_debug_off(settings):
    settings.DEBUG = False
    settings.MESSAGING_BACKEND = "mpp.core.messaging.ConsoleBackend"
    settings.MESSAGING_ALLOW_CONSOLE = False
    errors = [e.id for e in run_checks(tags=["mpp_security"])]
    assert errors == ["mpp.E001"]
    settings.MESSAGING_ALLOW_CONSOLE = True
    assert run_checks(tags=["mpp_security"]) == []
    settings.MESSAGING_ALLOW_CONSOLE = False
    settings.MESSAGING_BACKEND = "mpp.core.messaging.HttpGatewayBackend"
    settings.MESSAGING_GATEWAY_URL = "https://sms.example.go.id/send"
    assert run_checks(tags=["mpp_security"]) == []
