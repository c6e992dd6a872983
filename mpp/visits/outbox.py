"""The notification outbox: rows written in the queue's transactions, sent afterwards by
`send_notifications` (one process or many: rows are claimed with SKIP LOCKED)."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from mpp.core.messaging import Message, get_backend

from .models import Notification, NotificationStatus

MAX_ATTEMPTS = 5


def notifications_send(*, batch: int = 100, backend=None) -> tuple[int, int]:
    """Send due notifications; returns (sent, failed). A failure is retried with a growing
    delay, up to MAX_ATTEMPTS."""
    backend = backend or get_backend()
    sent = failed = 0
    with transaction.atomic():
        due = Notification.objects.filter(
            status=NotificationStatus.PENDING, send_after__lte=timezone.now()
        ).order_by("send_after", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for note in due[:batch]:
            note.attempts += 1
            try:
                backend.send(Message(note.channel, note.address, note.body))
            except Exception as error:  # noqa: BLE001 - any gateway failure is retried
                note.last_error = str(error)[:500]
                if note.attempts >= MAX_ATTEMPTS:
                    note.status = NotificationStatus.FAILED
                else:
                    note.send_after = timezone.now() + timedelta(seconds=30 * 2**note.attempts)
                failed += 1
            else:
                note.status = NotificationStatus.SENT
                note.sent_at = timezone.now()
                sent += 1
            note.save(update_fields=["attempts", "status", "sent_at", "send_after", "last_error"])
    return sent, failed
