"""SMS pumping and code guessing: registration codes per phone and per address, and
one-time-code checks, limited by the shared limiter."""

import pytest
from django.urls import reverse

from mpp.citizens.models import OneTimeCode


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _register(client, i: int, phone: str, address="10.1.1.1"):
    return client.post(
        reverse("citizens:register"),
        {
            "nik": f"317101120385{i + 10:04d}",
            "full_name": "Budi Santoso",
            "birth_date": "1985-03-12",
            "phone": phone,
            "username": f"budi{i}",
            "password": "kopi-tubruk-2025",
            "agree": "on",
        },
        REMOTE_ADDR=address,
    )


def test_twelve_registrations_with_one_phone_send_three_codes(client, sms_outbox, db):
    responses = [_register(client, i, "081211112222", address=f"10.1.1.{i}") for i in range(12)]
    assert [r.status_code for r in responses[:3]] == [302] * 3
    assert len(sms_outbox) == 3
    refused = responses[3]
    assert refused.status_code == 200
    assert "phone" in refused.context["form"].errors
    assert OneTimeCode.objects.count() == 3


def test_one_address_cannot_send_codes_to_many_phones(client, sms_outbox, db):
    for i in range(12):
        _register(client, i, f"0812111100{i:02d}")
    assert len(sms_outbox) == 10
    assert "__all__" in _register(client, 20, "081299990000").context["form"].errors


def test_code_checks_are_limited_per_address_even_with_the_right_code(
    client, sms_outbox, db, settings
):
    settings.ONE_TIME_CODE_CHECKS_PER_HOUR = 4
    first = _register(client, 1, "081211110001")
    for _ in range(4):
        client.post(first["Location"], {"code": "000000"})
    code = sms_outbox[-1].body.split(":")[1].split()[0]
    # A fresh registration, the right code, but this address used up its checks.
    second = _register(client, 2, "081211110002")
    code = sms_outbox[-1].body.split(":")[1].split()[0]
    refused = client.post(second["Location"], {"code": code})
    assert refused.status_code == 200
    assert "code" in refused.context["form"].errors
    assert "_auth_user_id" not in client.session
