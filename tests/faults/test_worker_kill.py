"""Fault: the notification worker is killed (SIGKILL) in the middle of a batch, while the
gateway holds a message it has accepted but not yet answered. On restart every message is
delivered exactly once: the dead worker's claim expires, the rows it never recorded are sent
again with the same idempotency key, and the gateway delivers each key once. Also: SIGTERM
stops a worker after the message in hand and gives its claim back. Real processes on
PostgreSQL (SKIP LOCKED claims); under a minute."""

import os
import signal
import subprocess
import sys

import pytest
from django.db import connection
from django.utils import timezone

from mpp.visits.models import Notification, NotificationStatus
from tests.faults.gateway import delivered_per_recipient, requests_received
from tests.processes import ROOT, database_url, wait_until

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need PG"),
    pytest.mark.django_db(transaction=True),
]
MESSAGES = 30


def worker(log, **env) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MESSAGING_BACKEND": "tests.faults.gateway.FileGateway",
        "FAULT_GATEWAY_LOG": str(log),
        "NOTIFICATION_CLAIM_SECONDS": "3",
        **env,
    }
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "send_notifications", "--loop", "--interval", "0.2"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def outbox(count: int = MESSAGES) -> list[Notification]:
    return [
        Notification.objects.create(channel="sms", address=f"0812{n:08d}", body=f"Giliran {n}")
        for n in range(count)
    ]


def sent() -> int:
    return Notification.objects.filter(status=NotificationStatus.SENT).count()


def test_a_worker_killed_mid_batch_leaves_every_message_delivered_exactly_once(tmp_path):
    notes = outbox()
    log = tmp_path / "gateway.jsonl"
    first = worker(log, FAULT_GATEWAY_HANG_AFTER="5")
    try:
        wait_until(lambda: len(requests_received(log)) == 5, "five messages accepted", timeout=40)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    held = requests_received(log)[-1]["key"]  # accepted, never answered, never recorded
    note = Notification.objects.get(pk=int(held.rsplit("-", 1)[1]))
    assert note.status == NotificationStatus.PENDING and note.send_after > timezone.now()
    assert sent() == 4

    second = worker(log)  # starts while the dead worker's claim still holds
    try:
        wait_until(lambda: sent() == MESSAGES, "every message sent", timeout=40)
    finally:
        second.terminate()
        second.wait(timeout=20)

    keys = [request["key"] for request in requests_received(log)]
    assert keys.count(held) == 2  # sent again after the claim expired …
    delivered = delivered_per_recipient(log)
    assert delivered == {note.address: 1 for note in notes}  # … and delivered once
    assert len(keys) == MESSAGES + 1


def test_sigterm_stops_the_worker_after_the_message_in_hand_and_gives_back_its_claim(tmp_path):
    outbox()
    log = tmp_path / "gateway.jsonl"
    proc = worker(log, FAULT_GATEWAY_DELAY="0.3", NOTIFICATION_CLAIM_SECONDS="600")
    try:
        wait_until(lambda: len(requests_received(log)) >= 3, "three messages accepted", timeout=40)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    received = len(requests_received(log))
    assert sent() == received  # the message in hand was finished and recorded
    waiting = Notification.objects.filter(status=NotificationStatus.PENDING)
    assert waiting.count() == MESSAGES - received
    # Its claim was given back: the rest is due now, not after the 10-minute lease.
    assert not waiting.filter(send_after__gt=timezone.now()).exists()
