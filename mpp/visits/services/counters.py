"""Counter sessions: an officer opens, pauses, resumes and closes a counter."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mpp.accounts.models import Role
from mpp.core.audit import audit_record
from mpp.registry.models import Counter

from ..models import (
    CounterSession,
    CounterSessionStatus,
    Ticket,
    TicketStatus,
)
from .common import QueueError, _now

# --- counters -------------------------------------------------------------------------


def _check_officer_at(officer, counter: Counter) -> None:
    posting = getattr(officer, "posting", None)
    if officer.is_superuser:
        return
    if (
        officer.role != Role.COUNTER_OFFICER
        or posting is None
        or posting.mall_id != counter.mall_id
    ):
        raise QueueError(
            _("You are not posted at this mall, so you cannot use its counters."),
            code="not_your_mall",
            field="counter",
        )
    if counter.agency_id and posting.agency_id != counter.agency_id:
        raise QueueError(
            _("This counter belongs to another agency."), code="not_your_agency", field="counter"
        )


def open_session_of(counter: Counter) -> CounterSession | None:
    return counter.sessions.exclude(status=CounterSessionStatus.CLOSED).first()


@transaction.atomic
def counter_open(*, counter: Counter, officer, now: datetime | None = None) -> CounterSession:
    """An officer opens a counter: the start of a staffing record."""
    _check_officer_at(officer, counter)
    if not counter.is_active:
        raise QueueError(_("This counter is not in use."), code="counter_inactive")
    current = open_session_of(counter)
    if current:
        if current.officer_id == officer.pk:
            return current
        raise QueueError(
            _("Counter %(number)s is already open by another officer.")
            % {"number": counter.number},
            code="counter_taken",
        )
    # An officer staffs one counter at a time: opening a new one closes the previous one.
    for session in CounterSession.objects.filter(officer=officer).exclude(
        status=CounterSessionStatus.CLOSED
    ):
        _session_close(session, _now(now))
    try:
        with transaction.atomic():
            session = CounterSession.objects.create(
                counter=counter, officer=officer, opened_at=_now(now)
            )
    except IntegrityError:
        raise QueueError(
            _("Counter %(number)s is already open by another officer.")
            % {"number": counter.number},
            code="counter_taken",
        ) from None
    audit_record(actor=officer, action="counter.open", target=counter)
    return session


def _session_for(counter: Counter, officer) -> CounterSession:
    session = open_session_of(counter)
    if session is None or (session.officer_id != officer.pk and not officer.is_superuser):
        raise QueueError(_("Open the counter first."), code="counter_not_open")
    return session


@transaction.atomic
def counter_pause(*, counter: Counter, officer, now: datetime | None = None) -> CounterSession:
    session = _session_for(counter, officer)
    if session.status == CounterSessionStatus.OPEN:
        session.status = CounterSessionStatus.PAUSED
        session.paused_since = _now(now)
        session.save(update_fields=["status", "paused_since"])
    return session


@transaction.atomic
def counter_resume(*, counter: Counter, officer, now: datetime | None = None) -> CounterSession:
    session = _session_for(counter, officer)
    if session.status == CounterSessionStatus.PAUSED:
        session.paused_seconds += int((_now(now) - session.paused_since).total_seconds())
        session.status = CounterSessionStatus.OPEN
        session.paused_since = None
        session.save(update_fields=["status", "paused_seconds", "paused_since"])
    return session


def _session_close(session: CounterSession, now: datetime) -> None:
    if session.status == CounterSessionStatus.PAUSED and session.paused_since:
        session.paused_seconds += int((now - session.paused_since).total_seconds())
    session.status = CounterSessionStatus.CLOSED
    session.closed_at = now
    session.paused_since = None
    session.save(update_fields=["status", "closed_at", "paused_seconds", "paused_since"])


@transaction.atomic
def counter_close(*, counter: Counter, officer, now: datetime | None = None) -> CounterSession:
    """Close the counter. A person still at it goes back to the queue at their place."""
    session = _session_for(counter, officer)
    now = _now(now)
    for ticket in Ticket.objects.filter(
        counter=counter, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]
    ):
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.WAITING, counter=None)
    _session_close(session, now)
    audit_record(actor=officer, action="counter.close", target=counter)
    return session
