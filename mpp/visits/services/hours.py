"""When a service takes tickets: the one rule (docs/decisions/0030-hours-and-closures.md).

A service issues tickets inside the mall's opening windows for the local weekday, each window
ending `Service.last_ticket_minutes` before closing, never on a closure day, and (walk-ins)
never past the daily cap. A mall that has entered no weekly hours at all is not held to hours
(closures and the cap still apply): hours are the manager's to enter, and a mall without them
must not find its kiosk dead. Every entry point (kiosk, API, face ticket, booking check-in)
reaches this through `ticket_issue`; pages ask `service_opening` to say when it opens next."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mpp.registry.models import Mall, Service

from ..models import Channel, Ticket
from .common import QueueError

LOOK_AHEAD_DAYS = 15  # how far `opens_next` searches (a closure fortnight is rare)
HOURS_CACHE_SECONDS = 60  # hours and closures change rarely; kiosks issue constantly


@dataclass(frozen=True)
class Opening:
    """Whether `service` takes tickets at `at`; if not, why (`code`) and when it opens next."""

    is_open: bool
    code: str = ""
    opens_next: datetime | None = None


def _mall_calendar(mall: Mall, today: date) -> dict:
    """The mall's weekly hours and its closures from `today`, kept a minute per process."""
    key = f"queue-hours:{mall.pk}:{today.isoformat()}"
    calendar = cache.get(key)
    if calendar is None:
        weekly: dict[int, list] = {}
        for hours in mall.opening_hours.all():
            weekly.setdefault(hours.weekday, []).append((hours.opens_at, hours.closes_at))
        closures = set(
            mall.closures.filter(
                date__gte=today - timedelta(days=1),
                date__lte=today + timedelta(days=LOOK_AHEAD_DAYS),
            ).values_list("date", flat=True)
        )
        calendar = {"weekly": weekly, "closures": closures}
        cache.set(key, calendar, HOURS_CACHE_SECONDS)
    return calendar


def hours_forget(mall_id: int) -> None:
    """Drop this process's cached calendar of a mall (hours or a closure changed)."""
    today = timezone.now().date()
    for delta in (-1, 0, 1):
        cache.delete(f"queue-hours:{mall_id}:{(today + timedelta(days=delta)).isoformat()}")


def _windows(service: Service, calendar: dict, day: date) -> list[tuple[datetime, datetime]]:
    """Ticket windows on local `day`: opening periods, each ending at the cut-off."""
    if day in calendar["closures"]:
        return []
    tz = service.mall.tz
    cutoff = timedelta(minutes=service.last_ticket_minutes or 0)
    windows = []
    for opens_at, closes_at in sorted(calendar["weekly"].get(day.weekday(), [])):
        start = datetime.combine(day, opens_at, tzinfo=tz)
        end = datetime.combine(day, closes_at, tzinfo=tz) - cutoff
        if end > start:
            windows.append((start, end))
    return windows


def ticket_windows(*, service: Service, day: date) -> list[tuple[datetime, datetime]]:
    """The periods of local `day` in which `service` takes tickets (bookable slots lie inside
    them): none on a closure day or a weekday without hours."""
    calendar = _mall_calendar(service.mall, service.mall.local_now().date())
    return _windows(service, calendar, day)


def _opens_next(service: Service, calendar: dict, local: datetime) -> datetime | None:
    for offset in range(LOOK_AHEAD_DAYS):
        for start, _end in _windows(service, calendar, local.date() + timedelta(days=offset)):
            if start > local:
                return start
    return None


def service_opening(*, service: Service, at: datetime) -> Opening:
    """The hours part of the rule (no cap): open now, or the reason and the next opening."""
    mall = service.mall
    local = at.astimezone(mall.tz)
    calendar = _mall_calendar(mall, local.date())
    if local.date() in calendar["closures"]:
        return Opening(False, "closure_day", _opens_next(service, calendar, local))
    if not calendar["weekly"]:
        return Opening(True)  # no hours entered: not held to hours (see the module docstring)
    windows = _windows(service, calendar, local.date())
    if any(start <= local < end for start, end in windows):
        return Opening(True)
    opens_next = _opens_next(service, calendar, local)
    if not windows:
        code = "closed_today"
    elif local < windows[0][0]:
        code = "before_opening"
    elif service.last_ticket_minutes and any(
        end <= local < end + timedelta(minutes=service.last_ticket_minutes) for _s, end in windows
    ):
        code = "after_cutoff"
    else:
        code = "after_closing"
    return Opening(False, code, opens_next)


def _reason(service: Service, opening: Opening) -> str:
    reasons = {
        "closure_day": _("The mall is closed today."),
        "closed_today": _("%(service)s takes no tickets today."),
        "before_opening": _("%(service)s does not take tickets yet."),
        "after_cutoff": _("The last ticket for %(service)s has been issued for today."),
        "after_closing": _("%(service)s takes no more tickets now."),
        "daily_cap": _("Today's tickets for %(service)s are all taken."),
    }
    text = reasons[opening.code] % {"service": service.name}
    if opening.opens_next:
        text += " " + _("Tickets again from %(when)s.") % {"when": opens_next_text(opening)}
    return text


def _refusal(service: Service, opening: Opening) -> QueueError:
    return QueueError(
        _reason(service, opening),
        code=opening.code,
        field="service",
        opens_next=opening.opens_next,
    )


def opens_next_text(opening: Opening) -> str:
    """ "Monday 23 November, 08:00" in the mall's zone and the user's language."""
    return date_format(opening.opens_next, "l j F, H:i") if opening.opens_next else ""


def daily_cap_of(service: Service) -> int:
    """The walk-in tickets a service may issue per day; 0 = no cap."""
    if service.daily_ticket_cap is not None:
        return service.daily_ticket_cap
    return settings.QUEUE_DAILY_TICKET_CAP


def issuing_check(*, service: Service, now: datetime, channel: str) -> None:
    """Refuse (QueueError, nothing changed) a ticket the service may not issue at `now`. A
    checked-in booking is held to closures only: its slot was inside the hours when booked
    and the grace period may run past the last ticket. The daily cap is `daily_cap_check`,
    asked once the ticket's rollup row is locked."""
    opening = service_opening(service=service, at=now)
    if channel == Channel.BOOKING:
        if opening.code == "closure_day":
            raise _refusal(service, opening)
        return
    if not opening.is_open:
        raise _refusal(service, opening)


def daily_cap_check(*, ticket: Ticket, issued_today: int, now: datetime) -> None:
    """Refuse a walk-in past the service's daily cap (QueueError: the caller's transaction,
    ticket included, rolls back). `issued_today` is the rollup's count of the service's
    tickets today with this one, read as the upsert locked the row: it counts bookings and
    transfers too, so it bounds the walk-ins from above and the exact count is needed only
    when it reaches the cap. The lock makes concurrent kiosks count one after another."""
    service = ticket.service
    cap = daily_cap_of(service)
    if not cap or ticket.channel == Channel.BOOKING or ticket.transferred_from_id:
        return
    if issued_today <= cap:
        return
    others = (
        Ticket.objects.filter(service=service, local_date=ticket.local_date, transferred_from=None)
        .exclude(channel=Channel.BOOKING)
        .exclude(pk=ticket.pk)
        .count()
    )
    if others >= cap:
        local = now.astimezone(service.mall.tz)
        calendar = _mall_calendar(service.mall, local.date())
        tomorrow = local.replace(hour=23, minute=59, second=59)
        full = Opening(False, "daily_cap", _opens_next(service, calendar, tomorrow))
        raise _refusal(service, full)
