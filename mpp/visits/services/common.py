"""What every queue change shares: the refusal, the clock, the allowed transitions and
the rollup bookkeeping that keeps the daily rollup exact at every change."""

from datetime import date, datetime

from django.utils import timezone

from mpp.registry.models import Mall

from ..models import (
    Outcome,
    Ticket,
    TicketStatus,
)
from ..rollups import limit_minutes_of, rollup_bump, rollup_deltas_for


class QueueError(Exception):
    """A refused queue action. `message` is already in the user's language; nothing changed."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        opens_next: datetime | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.opens_next = opens_next  # a service refusing tickets now: when it takes them again


# Which statuses each officer action may start from. Anything else is refused.
TRANSITIONS = {
    "recall": {TicketStatus.CALLED},
    "start": {TicketStatus.CALLED},
    "finish": {TicketStatus.SERVING},
    "no_show": {TicketStatus.CALLED},
    "park": {TicketStatus.CALLED, TicketStatus.SERVING},
    "resume": {TicketStatus.PARKED},
    "transfer": {TicketStatus.CALLED, TicketStatus.SERVING},
    "return": {TicketStatus.NO_SHOW},  # a missed call brought back (settings.QUEUE_NO_SHOW_*)
}
FINAL_OUTCOMES = {Outcome.COMPLETED, Outcome.INCOMPLETE, Outcome.REFERRED}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def local_date_of(mall: Mall, at: datetime) -> date:
    return at.astimezone(mall.tz).date()


# --- rollup bookkeeping ---------------------------------------------------------------


def _limit_for(ticket: Ticket) -> int | None:
    if ticket.status != TicketStatus.FINISHED:
        return None
    return limit_minutes_of(ticket.service.standard_on(ticket.local_date))


def _rollup_apply(before: dict[str, int], ticket: Ticket) -> None:
    """Bump the rollup by what the ticket's change added: after minus before."""
    after = rollup_deltas_for(ticket, _limit_for(ticket))
    deltas = {k: after.get(k, 0) - before.get(k, 0) for k in before.keys() | after.keys()}
    if any(deltas.values()):
        rollup_bump(ticket, **deltas)
