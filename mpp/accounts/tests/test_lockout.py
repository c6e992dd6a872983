"""Login lockout on every password path: the login form, the API's HTTP Basic, the admin."""

import base64
import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from conftest import make_user
from mpp.accounts.models import Role

PASSWORD = "s3cret-pass-123"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Dozens of logins per test: the production hasher would take a minute.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def officer(db):
    return make_user("petugas", Role.COUNTER_OFFICER)


def test_an_account_locks_after_ten_failures_even_for_the_right_password(
    client, officer, settings, caplog
):
    for _ in range(9):
        assert _login(client, "petugas", "wrong").status_code == 200
    with caplog.at_level(logging.WARNING, logger="mpp.security"):
        tenth = _login(client, "petugas", "wrong")
    assert tenth.status_code == 429
    assert "login locked" in caplog.text
    assert "petugas" not in caplog.text  # only the first characters of what was typed
    settings.LANGUAGE_CODE = "id"
    locked = _login(client, "petugas", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "terkunci" in locked.content.decode()  # Indonesian by default
    # From another address the account stays locked: the limit is per account.
    assert _login(client, "petugas", PASSWORD, address="10.9.9.9").status_code == 429


def test_the_lock_expires(client, officer, time_machine):
    time_machine.move_to("2026-03-02 08:00:00+07:00", tick=False)
    for _ in range(10):
        _login(client, "petugas", "wrong")
    assert _login(client, "petugas", PASSWORD).status_code == 429
    time_machine.move_to("2026-03-02 08:16:00+07:00", tick=False)
    response = _login(client, "petugas", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_an_address_locks_after_fifty_failures_across_accounts(client, officer):
    for i in range(50):
        _login(client, f"guess{i}", "wrong", address="10.0.0.7")
    assert _login(client, "petugas", PASSWORD, address="10.0.0.7").status_code == 429
    # Another address is not affected: the officer can still log in elsewhere.
    assert _login(client, "petugas", PASSWORD, address="10.0.0.8").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock_and_success_resets(client, officer):
    for _ in range(9):
        _login(client, "petugas", "wrong")
    assert _login(client, "petugas", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        _login(client, "petugas", "wrong")
    assert _login(client, "petugas", PASSWORD).status_code == 302


def test_http_basic_on_the_officer_api_locks_too(client, officer, settings):
    settings.MFA_REQUIRED_ROLES = []  # this test is about the password path only
    url = "/api/v1/queue/counters/999999/open/"  # signed in: 404; refused: 401/403

    def basic(password):
        token = base64.b64encode(f"petugas:{password}".encode()).decode()
        return client.post(url, HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="10.0.0.2")

    assert basic(PASSWORD).status_code == 404
    statuses = [basic("wrong").status_code for _ in range(10)]
    assert set(statuses[:9]) <= {401, 403}
    locked = basic(PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked"


def test_an_admin_unlocks_by_deleting_the_attempt(client, officer, admin_client):
    for _ in range(10):
        _login(client, "petugas", "wrong")
    attempt = AccessAttempt.objects.get(username="petugas")
    page = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert "petugas" in page.content.decode()
    admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert _login(client, "petugas", PASSWORD).status_code == 302
