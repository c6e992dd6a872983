"""Kiosk check-in by face, end to end through the pages, with the real model on real
photographs: John Simm is enrolled at Sampit; his burst turning left passes liveness."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mpp.accounts.models import Role
from mpp.citizens.models import AccessRecord, FaceCheck, FaceMallSettings, Purpose
from mpp.citizens.tests.face_photos import (
    IMPOSTOR_TURN_RIGHT,
    TURN_LEFT,
    frames_of,
    turn_burst,
)
from mpp.core.nik import nik_hash, nik_mask
from mpp.visits import services as q
from mpp.visits.devices import device_issue
from mpp.visits.models import Booking, Channel, DeviceKind, Ticket

from .conftest import JOHN_NIK as NIK

pytestmark = pytest.mark.usefixtures("face_settings")


def second_factor(kiosk, queue, check, answer) -> str:
    """Face never alone: the answer sends the kiosk to the code page; type the code the
    citizen's phone received. Returns the greeting's URL."""
    from mpp.core.messaging import FakeBackend

    page = reverse("visits:kiosk_face_second", args=[queue.mall.code, check.uuid])
    assert answer["next"] == page
    assert "enam digit" in kiosk.get(page).content.decode()
    code = FakeBackend.outbox[-1].body.split(": ")[1][:6]
    done = kiosk.post(page, {"code": code})
    assert done.status_code == 302
    return done.url


@pytest.fixture
def kiosk(client, queue, mall_manager_sampit):
    _, token = device_issue(
        mall=queue.mall, kind=DeviceKind.KIOSK, name="Pintu", by=mall_manager_sampit
    )
    assert client.post(reverse("visits:device_activate"), {"token": token}).status_code == 302
    return client


def claim(kiosk, queue, monkeypatch, action="turn_left", **data):
    """Post the claim with a fixed challenge; return the check."""
    from mpp import biometrics as bio

    monkeypatch.setattr(
        bio, "challenge_new", lambda **kw: bio.Challenge(actions=(bio.Action(action),))
    )
    response = kiosk.post(reverse("visits:kiosk_face", args=[queue.mall.code]), data)
    assert response.status_code == 302, response.content.decode()
    check = FaceCheck.objects.latest("id")
    assert response.url == reverse("visits:kiosk_face_camera", args=[queue.mall.code, check.uuid])
    camera = kiosk.get(response.url).content.decode()
    assert "tolehkan kepala perlahan" in camera and "face.js" in camera
    return check


def send(kiosk, queue, check, frames):
    url = reverse("visits:kiosk_face_frames", args=[queue.mall.code, check.uuid])
    files = [("frames", f) for f in frames]
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {
        "frames": [
            SimpleUploadedFile(f"f{i}.jpg", f, content_type="image/jpeg")
            for i, (_, f) in enumerate(files)
        ]
    }
    return kiosk.post(url, payload).json()


def test_face_check_in_greets_by_masked_name_and_issues_a_ticket_with_the_citizen(
    kiosk, queue, john, monkeypatch
):
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    answer = send(kiosk, queue, check, turn_burst(*TURN_LEFT))
    assert answer["ok"], answer
    # the face alone opens nothing at an unattended kiosk: no greeting, no ticket yet
    early = kiosk.get(reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid]))
    assert early.url == answer["next"]
    kiosk.post(
        reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid]),
        {"service": queue.ktp.pk},
    )
    assert not Ticket.objects.exists()
    hello = kiosk.get(second_factor(kiosk, queue, check, answer)).content.decode()
    assert "J*** S***" in hello and NIK not in hello and "Simm" not in hello
    issued = kiosk.post(
        reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid]),
        {"service": queue.ktp.pk, "priority": "elderly"},
    )
    ticket = Ticket.objects.get()
    assert issued.url == reverse("visits:ticket_print", args=[ticket.uuid])
    assert ticket.citizen == john and ticket.channel == Channel.FACE
    assert ticket.priority_reason == "elderly"
    # one check, one ticket
    again = kiosk.post(
        reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid]),
        {"service": queue.ktp.pk},
    )
    assert again.status_code in (302, 403) and Ticket.objects.count() == 1
    record = AccessRecord.objects.filter(citizen=john, purpose=Purpose.BIOMETRIC).first()
    assert record.outcome == "granted" and record.mall == queue.mall


def test_the_officer_console_shows_the_masked_name_and_a_link_to_the_consented_profile(
    kiosk, client, queue, john, monkeypatch
):
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    answer = send(kiosk, queue, check, turn_burst(*TURN_LEFT))
    second_factor(kiosk, queue, check, answer)
    kiosk.post(
        reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid]),
        {"service": queue.ktp.pk},
    )
    kiosk.logout()
    kiosk.force_login(queue.ani)
    q.counter_open(counter=queue.counter1, officer=queue.ani)
    q.call_next(counter=queue.counter1, officer=queue.ani)
    page = kiosk.get(reverse("visits:console", args=[queue.counter1.pk])).content.decode()
    assert "J*** S***" in page and str(john.uuid) in page and NIK not in page


def test_an_impostor_is_refused_and_offered_the_code_fallback(kiosk, queue, john, monkeypatch):
    check = claim(kiosk, queue, monkeypatch, action="turn_right", nik=NIK)
    answer = send(kiosk, queue, check, turn_burst(*IMPOSTOR_TURN_RIGHT))
    assert not answer["ok"] and answer["reasons"] == ["no_match"]
    assert answer["fallback"] == reverse("visits:kiosk_face_code", args=[queue.mall.code])
    hello = kiosk.get(reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid]))
    assert hello.status_code == 302  # no greeting, no ticket
    assert not Ticket.objects.exists()


def test_a_still_photo_is_refused_by_liveness(kiosk, queue, john, monkeypatch):
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    answer = send(kiosk, queue, check, frames_of("John_Simm", [4]) * 10)
    assert answer["reasons"] == ["liveness_still_image"]
    assert "foto" in answer["message"].lower() or answer["message"]


def test_an_unknown_or_unenrolled_nik_is_told_to_use_the_code(kiosk, queue):
    page = kiosk.post(reverse("visits:kiosk_face", args=[queue.mall.code]), {"nik": NIK})
    assert page.status_code == 400
    assert "kode" in page.content.decode().lower()


def code_fallback_start(kiosk, queue) -> tuple[str, FaceCheck, str]:
    """The kiosk's SMS-code fallback for John's NIK: (its URL, the check, the code sent)."""
    from mpp.core.messaging import FakeBackend

    FakeBackend.outbox = []
    url = reverse("visits:kiosk_face_code", args=[queue.mall.code])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MESSAGING_BACKEND", "mpp.core.messaging.FakeBackend")
        kiosk.post(url, {"nik": NIK})
    return url, FaceCheck.objects.latest("id"), FakeBackend.outbox[-1].body.split(": ")[1][:6]


def test_nik_and_sms_code_fallback_checks_in(kiosk, queue, john):
    url, check, code = code_fallback_start(kiosk, queue)
    wrong = kiosk.post(url, {"check": check.uuid, "code": "999999" if code != "999999" else "0"})
    assert wrong.status_code == 400
    done = kiosk.post(url, {"check": check.uuid, "code": code})
    assert done.url == reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid])
    kiosk.post(
        reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid]),
        {"service": queue.kk.pk},
    )
    assert Ticket.objects.get().citizen == john


def test_a_booking_claim_checks_the_booking_in_for_the_citizen(kiosk, queue, john, monkeypatch):
    now = timezone.now()
    booking = Booking.objects.create(
        code="FACE01",
        mall=queue.mall,
        service=queue.skck,
        date=q.local_date_of(queue.mall, now),
        slot_start=(now + timedelta(minutes=10)).time(),
        starts_at=now + timedelta(minutes=10),
        nik_hash=nik_hash(NIK),
        nik_masked=nik_mask(NIK),
        phone="081234567895",
    )
    check = claim(kiosk, queue, monkeypatch, booking="face01")
    assert send(kiosk, queue, check, turn_burst(*TURN_LEFT))["ok"]
    hello = kiosk.get(reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid]))
    assert "SKCK" in hello.content.decode()
    kiosk.post(reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid]), {})
    booking.refresh_from_db()
    assert booking.ticket.citizen == john and booking.status == "checked_in"


def test_identification_is_off_unless_the_mall_enables_it_and_then_asks_to_confirm(
    kiosk, queue, john, monkeypatch
):
    url = reverse("visits:kiosk_face", args=[queue.mall.code])
    assert "identify" not in kiosk.get(url).content.decode()
    assert kiosk.post(url, {"identify": "1"}).status_code == 400
    FaceMallSettings.objects.create(mall=queue.mall, identification_enabled=True)
    now = timezone.now()
    Booking.objects.create(
        code="FACE02",
        mall=queue.mall,
        service=queue.ktp,
        date=q.local_date_of(queue.mall, now),
        slot_start=now.time(),
        starts_at=now,
        nik_hash=nik_hash(NIK),
        nik_masked=nik_mask(NIK),
        phone="081234567895",
    )
    check = claim(kiosk, queue, monkeypatch, identify="1")
    answer = send(kiosk, queue, check, turn_burst(*TURN_LEFT))
    assert answer["ok"], answer
    hello_url = second_factor(kiosk, queue, check, answer)
    hello = kiosk.get(hello_url).content.decode()
    assert "J*** S***" in hello and 'value="yes"' in hello
    issue = reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid])
    kiosk.post(issue, {})
    assert not Ticket.objects.exists()  # not before the citizen confirms
    kiosk.post(hello_url, {"confirm": "yes"})
    kiosk.post(issue, {})
    assert Ticket.objects.get().citizen == john


def test_a_wrong_second_factor_code_opens_nothing(kiosk, queue, john, monkeypatch):
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    answer = send(kiosk, queue, check, turn_burst(*TURN_LEFT))
    wrong = kiosk.post(answer["next"], {"code": "000000"})
    from mpp.core.messaging import FakeBackend

    if FakeBackend.outbox[-1].body.split(": ")[1][:6] != "000000":
        assert wrong.status_code == 400
        hello = kiosk.get(reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid]))
        assert hello.url == answer["next"]
    assert NIK not in wrong.content.decode()


def test_a_mall_may_turn_face_alone_on_after_its_pilot(kiosk, queue, john, monkeypatch):
    FaceMallSettings.objects.create(mall=queue.mall, face_alone_at_kiosk=True)
    check = claim(kiosk, queue, monkeypatch, nik=NIK)
    answer = send(kiosk, queue, check, turn_burst(*TURN_LEFT))
    assert answer["next"] == reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid])


def test_the_kiosk_refuses_claims_past_the_hourly_limit(kiosk, queue, john, settings):
    settings.FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR = 2
    url = reverse("visits:kiosk_face", args=[queue.mall.code])
    assert kiosk.post(url, {"nik": NIK}).status_code == 302
    assert kiosk.post(url, {"nik": NIK}).status_code == 302
    third = kiosk.post(url, {"nik": NIK})
    assert third.status_code == 400
    assert "Terlalu banyak percobaan" in third.content.decode()


def test_staff_without_the_mall_cannot_use_the_face_kiosk(client, queue, mall_jakarta):
    from conftest import make_user

    client.force_login(make_user("other", Role.CITIZEN))
    assert client.get(reverse("visits:kiosk_face", args=[queue.mall.code])).status_code == 403


def test_typing_a_neighbours_nik_again_and_again_sends_only_a_few_codes(
    kiosk, queue, john, settings
):
    # SMS pumping and code guessing through the kiosk's fallback: each code counts against
    # the citizen's hourly face-check limit, and the refusal names what happened.
    from mpp.core.messaging import FakeBackend

    settings.FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR = 2
    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    FakeBackend.outbox = []
    url = reverse("visits:kiosk_face_code", args=[queue.mall.code])
    answers = [kiosk.post(url, {"nik": NIK}) for _ in range(4)]
    assert len(FakeBackend.outbox) == 2
    assert [a.status_code for a in answers] == [200, 200, 400, 400]
    assert FaceCheck.objects.filter(citizen=john).count() == 2


def test_a_flow_left_at_the_kiosk_cannot_be_finished_by_the_next_visitor(kiosk, queue, john):
    import time_machine
    from django.utils import timezone

    url, check, code = code_fallback_start(kiosk, queue)
    done = kiosk.post(url, {"check": check.uuid, "code": code})
    hello = reverse("visits:kiosk_face_hello", args=[queue.mall.code, check.uuid])
    assert done.url == hello
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert kiosk.get(hello).status_code == 403  # the greeting (a masked name) is gone
        issue = reverse("visits:kiosk_face_issue", args=[queue.mall.code, check.uuid])
        assert kiosk.post(issue, {"service": queue.kk.pk}).status_code == 403
    assert not Ticket.objects.exists()
