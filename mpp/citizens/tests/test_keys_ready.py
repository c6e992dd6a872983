"""/readyz names a key that does not fit the stored data (a restore with the wrong env
file, a typo) without decrypting anything."""

import pytest

from mpp.citizens.demo import citizens_demo_generate
from mpp.citizens.ledger import access_record_append
from mpp.citizens.models import AccessOutcome, Channel, Citizen, Purpose
from mpp.core.health import readiness


@pytest.fixture
def stored_data(db, settings):
    settings.CITIZEN_DATA_KEY = "the-key-the-data-was-sealed-with"
    settings.ACCESS_LOG_KEY = "the-key-the-log-was-sealed-with"
    citizens_demo_generate(seed=2026)
    citizen = Citizen.objects.exclude(sealed_profile="").first()
    access_record_append(
        citizen=citizen,
        actor=None,
        purpose=Purpose.SELF,
        fields=["profile"],
        outcome=AccessOutcome.GRANTED,
        channel=Channel.WEB,
    )


def keys_check():
    return readiness()[1]["keys"]


def test_the_right_keys_pass(stored_data):
    assert keys_check() == {"ok": True}


def test_a_wrong_citizen_data_key_is_named(stored_data, settings):
    settings.CITIZEN_DATA_KEY = "another-key"
    check = keys_check()
    assert check["ok"] is False
    assert check["error"] == "CITIZEN_DATA_KEY does not open the stored citizen data"


def test_rotation_keeps_the_old_key_readable(stored_data, settings):
    settings.CITIZEN_DATA_KEY = "a-new-key,the-key-the-data-was-sealed-with"
    assert keys_check() == {"ok": True}


def test_a_wrong_access_log_key_and_a_malformed_face_key_are_both_named(stored_data, settings):
    settings.ACCESS_LOG_KEY = "another-key"
    settings.FACE_TEMPLATE_KEY = "not base64!"
    error = keys_check()["error"]
    assert "ACCESS_LOG_KEY does not verify the access log" in error
    assert "FACE_TEMPLATE_KEY is not base64 of 32 bytes" in error
