"""Manager alerts: a service whose oldest waiting visitor has waited past the limit (the
setting QUEUE_ALERT_WAIT_MINUTES, else the service standard's completion time, else 30
minutes). The manager's day page shows it with the suggestion to open another counter; an
e-mail goes to the mall's managers once per episode (until the wait is back under the limit),
sent by `manage.py send_queue_alerts` (cron, every minute) through the outbox."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mpp.core.ratelimit import CACHE_ALIAS
from mpp.registry.models import Mall, MallStatus, Service

from .models import Notification, Ticket, TicketStatus
from .rollups import limit_minutes_of

DEFAULT_LIMIT_MINUTES = 30


@dataclass(frozen=True)
class WaitAlert:
    service: Service
    waited_minutes: int
    limit_minutes: int


def _limit_of(service: Service, day) -> int:
    if settings.QUEUE_ALERT_WAIT_MINUTES:
        return settings.QUEUE_ALERT_WAIT_MINUTES
    return limit_minutes_of(service.standard_on(day)) or DEFAULT_LIMIT_MINUTES


def wait_alerts(mall: Mall, now: datetime | None = None) -> list[WaitAlert]:
    """Services of `mall` whose oldest waiting ticket today has waited past the limit."""
    now = now or timezone.now()
    today = now.astimezone(mall.tz).date()
    oldest = dict(
        Ticket.objects.filter(mall=mall, local_date=today, status=TicketStatus.WAITING)
        .values_list("service_id")
        .annotate(first=Min("queued_at"))
    )
    alerts = []
    for service in Service.objects.filter(pk__in=oldest).order_by("name"):
        waited = int((now - oldest[service.pk]).total_seconds() // 60)
        limit = _limit_of(service, today)
        if waited >= limit:
            alerts.append(WaitAlert(service, waited, limit))
    return alerts


def wait_alerts_send(now: datetime | None = None) -> int:
    """Queue one e-mail per new episode to each manager of the mall; forget episodes that
    ended, so the next crossing alerts again. Returns the number of messages queued."""
    now = now or timezone.now()
    cache = caches[CACHE_ALIAS]
    queued = 0
    # Malls with tickets in the last day: those alerting, and those whose episode just ended.
    recent = Ticket.objects.filter(issued_at__gte=now - timedelta(days=1)).values("mall_id")
    for mall in Mall.objects.filter(status=MallStatus.OPEN, pk__in=recent):
        today = now.astimezone(mall.tz).date()
        alerting = {alert.service.pk: alert for alert in wait_alerts(mall, now)}
        for service in Service.objects.filter(mall=mall, is_active=True):
            key = f"queue-alert:{service.pk}:{today.isoformat()}"
            if service.pk not in alerting:
                cache.delete(key)
                continue
            if not cache.add(key, 1, 24 * 3600):
                continue  # this episode was announced already
            queued += _send(mall, alerting[service.pk])
    return queued


def _send(mall: Mall, alert: WaitAlert) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "%(mall)s: the oldest visitor for %(service)s has waited %(waited)d minutes "
            "(limit %(limit)d). Consider opening another counter for this service."
        ) % {
            "mall": mall.name,
            "service": alert.service.name,
            "waited": alert.waited_minutes,
            "limit": alert.limit_minutes,
        }
    sent = 0
    for manager in mall.managers.exclude(email=""):
        Notification.objects.create(channel="email", address=manager.email, body=body)
        sent += 1
    return sent
