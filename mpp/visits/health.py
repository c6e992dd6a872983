"""The outbox's readiness check: a due message waiting longer than READY_OUTBOX_LAG_SECONDS
means the notifications worker is stuck or too slow."""

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from mpp.core.health import readiness_check

from .models import Notification, NotificationStatus


def outbox_lag_seconds(now=None) -> float:
    """Seconds the oldest due, unsent notification has waited (0 when none is due)."""
    now = now or timezone.now()
    oldest = Notification.objects.filter(
        status=NotificationStatus.PENDING, send_after__lte=now
    ).aggregate(oldest=Min("send_after"))["oldest"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


@readiness_check("outbox")
def _outbox() -> dict:
    lag = outbox_lag_seconds()
    limit = settings.READY_OUTBOX_LAG_SECONDS
    pending = Notification.objects.filter(status=NotificationStatus.PENDING)
    # Messages held back by a failing gateway (their channel paused, decision 0028): the
    # backlog a manager watches. Not a readiness failure: the web itself is fine.
    failing = pending.exclude(last_error="").values("channel")
    waiting_on_gateway = pending.filter(channel__in=failing).count()
    result = {
        "ok": lag <= limit,
        "lag_seconds": round(lag, 1),
        "pending": pending.count(),
        "waiting_on_gateway": waiting_on_gateway,
    }
    if lag > limit:
        result["error"] = f"oldest due notification waits {lag:.0f} s (limit {limit} s)"
    return result
