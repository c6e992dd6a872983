"""Two-factor sign-in for staff (TOTP and recovery codes), the admin, the API, citizens who
opt in, and the staff session limits."""

import re
from base64 import b64encode

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import make_user
from mpp.accounts.models import Role

pytestmark = pytest.mark.security
PASSWORD = "s3cret-pass-123"
CONSOLE = "/queue/console/"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer(officer_jakarta):
    return officer_jakarta


def code_of(device, offset=0) -> str:
    return f"{totp(device.bin_key, t0=device.t0 - offset * device.step):06d}"


def login(client, username="officer_jakarta"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(reverse("accounts:mfa_setup"), {"token": code_of(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    device.refresh_from_db()
    return device, codes


def test_an_officer_must_enrol_then_verify_before_any_page(client, officer, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+07:00", tick=False)
    assert login(client).status_code == 302
    first = client.get(CONSOLE)
    assert first.status_code == 302 and first.url.startswith(reverse("accounts:mfa_setup"))
    device, codes = enrol(client)
    assert device.confirmed and len(codes) == 10
    assert client.get(CONSOLE).status_code == 200  # verified in this session
    client.logout()
    time_machine.move_to("2026-03-02 08:05:00+07:00", tick=False)
    login(client)
    again = client.get(CONSOLE)
    assert again.url.startswith(reverse("accounts:mfa_verify"))


def test_wrong_replayed_and_correct_codes(client, officer, time_machine, settings):
    time_machine.move_to("2026-03-02 08:00:00+07:00", tick=False)
    settings.LANGUAGE_CODE = "en"
    login(client)
    device, codes = enrol(client)
    client.logout()
    login(client)
    verify = reverse("accounts:mfa_verify")
    wrong = client.post(verify, {"token": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "wrong" in wrong.content.decode()
    # The enrolment already used the current code: sending it again is a replay.
    replayed = client.post(verify, {"token": code_of(device)})
    assert replayed.status_code == 400 and "already used" in replayed.content.decode()
    assert client.get(CONSOLE).status_code == 302  # still not verified
    time_machine.move_to("2026-03-02 08:00:31+07:00", tick=False)
    assert client.post(verify, {"token": code_of(device)}).status_code == 302
    assert client.get(CONSOLE).status_code == 200


def test_a_recovery_code_works_once(client, officer, settings, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+07:00", tick=False)
    settings.LANGUAGE_CODE = "en"
    login(client)
    _, codes = enrol(client)
    client.logout()
    login(client)
    verify = reverse("accounts:mfa_verify")
    assert client.post(verify, {"token": codes[0]}).status_code == 302
    assert client.get(CONSOLE).status_code == 200
    client.logout()
    login(client)
    used = client.post(verify, {"token": codes[0]})
    assert used.status_code == 400 and "already used" in used.content.decode()
    time_machine.move_to("2026-03-02 08:00:05+07:00", tick=False)  # after the wrong try's pause
    assert client.post(verify, {"token": codes[1]}).status_code == 302


def test_the_api_and_the_admin_ask_for_the_second_factor(client, officer, admin_user):
    login(client)
    refused = client.post("/api/v1/queue/counters/999999/open/")
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"
    basic = client.post(
        "/api/v1/queue/counters/999999/open/",
        HTTP_AUTHORIZATION="Basic " + b64encode(f"officer_jakarta:{PASSWORD}".encode()).decode(),
    )
    assert basic.status_code in (401, 403)
    client.logout()
    client.force_login(admin_user)
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "two-factor" in admin.url


def test_a_pilot_may_relax_a_role(client, officer, settings):
    settings.MFA_REQUIRED_ROLES = ["ministry_analyst", "mall_manager"]
    login(client)
    assert client.get(CONSOLE).status_code == 200


def test_a_citizen_may_opt_in_and_out(client, db):
    make_user("warga", Role.CITIZEN)
    login(client, "warga")
    assert client.get(reverse("accounts:mfa_manage")).status_code == 200
    device, _ = enrol(client)
    client.logout()
    login(client, "warga")
    assert client.get(reverse("accounts:mfa_manage")).url.startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"token": code_of(device, offset=1)})
    client.post(reverse("accounts:mfa_off"))
    client.logout()
    login(client, "warga")
    assert client.get(reverse("accounts:mfa_manage")).status_code == 200


def test_staff_sessions_end_when_idle_or_too_old(client, officer, settings, time_machine):
    settings.MFA_REQUIRED_ROLES = []
    time_machine.move_to("2026-03-02 08:00:00+07:00", tick=False)
    login(client)
    time_machine.move_to("2026-03-02 08:29:00+07:00", tick=False)
    assert client.get(CONSOLE).status_code == 200
    time_machine.move_to("2026-03-02 09:00:00+07:00", tick=False)  # 31 minutes idle
    ended = client.get(CONSOLE)
    assert ended.status_code == 302 and ended.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    # Active every 20 minutes: still ends after 12 hours.
    login(client)
    for minutes in range(20, 12 * 60, 20):
        hour, minute = divmod(minutes, 60)
        time_machine.move_to(f"2026-03-02 {9 + hour:02d}:{minute:02d}:00+07:00", tick=False)
        assert client.get(CONSOLE).status_code == 200
    time_machine.move_to("2026-03-02 21:01:00+07:00", tick=False)
    assert client.get(CONSOLE).status_code == 302
