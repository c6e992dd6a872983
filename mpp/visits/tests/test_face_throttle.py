"""Face check-in attempts are limited per claimed citizen and per kiosk (shared limiter):
nobody can try photo after photo against one citizen's template."""

from mpp.citizens.tests.test_faces import IMPOSTOR_TURN_RIGHT, TURN_LEFT, turn_burst
from mpp.visits.tests.test_face_checkin import (  # noqa: F401 (fixtures)
    NIK,
    _face_key,
    claim,
    john,
    kiosk,
    send,
    simm_template,
)


def test_a_citizen_gets_a_few_face_attempts_an_hour(
    kiosk,  # noqa: F811
    queue,
    john,  # noqa: F811
    monkeypatch,
    settings,
):
    settings.FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR = 2
    for _ in range(2):
        check = claim(kiosk, queue, monkeypatch, action="turn_right", nik=NIK)
        assert send(kiosk, queue, check, turn_burst(*IMPOSTOR_TURN_RIGHT))["reasons"] == [
            "no_match"
        ]
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    answer = send(kiosk, queue, check, turn_burst(*TURN_LEFT))  # even his real face
    assert not answer["ok"] and answer["code"] == "throttled"
    check.refresh_from_db()
    assert check.verified_at is None


def test_a_kiosk_gets_a_bounded_number_of_attempts(
    kiosk,  # noqa: F811
    queue,
    john,  # noqa: F811
    monkeypatch,
    settings,
):
    settings.FACE_ATTEMPTS_PER_DEVICE_PER_HOUR = 1
    check = claim(kiosk, queue, monkeypatch, action="turn_right", nik=NIK)
    send(kiosk, queue, check, turn_burst(*IMPOSTOR_TURN_RIGHT))
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    assert send(kiosk, queue, check, turn_burst(*TURN_LEFT))["code"] == "throttled"
