"""Fault: the SMS gateway is down for an hour, then returns. Messages wait with growing
back-off (the gateway is not hammered), the backlog is visible, and once it answers again
every message goes out once, oldest first; a message whose turn has come meanwhile is
dropped and counted, not sent late. A killed worker's claim expires (its lease)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mpp.core.messaging import FakeBackend
from mpp.visits.models import Notification, NotificationStatus, TicketStatus
from mpp.visits.outbox import _claim, notifications_send_counts
from mpp.visits.services import tickets as q

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings):
    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    FakeBackend.outbox, FakeBackend.fail_next = [], 0
    yield FakeBackend
    FakeBackend.outbox, FakeBackend.fail_next = [], 0


def write(n: int, **extra) -> list[Notification]:
    return [
        Notification.objects.create(
            channel="sms", address=f"0812{i:08d}", body=f"Giliran {i}", **extra
        )
        for i in range(n)
    ]


def test_a_gateway_down_for_an_hour_then_back_sends_the_backlog_once_in_order(gateway, client):
    notes = write(6)
    tries = 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        gateway.fail_next = 10**6  # down
        for _ in range(60):  # a pass every minute for an hour
            counts = notifications_send_counts(backend=gateway())
            tries += counts["failed"]
            clock.shift(timedelta(minutes=1))
        # Back-off: one try per pause (30 s doubling up to 5 min), not 6 messages × 60 passes.
        assert 10 <= tries <= 16
        assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 6
        first = Notification.objects.get(pk=notes[0].pk)
        assert first.attempts == tries and "unavailable" in first.last_error
        # The backlog is visible on /readyz (not a failure: the web is fine).
        outbox = client.get("/readyz").json()["checks"]["outbox"]
        assert outbox["ok"] and outbox["pending"] == outbox["waiting_on_gateway"] == 6

        gateway.fail_next = 0  # back
        clock.shift(timedelta(minutes=5))
        counts = notifications_send_counts(backend=gateway())

    assert counts == {"sent": 6, "failed": 0, "dropped": 0, "released": 0}
    assert [m.address for m in gateway.outbox] == [n.address for n in notes]  # in order
    assert len({m.key for m in gateway.outbox}) == 6  # each once, each with its key
    assert notifications_send_counts(backend=gateway())["sent"] == 0


def test_a_message_whose_turn_came_during_the_outage_is_dropped_and_counted(queue, gateway):
    waiting = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    called = q.ticket_issue(mall=queue.mall, service=queue.ktp)
    useful = Notification.objects.create(channel="sms", address="081", body="a", ticket=waiting)
    late = Notification.objects.create(channel="sms", address="082", body="b", ticket=called)
    type(called).objects.filter(pk=called.pk).update(status=TicketStatus.SERVING)

    counts = notifications_send_counts(backend=gateway())

    assert counts["sent"] == 1 and counts["dropped"] == 1
    assert [m.address for m in gateway.outbox] == ["081"]
    assert Notification.objects.get(pk=useful.pk).status == NotificationStatus.SENT
    dropped = Notification.objects.get(pk=late.pk)
    assert (
        dropped.status == NotificationStatus.DROPPED and "no longer waiting" in dropped.last_error
    )


def test_a_message_older_than_the_limit_is_dropped(gateway, settings):
    settings.NOTIFICATION_MAX_AGE_MINUTES = 120
    (note,) = write(1)
    with time_machine.travel(timezone.now() + timedelta(minutes=121), tick=False):
        counts = notifications_send_counts(backend=gateway())
    assert counts["dropped"] == 1 and gateway.outbox == []
    assert Notification.objects.get(pk=note.pk).status == NotificationStatus.DROPPED


def test_a_claim_of_a_worker_that_died_expires_after_its_lease(gateway, settings):
    settings.NOTIFICATION_CLAIM_SECONDS = 60
    write(3)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert len(_claim(100, timezone.now())) == 3  # claimed, then the worker died
        assert notifications_send_counts(backend=gateway())["sent"] == 0  # still held
        clock.shift(timedelta(seconds=61))
        assert notifications_send_counts(backend=gateway())["sent"] == 3
    assert len(gateway.outbox) == 3
