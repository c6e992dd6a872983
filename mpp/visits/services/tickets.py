"""Tickets: issuing (numbers per prefix and day), the officer's actions, "your turn is
near" notifications and wait estimates.

Queue order (docs/decisions/0004-queue-order.md): tickets are called by `sort_key`, which is
the time the ticket joined the queue, less a fixed head start for the priority lane. A
booked ticket joins at its slot time. Nobody can be overtaken by more than the priority
tickets that arrive within the head start after them, so no one starves."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.core.audit import audit_record
from mpp.registry.models import Counter, Mall, MallStatus, Service

from ..models import (
    Channel,
    CounterSession,
    CounterSessionStatus,
    IssueClaim,
    Notification,
    Outcome,
    PriorityReason,
    Ticket,
    TicketSequence,
    TicketStatus,
)
from ..rollups import limit_minutes_of, rollup_bump, rollup_deltas_for
from .common import (
    FINAL_OUTCOMES,
    TRANSITIONS,
    QueueError,
    _limit_for,
    _now,
    _rollup_apply,
    local_date_of,
)
from .counters import _check_officer_at, _session_for
from .hours import daily_cap_check, issuing_check

# --- issuing ----------------------------------------------------------------------------


def _next_number(*, mall: Mall, prefix: str, local_date: date) -> int:
    """The next ticket number for the mall, prefix and day, in one statement. The upsert
    takes the row lock, so concurrent kiosks queue up here instead of reading the same
    max() (which handed out duplicate numbers under load)."""
    ops = connection.ops
    table = ops.quote_name(TicketSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # Identifiers come from the model; values are parameters.
            f"INSERT INTO {table} (mall_id, prefix, local_date, last_number) "  # noqa: S608
            "VALUES (%s, %s, %s, 1) ON CONFLICT (mall_id, prefix, local_date) "
            f"DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [mall.pk, prefix, ops.adapt_datefield_value(local_date)],
        )
        return cursor.fetchone()[0]


def _check_service(mall: Mall, service: Service) -> None:
    if service.mall_id != mall.pk or not service.is_active:
        raise QueueError(
            _("%(mall)s does not offer this service.") % {"mall": mall.name},
            code="service_not_offered",
            field="service",
        )


@transaction.atomic
def ticket_issue(*, mall: Mall, service: Service, **details) -> Ticket:
    """Print a ticket: a number unique per mall, prefix and local day, and a queue place,
    only when the service takes tickets (hours, closures, the daily cap: `hours.py`).
    `details`: priority_reason, channel, queued_at, trip, transferred_from, sort_key, now."""
    return _issue(mall=mall, service=service, **details)


def _issue(
    *,
    mall: Mall,
    service: Service,
    priority_reason: str = "",
    channel: str = Channel.WALK_IN,
    queued_at: datetime | None = None,
    trip=None,
    transferred_from: Ticket | None = None,
    sort_key: datetime | None = None,
    now: datetime | None = None,
    uuid: UUID | None = None,
) -> Ticket:
    """`ticket_issue`'s work, inside the caller's transaction (no savepoint of its own)."""
    now = _now(now)
    _check_service(mall, service)
    service.mall = mall  # the same row: the hours check reads it without another query
    if priority_reason not in PriorityReason.values:
        raise QueueError(_("Unknown priority reason."), code="bad_priority", field="priority")
    if mall.status != MallStatus.OPEN:
        raise QueueError(_("This mall is not open."), code="mall_not_open", field="mall")
    local_date = local_date_of(mall, now)
    if transferred_from is None:  # a transfer continues a visit already in the mall
        issuing_check(service=service, now=now, channel=channel)
    prefix = service.queue_prefix()
    queued_at = queued_at or now
    if sort_key is None:
        sort_key = queued_at
        if priority_reason:
            sort_key -= timedelta(minutes=settings.QUEUE_PRIORITY_HEAD_START_MINUTES)
    ticket = Ticket(
        uuid=uuid or uuid4(),
        mall=mall,
        service=service,
        agency_id=service.agency_id,
        channel=channel,
        priority_reason=priority_reason,
        prefix=prefix,
        number=_next_number(mall=mall, prefix=prefix, local_date=local_date),
        local_date=local_date,
        issued_at=now,
        queued_at=queued_at,
        sort_key=sort_key,
        transferred_from=transferred_from,
    )
    if trip:
        ticket.trip = trip
    ticket.save()
    issued_today = rollup_bump(ticket, issued=1)
    daily_cap_check(ticket=ticket, issued_today=issued_today, now=now)
    return ticket


ISSUE_CLAIM_SECONDS = 600  # how long a form's replay still answers its first ticket


@transaction.atomic
def ticket_issue_once(*, token: str, mall: Mall, service: Service, **issue) -> tuple[Ticket, bool]:
    """`ticket_issue` for one kiosk form (its issue token): the first request issues, every
    other one sent with the same form gets that ticket, `(ticket, replayed)`. The claim is
    the transaction's first write, so a double tap waits for the first tap to commit (then
    answers its ticket) or to roll back (then issues: an attempt that failed holds nothing)."""
    uuid = uuid4()
    meta = IssueClaim._meta
    values = [
        token,
        mall.pk,
        meta.get_field("ticket_uuid").get_db_prep_value(uuid, connection),
        meta.get_field("created_at").get_db_prep_value(_now(None), connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(  # one statement: it waits while another request holds the same token
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "  # noqa: S608
            "(token, mall_id, ticket_uuid, created_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (token) DO NOTHING RETURNING token",
            values,
        )
        claimed = cursor.fetchone() is not None
    if not claimed:
        claim = IssueClaim.objects.filter(token=token, mall=mall).first()
        ticket = claim and Ticket.objects.filter(uuid=claim.ticket_uuid, mall=mall).first()
        if ticket is None:  # a form of another mall, or pruned while replayed
            raise QueueError(_("Please choose the service again."), code="replayed")
        return ticket, True
    return _issue(mall=mall, service=service, uuid=uuid, **issue), False


def issue_claims_prune(*, now: datetime | None = None) -> int:
    """Forget the forms older than ISSUE_CLAIM_SECONDS (the notifications worker's pass)."""
    cutoff = _now(now) - timedelta(seconds=ISSUE_CLAIM_SECONDS)
    return IssueClaim.objects.filter(created_at__lt=cutoff).delete()[0]


@transaction.atomic
def ticket_follow(*, ticket: Ticket, when_ahead: int, channel: str, address: str) -> Ticket:
    """The citizen asks to be told when `when_ahead` people or fewer are ahead."""
    from mpp.core.messaging import CHANNELS

    if channel not in CHANNELS:
        raise QueueError(_("Choose SMS, WhatsApp or e-mail."), code="bad_channel", field="channel")
    if not 1 <= when_ahead <= 50:
        raise QueueError(
            _("Choose a number between 1 and 50."), code="bad_when_ahead", field="when_ahead"
        )
    address = address.strip()
    if channel == "email":
        if "@" not in address:
            raise QueueError(
                _("Enter a valid e-mail address."), code="bad_address", field="address"
            )
    elif not address.lstrip("+").isdigit() or not 8 <= len(address.lstrip("+")) <= 15:
        raise QueueError(_("Enter a valid phone number."), code="bad_address", field="address")
    Ticket.objects.filter(pk=ticket.pk).update(
        notify_when_ahead=when_ahead, notify_channel=channel, notify_address=address
    )
    ticket.refresh_from_db()
    _notify_due(service_id=ticket.service_id, local_date=ticket.local_date)
    return ticket


# --- the officer's actions on tickets ---------------------------------------------------


def current_ticket_at(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(
            counter=counter, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]
        )
        .select_related("service")
        .first()
    )


def waiting_for(counter: Counter, local_date: date):
    """The people this counter may call on `local_date`, in calling order (the console
    shows this list; `call_next` takes its head)."""
    return (
        Ticket.objects.filter(
            mall_id=counter.mall_id,
            local_date=local_date,
            status=TicketStatus.WAITING,
            service__in=counter.services.all(),
        )
        .select_related("service")
        .order_by("sort_key", "id")
    )


def priority_wait_limit_of(mall: Mall) -> int:
    """Minutes after which a waiting priority visitor is called first (0: no bound): the
    mall's own choice, else QUEUE_PRIORITY_WAIT_LIMIT_MINUTES (docs/decisions/0032)."""
    if mall.priority_wait_limit_minutes is not None:
        return mall.priority_wait_limit_minutes
    return settings.QUEUE_PRIORITY_WAIT_LIMIT_MINUTES


def _claim_candidate(counter: Counter, local_date: date, now: datetime) -> Ticket | None:
    """Lock the first waiting ticket this counter may call: a priority visitor who has waited
    past the mall's bound, else the head of the line. On PostgreSQL, rows another counter is
    claiming are skipped rather than waited for; SQLite serialises writers."""
    waiting = waiting_for(counter, local_date)
    if connection.features.has_select_for_update_skip_locked:
        waiting = waiting.select_for_update(skip_locked=True, of=("self",))
    limit = priority_wait_limit_of(counter.mall)
    if limit:
        overdue = waiting.exclude(priority_reason="").filter(
            queued_at__lte=now - timedelta(minutes=limit)
        )
        ticket = overdue.order_by("queued_at", "id").first()
        if ticket is not None:
            return ticket
    return waiting.first()


@transaction.atomic
def call_next(*, counter: Counter, officer, now: datetime | None = None) -> Ticket | None:
    """Call the first person in line for this counter's services; None when nobody waits."""
    _check_officer_at(officer, counter)
    session = _session_for(counter, officer)
    if session.status != CounterSessionStatus.OPEN:
        raise QueueError(_("The counter is paused. Resume it first."), code="counter_paused")
    if current_ticket_at(counter):
        raise QueueError(
            _("Finish, park or mark the current person as absent before calling the next."),
            code="counter_busy",
        )
    now = _now(now)
    local_date = local_date_of(counter.mall, now)
    for _attempt in range(5):
        ticket = _claim_candidate(counter, local_date, now)
        if ticket is None:
            return None
        before = rollup_deltas_for(ticket, None)
        # Conditional update: only one counter can move a ticket out of WAITING.
        claimed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED,
            counter=counter,
            officer=officer,
            called_at=ticket.called_at or now,
            last_called_at=now,
            call_count=F("call_count") + 1,
        )
        if claimed:
            # The row was locked (PostgreSQL) or the transaction holds the write lock
            # (SQLite): what the update wrote is known without reading it back.
            ticket.status, ticket.counter, ticket.officer = TicketStatus.CALLED, counter, officer
            ticket.called_at = ticket.called_at or now
            ticket.last_called_at = now
            ticket.call_count += 1
            ticket.mall = counter.mall
            _rollup_apply(before, ticket)
            _notify_called(ticket, counter)
            _notify_due(service_id=ticket.service_id, local_date=local_date)
            return ticket
    return None


def _act(ticket_id: int, action: str, officer) -> tuple[Ticket, dict]:
    """Lock the ticket, check the officer and that `action` is allowed from its status."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("counter", "service", "mall")
        .get(pk=ticket_id)
    )
    if ticket.counter is None:
        raise QueueError(_("This ticket is not at a counter."), code="not_at_counter")
    _check_officer_at(officer, ticket.counter)
    if ticket.status not in TRANSITIONS[action]:
        raise QueueError(
            _("Ticket %(number)s is %(status)s; this action is not possible now.")
            % {"number": ticket.display_number, "status": ticket.get_status_display().lower()},
            code="bad_transition",
        )
    return ticket, rollup_deltas_for(ticket, _limit_for(ticket))


@transaction.atomic
def ticket_recall(*, ticket: Ticket, officer, now: datetime | None = None) -> Ticket:
    ticket, _before = _act(ticket.pk, "recall", officer)
    ticket.last_called_at = _now(now)
    ticket.call_count += 1
    ticket.save(update_fields=["last_called_at", "call_count"])
    return ticket


@transaction.atomic
def ticket_start(*, ticket: Ticket, officer, now: datetime | None = None) -> Ticket:
    ticket, before = _act(ticket.pk, "start", officer)
    ticket.status = TicketStatus.SERVING
    ticket.started_at = ticket.started_at or _now(now)
    ticket.officer = officer
    ticket.save(update_fields=["status", "started_at", "officer"])
    _rollup_apply(before, ticket)
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, officer, outcome: str, now: datetime | None = None) -> Ticket:
    if outcome not in FINAL_OUTCOMES:
        raise QueueError(
            _("Choose an outcome: completed, requirements incomplete or referred."),
            code="bad_outcome",
            field="outcome",
        )
    ticket, before = _act(ticket.pk, "finish", officer)
    ticket.status = TicketStatus.FINISHED
    ticket.outcome = outcome
    ticket.finished_at = _now(now)
    ticket.save(update_fields=["status", "outcome", "finished_at"])
    _rollup_apply(before, ticket)
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, officer, now: datetime | None = None) -> Ticket:
    ticket, before = _act(ticket.pk, "no_show", officer)
    ticket.status = TicketStatus.NO_SHOW
    ticket.finished_at = _now(now)
    ticket.save(update_fields=["status", "finished_at"])
    _rollup_apply(before, ticket)
    return ticket


def _return_place(ticket: Ticket, after: int, now: datetime) -> datetime:
    """The sort key that puts a returning ticket after the next `after` people waiting for its
    service (or last, when fewer wait): it does not jump the queue, nor start again at its end."""
    keys = list(
        Ticket.objects.filter(
            mall_id=ticket.mall_id,
            local_date=ticket.local_date,
            service_id=ticket.service_id,
            status=TicketStatus.WAITING,
        )
        .order_by("sort_key", "id")
        .values_list("sort_key", flat=True)[: after + 1]
    )
    if len(keys) <= after:
        return (keys[-1] if keys else now) + timedelta(microseconds=1)
    if after == 0:
        return keys[0] - timedelta(microseconds=1)
    return keys[after - 1] + (keys[after] - keys[after - 1]) / 2


@transaction.atomic
def ticket_return(*, ticket: Ticket, officer, now: datetime | None = None) -> Ticket:
    """Bring back a no-show who turned up after all, within QUEUE_NO_SHOW_RETURN_MINUTES of
    the no-show and at most QUEUE_NO_SHOW_RETURNS times: the ticket waits again, placed after
    the next QUEUE_NO_SHOW_RETURN_AFTER people of its service."""
    now = _now(now)
    ticket, before = _act(ticket.pk, "return", officer)
    if ticket.returns >= settings.QUEUE_NO_SHOW_RETURNS:
        raise QueueError(
            _("Ticket %(number)s has already been brought back; please take a new ticket.")
            % {"number": ticket.display_number},
            code="returns_used",
        )
    window = timedelta(minutes=settings.QUEUE_NO_SHOW_RETURN_MINUTES)
    if ticket.finished_at is None or now - ticket.finished_at > window:
        raise QueueError(
            _("More than %(minutes)d minutes have passed since the call; please take a new ticket.")
            % {"minutes": settings.QUEUE_NO_SHOW_RETURN_MINUTES},
            code="return_too_late",
        )
    ticket.sort_key = _return_place(ticket, settings.QUEUE_NO_SHOW_RETURN_AFTER, now)
    ticket.status = TicketStatus.WAITING
    ticket.counter = None
    ticket.finished_at = None
    ticket.returns += 1
    ticket.save(update_fields=["sort_key", "status", "counter", "finished_at", "returns"])
    _rollup_apply(before, ticket)
    audit_record(
        actor=officer, action="ticket.return", target=ticket, details={"returns": ticket.returns}
    )
    return ticket


@transaction.atomic
def ticket_park(*, ticket: Ticket, officer, now: datetime | None = None) -> Ticket:
    """Set aside (e.g. to fetch a missing document); resuming keeps the queue place."""
    ticket, before = _act(ticket.pk, "park", officer)
    ticket.status = TicketStatus.PARKED
    ticket.save(update_fields=["status"])
    _rollup_apply(before, ticket)
    return ticket


@transaction.atomic
def ticket_resume(*, ticket: Ticket, officer, now: datetime | None = None) -> Ticket:
    ticket, before = _act(ticket.pk, "resume", officer)
    ticket.status = TicketStatus.WAITING
    ticket.counter = None
    ticket.save(update_fields=["status", "counter"])
    _rollup_apply(before, ticket)
    return ticket


@transaction.atomic
def ticket_transfer(
    *, ticket: Ticket, officer, to_service: Service, now: datetime | None = None
) -> Ticket:
    """Send the person on to another service (any agency in the mall). This visit ends as
    'transferred'; the new ticket is in the same trip and keeps the queue place."""
    now = _now(now)
    ticket, before = _act(ticket.pk, "transfer", officer)
    _check_service(ticket.mall, to_service)
    if to_service.pk == ticket.service_id:
        raise QueueError(
            _("Choose a different service to transfer to."), code="same_service", field="service"
        )
    ticket.status = TicketStatus.FINISHED
    ticket.outcome = Outcome.TRANSFERRED
    ticket.started_at = ticket.started_at or now
    ticket.finished_at = now
    ticket.save(update_fields=["status", "outcome", "started_at", "finished_at"])
    _rollup_apply(before, ticket)
    return ticket_issue(
        mall=ticket.mall,
        service=to_service,
        priority_reason=ticket.priority_reason,
        channel=ticket.channel,
        queued_at=now,
        sort_key=ticket.sort_key,
        trip=ticket.trip,
        transferred_from=ticket,
        now=now,
    )


# --- notifications ----------------------------------------------------------------------


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets for the same service that will be called before this one."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    return (
        Ticket.objects.filter(
            service_id=ticket.service_id,
            local_date=ticket.local_date,
            status=TicketStatus.WAITING,
        )
        .filter(Q(sort_key__lt=ticket.sort_key) | Q(sort_key=ticket.sort_key, id__lt=ticket.id))
        .count()
    )


def _notify_called(ticket: Ticket, counter: Counter) -> None:
    """A follower is told at once that they are being called (they may be outside)."""
    if not ticket.notify_address:
        return
    body = _(
        "%(mall)s: ticket %(number)s, you are being called now. Please go to counter %(counter)s."
    ) % {
        "mall": counter.mall.name,
        "number": ticket.display_number,
        "counter": counter.number,
    }
    Notification.objects.create(
        channel=ticket.notify_channel, address=ticket.notify_address, body=body, ticket=ticket
    )


@transaction.atomic
def ticket_unfollow(*, ticket: Ticket) -> Ticket:
    """The follower's opt-out: no more messages about this ticket ("near", "called now")."""
    Ticket.objects.filter(pk=ticket.pk).update(
        notify_when_ahead=None, notify_channel="", notify_address=""
    )
    Notification.objects.filter(ticket=ticket, status="pending").delete()
    ticket.refresh_from_db()
    return ticket


def _notify_due(*, service_id: int, local_date: date) -> None:
    """Queue a 'your turn is near' message for followers whose threshold is reached."""
    followers = Ticket.objects.filter(
        service_id=service_id,
        local_date=local_date,
        status=TicketStatus.WAITING,
        notify_when_ahead__isnull=False,
        notified_at__isnull=True,
    ).select_related("mall")
    for ticket in followers:
        ahead = people_ahead(ticket)
        if ahead > ticket.notify_when_ahead:
            continue
        body = _(
            "%(mall)s: your turn is near. Ticket %(number)s, %(ahead)d people ahead of you."
        ) % {"mall": ticket.mall.name, "number": ticket.display_number, "ahead": ahead}
        Notification.objects.create(
            channel=ticket.notify_channel, address=ticket.notify_address, body=body, ticket=ticket
        )
        Ticket.objects.filter(pk=ticket.pk).update(notified_at=timezone.now())


# --- estimates ----------------------------------------------------------------------------


@dataclass
class WaitEstimate:
    ahead: int
    open_counters: int
    low_minutes: int | None
    high_minutes: int | None
    basis: str  # "recent" (served today or this week), "standard", or "none"


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    index = (len(values) - 1) * q
    low = int(index)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (index - low)


def open_counters_for(service: Service) -> int:
    return (
        CounterSession.objects.filter(
            status=CounterSessionStatus.OPEN, counter__services=service, counter__is_active=True
        )
        .values("counter")
        .distinct()
        .count()
    )


def wait_estimate(ticket: Ticket, *, now: datetime | None = None) -> WaitEstimate:
    """A range, not a promise: people ahead × the middle half of recent service times,
    shared by the counters open for this service."""
    now = _now(now)
    ahead = people_ahead(ticket)
    counters = open_counters_for(ticket.service)
    recent = list(
        Ticket.objects.filter(
            service_id=ticket.service_id,
            status=TicketStatus.FINISHED,
            finished_at__gte=now - timedelta(days=7),
            started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:50]
    )
    durations = [(f - s).total_seconds() / 60 for s, f in recent if f > s]
    if len(durations) >= 5:
        low_each, high_each, basis = (
            _quantile(durations, 0.25),
            _quantile(durations, 0.75),
            "recent",
        )
    else:
        limit = limit_minutes_of(ticket.service.standard_on(ticket.local_date))
        if limit is None:
            return WaitEstimate(ahead, counters, None, None, "none")
        low_each, high_each, basis = limit * 0.5, float(limit), "standard"
    if ticket.status != TicketStatus.WAITING:
        return WaitEstimate(0, counters, 0, 0, basis)
    sharing = max(counters, 1)
    low = int(ahead * low_each / sharing)
    high = int(-(-(ahead + 1) * high_each // sharing))
    return WaitEstimate(ahead, counters, low, max(high, low), basis)
