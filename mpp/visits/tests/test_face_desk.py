"""Reception-desk check-in by face (issue 6): an officer posted at Sampit checks in an
elderly visitor on their behalf — NIK or booking code typed by the officer, the camera on the
officer's screen, liveness, 1:1 verification, service, ticket linked to the citizen. The same
services as the kiosk; real model, real photographs (John Simm enrolled, see test_face_checkin)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mpp.accounts.models import Role
from mpp.citizens.models import AccessRecord, ClaimKind, FaceCheck, Purpose
from mpp.citizens.tests.face_photos import (
    IMPOSTOR_TURN_RIGHT,
    TURN_LEFT,
    frames_of,
    turn_burst,
)
from mpp.core.nik import nik_hash, nik_mask
from mpp.visits import services as q
from mpp.visits.models import Booking, Channel, Ticket

from .conftest import JOHN_NIK as NIK

pytestmark = pytest.mark.usefixtures("face_settings")


@pytest.fixture
def desk(client, queue):
    """Ani, a Dukcapil officer posted at Sampit, at the reception desk."""
    client.force_login(queue.ani)
    return client


def fixed_prompt(monkeypatch, action="turn_left"):
    from mpp import biometrics as bio

    monkeypatch.setattr(
        bio, "challenge_new", lambda **kw: bio.Challenge(actions=(bio.Action(action),))
    )


def claim(desk, monkeypatch, action="turn_left", **data) -> FaceCheck:
    fixed_prompt(monkeypatch, action)
    response = desk.post(reverse("visits:desk_face"), data)
    assert response.status_code == 302, response.content.decode()
    check = FaceCheck.objects.latest("id")
    assert response.url == reverse("visits:desk_face_camera", args=[check.uuid])
    return check


def send(client, check, frames):
    payload = {
        "frames": [
            SimpleUploadedFile(f"f{i}.jpg", f, content_type="image/jpeg")
            for i, f in enumerate(frames)
        ]
    }
    return client.post(reverse("visits:desk_face_frames", args=[check.uuid]), payload).json()


def test_the_console_links_to_the_reception_desk(desk):
    page = desk.get(reverse("visits:console_home")).content.decode()
    assert reverse("visits:desk_face") in page


def test_an_officer_checks_an_elderly_visitor_in_by_face_and_the_ticket_carries_the_citizen(
    desk, queue, john, monkeypatch
):
    check = claim(desk, monkeypatch, nik=NIK)
    assert check.officer == queue.ani and check.claim == ClaimKind.NIK
    camera = desk.get(reverse("visits:desk_face_camera", args=[check.uuid])).content.decode()
    assert "tolehkan kepala perlahan" in camera and "citizens/face.js" in camera
    assert reverse("visits:desk_face_frames", args=[check.uuid]) in camera
    answer = send(desk, check, turn_burst(*TURN_LEFT))
    assert answer == {"ok": True, "next": reverse("visits:desk_face_hello", args=[check.uuid])}
    hello = desk.get(answer["next"]).content.decode()
    assert "J*** S***" in hello and NIK not in hello and "Simm" not in hello
    issued = desk.post(
        reverse("visits:desk_face_issue", args=[check.uuid]),
        {"service": queue.ktp.pk, "priority": "elderly"},
    )
    ticket = Ticket.objects.get()
    assert issued.url == reverse("visits:ticket_print", args=[ticket.uuid])
    assert ticket.citizen == john and ticket.channel == Channel.FACE
    assert ticket.priority_reason == "elderly" and ticket.mall == queue.mall
    record = AccessRecord.objects.filter(citizen=john, purpose=Purpose.BIOMETRIC).first()
    assert record.outcome == "granted" and record.reason.startswith("verify (nik): match")
    assert record.actor == queue.ani and record.channel == "counter"
    assert record.mall == queue.mall
    # one check, one ticket
    desk.post(reverse("visits:desk_face_issue", args=[check.uuid]), {"service": queue.ktp.pk})
    assert Ticket.objects.count() == 1


def test_a_booking_code_typed_at_the_desk_checks_the_booking_in(desk, queue, john, monkeypatch):
    now = timezone.now()
    booking = Booking.objects.create(
        code="DESK01",
        mall=queue.mall,
        service=queue.skck,
        date=q.local_date_of(queue.mall, now),
        slot_start=(now + timedelta(minutes=10)).time(),
        starts_at=now + timedelta(minutes=10),
        nik_hash=nik_hash(NIK),
        nik_masked=nik_mask(NIK),
        phone="081234567895",
    )
    check = claim(desk, monkeypatch, booking="desk01")
    assert send(desk, check, turn_burst(*TURN_LEFT))["ok"]
    hello = desk.get(reverse("visits:desk_face_hello", args=[check.uuid])).content.decode()
    assert "SKCK" in hello
    desk.post(reverse("visits:desk_face_issue", args=[check.uuid]), {})
    booking.refresh_from_db()
    assert booking.status == "checked_in" and booking.ticket.citizen == john


def test_an_impostor_at_the_desk_gets_no_greeting_and_no_ticket(desk, queue, john, monkeypatch):
    check = claim(desk, monkeypatch, action="turn_right", nik=NIK)
    answer = send(desk, check, turn_burst(*IMPOSTOR_TURN_RIGHT))
    assert answer["ok"] is False and answer["reasons"] == ["no_match"]
    assert answer["retry"] == reverse("visits:desk_face")
    assert desk.get(reverse("visits:desk_face_hello", args=[check.uuid])).status_code == 302
    desk.post(reverse("visits:desk_face_issue", args=[check.uuid]), {"service": queue.ktp.pk})
    assert not Ticket.objects.exists()


def test_a_still_photo_is_refused_at_the_desk_too(desk, john, monkeypatch):
    check = claim(desk, monkeypatch, nik=NIK)
    answer = send(desk, check, frames_of("John_Simm", [4]) * 10)
    assert answer["reasons"] == ["liveness_still_image"]


def test_an_unenrolled_nik_is_named_at_the_desk(desk, queue):
    page = desk.post(reverse("visits:desk_face"), {"nik": NIK})
    assert page.status_code == 400 and not FaceCheck.objects.exists()
    assert "desk-nik-error" in page.content.decode()


def test_another_officer_cannot_pick_up_the_check(desk, client, queue, john, monkeypatch):
    check = claim(desk, monkeypatch, nik=NIK)
    desk.logout()
    client.force_login(queue.budi)
    assert client.get(reverse("visits:desk_face_camera", args=[check.uuid])).status_code == 404
    response = client.post(reverse("visits:desk_face_frames", args=[check.uuid]), {})
    assert response.status_code == 404
    check.refresh_from_db()
    assert check.frames_at is None


def test_only_officers_posted_at_a_mall_use_the_desk(client, queue):
    from conftest import make_user

    client.force_login(make_user("visitor", Role.CITIZEN))
    assert client.get(reverse("visits:desk_face")).status_code == 403
    client.force_login(make_user("unposted", Role.COUNTER_OFFICER))
    assert client.get(reverse("visits:desk_face")).status_code == 403


def test_the_desk_falls_back_to_an_sms_code_read_out_by_the_visitor(desk, queue, john):
    from mpp.core.messaging import FakeBackend

    FakeBackend.outbox = []
    assert (
        reverse("visits:desk_face_code") in desk.get(reverse("visits:desk_face")).content.decode()
    )
    url = reverse("visits:desk_face_code")
    assert desk.post(url, {"nik": "1234"}).status_code == 400  # names the NIK's shape
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.MESSAGING_BACKEND", "mpp.core.messaging.FakeBackend")
        page = desk.post(url, {"nik": NIK}).content.decode()
    assert NIK not in page  # the page names the visitor by the masked name only
    check = FaceCheck.objects.latest("id")
    assert (check.claim, check.officer) == (ClaimKind.CODE, queue.ani)
    code = FakeBackend.outbox[-1].body.split(": ")[1][:6]
    wrong = desk.post(url, {"check": check.uuid, "code": "999999" if code != "999999" else "0"})
    assert wrong.status_code == 400
    done = desk.post(url, {"check": check.uuid, "code": code})
    assert done.url == reverse("visits:desk_face_hello", args=[check.uuid])
    desk.post(reverse("visits:desk_face_issue", args=[check.uuid]), {"service": queue.kk.pk})
    ticket = Ticket.objects.get()
    assert ticket.citizen == john and ticket.mall == queue.mall
