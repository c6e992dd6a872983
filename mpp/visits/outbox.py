"""The notification outbox: rows written in the queue's transactions, sent afterwards by
`send_notifications` (one process or many). Each message is delivered once:

- **Claim, then send.** A worker claims due rows in a short transaction (SKIP LOCKED, so
  several workers share the work) by moving their `send_after` NOTIFICATION_CLAIM_SECONDS
  ahead: a lease. It sends them outside any transaction and records each as sent. A worker
  killed mid-batch leaves its unsent rows pending; its lease ends and another pass sends
  them. A row the gateway accepted just before the kill is sent again with the same
  idempotency key (`Message.key`, the row's id), which the gateway uses to deliver it once.
- **A gateway that fails pauses its channel.** The failed message and every pending one of
  its channel wait (30 s, doubling per attempt, at most NOTIFICATION_BACKOFF_MAX_SECONDS);
  the batch stops trying that channel. When the gateway answers again, the backlog goes out
  in the order the messages were written (oldest first), each once.
- **A message no longer useful is dropped, and counted**: its ticket is no longer waiting
  (the turn came or passed), or it is older than NOTIFICATION_MAX_AGE_MINUTES."""

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from mpp.core.messaging import Message, get_backend
from mpp.core.workers import due_rows_claim

from .models import Notification, NotificationStatus, TicketStatus

MAX_ATTEMPTS = 20  # then FAILED: a message the gateway refuses for ~1.5 h is not retried
STILL_USEFUL = {TicketStatus.WAITING, TicketStatus.PARKED}


def _claim(batch: int, now) -> list[Notification]:
    due = Notification.objects.filter(status=NotificationStatus.PENDING, send_after__lte=now)
    return due_rows_claim(
        due.order_by("id").select_related("ticket"),
        batch=batch,
        lease_until=now + timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS),
    )


def _stale(note: Notification, now) -> str:
    if note.ticket_id and (note.ticket is None or note.ticket.status not in STILL_USEFUL):
        return "dropped: the ticket is no longer waiting"
    if now - note.created_at > timedelta(minutes=settings.NOTIFICATION_MAX_AGE_MINUTES):
        return "dropped: too old to be useful"
    return ""


def _pause_channel(note: Notification, error: Exception, now) -> None:
    """The gateway failed: this message and the rest of its channel wait (back-off)."""
    attempts = note.attempts + 1
    wait = min(30 * 2 ** (attempts - 1), settings.NOTIFICATION_BACKOFF_MAX_SECONDS)
    retry_at = now + timedelta(seconds=wait)
    status = NotificationStatus.FAILED if attempts >= MAX_ATTEMPTS else NotificationStatus.PENDING
    Notification.objects.filter(pk=note.pk).update(
        attempts=attempts, last_error=str(error)[:500], status=status, send_after=retry_at
    )
    Notification.objects.filter(
        channel=note.channel, status=NotificationStatus.PENDING, send_after__lt=retry_at
    ).update(send_after=retry_at)


def notifications_send(*, batch: int = 100, backend=None) -> tuple[int, int]:
    """Send due notifications; returns (sent, failed). See `notifications_send_counts`."""
    counts = notifications_send_counts(batch=batch, backend=backend)
    return counts["sent"], counts["failed"]


def notifications_send_counts(*, batch: int = 100, backend=None, stop=None) -> dict:
    """Claim and send one batch: {"sent", "failed", "dropped", "released"}. `stop()` (a
    worker asked to shut down) ends the batch early; the rows not sent are released."""
    backend = backend or get_backend()
    now = timezone.now()
    counts = {"sent": 0, "failed": 0, "dropped": 0, "released": 0}
    claimed = _claim(batch, now)
    paused: set[str] = set()
    for index, note in enumerate(claimed):
        if note.channel in paused:
            continue  # waits with its channel (moved by _pause_channel)
        if stop is not None and stop():
            rest = [n.pk for n in claimed[index:] if n.channel not in paused]
            counts["released"] = Notification.objects.filter(
                pk__in=rest, status=NotificationStatus.PENDING
            ).update(send_after=now)
            break
        reason = _stale(note, timezone.now())
        if reason:
            Notification.objects.filter(pk=note.pk).update(
                status=NotificationStatus.DROPPED, last_error=reason
            )
            counts["dropped"] += 1
            continue
        message = Message(note.channel, note.address, note.body, key=f"mpp-notification-{note.pk}")
        try:
            backend.send(message)
        except Exception as error:  # noqa: BLE001 - any gateway failure is retried
            _pause_channel(note, error, timezone.now())
            paused.add(note.channel)
            counts["failed"] += 1
        else:
            Notification.objects.filter(pk=note.pk).update(
                status=NotificationStatus.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
            )
            counts["sent"] += 1
    return counts
