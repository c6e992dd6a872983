"""The production smoke suite: real HTTP against a running production deploy (DEBUG=False,
collectstatic, gunicorn workers, PostgreSQL, worker loops), as `.ci/production.sh` starts it.
Skipped unless MPP_PRODUCTION_URL names the server:

    MPP_PRODUCTION_URL   https://127.0.0.1:8443
    MPP_PRODUCTION_CA    the server's certificate (self-signed on a test machine)
    MPP_PRODUCTION_ENV   the deploy's env file, to run manage.py against the same database
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

BASE = os.environ.get("MPP_PRODUCTION_URL", "").rstrip("/")
CA = os.environ.get("MPP_PRODUCTION_CA") or True
ENV_FILE = os.environ.get("MPP_PRODUCTION_ENV", "")
DEMO_PASSWORD = "mpp-demo-2026"  # noqa: S105 - the demo users' password (load_demo_data)
ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Every module of this suite carries it (a skip mark, so no fixture logs in first).
production_only = pytest.mark.skipif(
    not BASE, reason="MPP_PRODUCTION_URL is not set: no production server to test"
)


class Web:
    """One visitor's HTTP session against the production server (cookies kept)."""

    def __init__(self):
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy, and our CA rather than the system bundle
        self.session.verify = CA

    def get(self, path, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        return self.session.get(BASE + path, **kwargs)

    def post_form(self, path, data, *, form_page=None, **kwargs):
        """POST like the browser does: the CSRF token from the form page, the Referer set."""
        page = self.get(form_page or path)
        assert page.status_code == 200, f"{form_page or path}: {page.status_code}"
        token = CSRF.search(page.text).group(1)
        kwargs.setdefault("allow_redirects", False)
        return self.session.post(
            BASE + path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": BASE + (form_page or path)},
            timeout=60,
            **kwargs,
        )


STAFF = ["admin", "analis", "manajer.sampit", "manajer.jakarta", "petugas.sampit"]
_recovery_codes: dict[str, list[str]] = {}

SETUP_SECOND_FACTOR = """
import json
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from mpp.accounts.models import User
codes = {}
for user in User.objects.filter(username__in=%r):
    TOTPDevice.objects.get_or_create(user=user, name="smoke", defaults={"confirmed": True})
    device, _ = StaticDevice.objects.get_or_create(user=user, name="smoke")
    tokens = [StaticToken.random_token() for _ in range(40)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in tokens])
    codes[user.username] = tokens
print(json.dumps(codes))
"""


def recovery_code(username: str) -> str:
    """A one-use recovery code of the staff member's second factor. On first use, every
    demo staff account gets an authenticator and 40 recovery codes (as staff set them up),
    so a login never waits for the next TOTP window."""
    if not _recovery_codes:
        out = manage("shell", "-c", SETUP_SECOND_FACTOR % (STAFF,))
        _recovery_codes.update(json.loads(out.strip().splitlines()[-1]))
    return _recovery_codes[username].pop()


def staff_login(username: str, password: str = DEMO_PASSWORD) -> Web:
    """Every signed-in persona goes through here: the password, then the second factor
    when the account must use one (staff: docs/decisions/0017)."""
    if username in STAFF:
        recovery_code(username)  # sets the demo staff's second factor up on first use
    web = Web()
    response = web.post_form("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"login {username}: {response.status_code}"
    location = response.headers["Location"]
    assert "/accounts/login/" not in location, location
    if "/two-factor/" not in location:  # the start page asks for it when the role needs it
        start = web.get(location)
        location = start.headers.get("Location", "") if start.status_code == 302 else ""
    if "/two-factor/" in location:
        verify = location if location.startswith("/") else "/" + location.split("/", 3)[3]
        response = web.post_form(verify, {"token": recovery_code(username)}, form_page=verify)
        assert response.status_code == 302, f"second factor {username}: {response.status_code}"
        assert "/two-factor/" not in response.headers["Location"]
    return web


def manage(*args: str) -> str:
    """Run manage.py against the production deploy's database (its env file)."""
    if not ENV_FILE:
        pytest.skip("MPP_PRODUCTION_ENV is not set")
    env = {**os.environ}
    for line in Path(ENV_FILE).read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value.strip('"')
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="session")
def sampit_open_all_day():
    """Sampit open every day round the clock, so the queue works whenever CI runs."""
    manage(
        "shell",
        "-c",
        "from datetime import time; from mpp.registry.models import Mall, OpeningHours; "
        "m = Mall.objects.get(code='mpp-6202'); m.opening_hours.all().delete(); "
        "[OpeningHours.objects.create(mall=m, weekday=d, opens_at=time(0), "
        "closes_at=time(23, 59)) for d in range(7)]",
    )


@pytest.fixture(scope="session")
def device_tokens(sampit_open_all_day) -> dict:
    """A kiosk and a board token, issued by Sampit's manager on the devices page."""
    manager = staff_login("manajer.sampit")
    tokens = {}
    for kind in ("kiosk", "board"):
        page = manager.post_form(
            "/queue/mpp-6202/devices/", {"kind": kind, "name": f"Smoke {kind}"}
        )
        assert page.status_code == 200
        tokens[kind] = re.search(r'data-testid="device-token">([^<]+)<', page.text).group(1)
    return tokens
