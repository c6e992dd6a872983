"""Bookings: free slots, booking a slot, checking in at the kiosk, release and cancel."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mpp.core.nik import nik_clean, nik_hash, nik_mask
from mpp.registry.models import Mall, Service

from ..models import (
    Booking,
    BookingStatus,
    Channel,
    Ticket,
)
from ..rollups import limit_minutes_of
from .common import QueueError, _now, local_date_of
from .hours import ticket_windows
from .tickets import ticket_issue

# --- bookings -------------------------------------------------------------------------------

BOOKING_CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S, 8/B)
BOOKING_DAYS_AHEAD = 14


@dataclass
class Slot:
    start: time
    starts_at: datetime
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


def _service_minutes(service: Service, day: date) -> int:
    return limit_minutes_of(service.standard_on(day)) or 30


def booking_slots(*, service: Service, day: date) -> list[Slot]:
    """Bookable slots: the service's ticket windows (opening hours less the last-ticket
    cut-off, none on a closure day) cut into slots; capacity = counters for the service ×
    slot length ÷ the standard's service time, times the share kept for bookings."""
    windows = ticket_windows(service=service, day=day)
    if not windows:
        return []
    counters = service.counters.filter(is_active=True).count()
    slot_minutes = settings.BOOKING_SLOT_MINUTES
    per_counter = slot_minutes / _service_minutes(service, day)
    capacity = int(counters * per_counter * settings.BOOKING_SHARE_PERCENT / 100)
    if counters and capacity == 0:
        capacity = 1
    booked = dict(
        Booking.objects.filter(
            service=service,
            date=day,
            status__in=[BookingStatus.ACTIVE, BookingStatus.CHECKED_IN],
        )
        .values_list("slot_start")
        .annotate(n=Count("id"))
    )
    slots = []
    cutoff = timedelta(minutes=service.last_ticket_minutes or 0)
    for start, last_ticket in windows:
        end = last_ticket + cutoff  # a slot starts before the last ticket and ends by closing
        while start < last_ticket and start + timedelta(minutes=slot_minutes) <= end:
            slots.append(Slot(start.time(), start, capacity, booked.get(start.time(), 0)))
            start += timedelta(minutes=slot_minutes)
    return slots


def _booking_code() -> str:
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _ in range(6))


@transaction.atomic
def booking_create(
    *,
    service: Service,
    day: date,
    slot_start: time,
    nik: str,
    phone: str,
    messages: bool = True,
    now: datetime | None = None,
) -> Booking:
    """Book a slot for one person (by NIK) and one service; unless `messages` is off, an SMS
    confirms it and another reminds of it BOOKING_REMINDER_MINUTES before the slot."""
    now = _now(now)
    nik, phone = _booking_contact_clean(nik, phone)
    # Serialise bookings per service so two people cannot take the last place together.
    service = Service.objects.select_for_update().select_related("mall").get(pk=service.pk)
    if not service.is_active:
        raise QueueError(_("This service is not offered now."), code="service_not_offered")
    slot = _booking_slot_open(service=service, day=day, slot_start=slot_start, now=now)
    hashed = nik_hash(nik)
    _booking_limits_check(nik_hashed=hashed, service=service, day=day, now=now)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    code=_booking_code(),
                    mall=service.mall,
                    service=service,
                    date=day,
                    slot_start=slot_start,
                    starts_at=slot.starts_at,
                    nik_hash=hashed,
                    nik_masked=nik_mask(nik),
                    phone=phone,
                    messages_off=not messages,
                )
            if messages:
                _booking_messages_queue(booking, now)
            return booking
        except IntegrityError:  # code collision (or a racing duplicate): try again
            if _active_bookings(hashed).filter(service=service, date=day).exists():
                raise _duplicate_booking() from None
    raise QueueError(_("Please try again."), code="retry")


def _booking_contact_clean(nik: str, phone: str) -> tuple[str, str]:
    """The NIK and phone as stored; QueueError naming the field otherwise."""
    try:
        nik = nik_clean(nik)
    except ValidationError as error:
        raise QueueError(error.messages[0], code="nik_shape", field="nik") from None
    phone = phone.strip().replace(" ", "").replace("-", "")
    if not phone.lstrip("+").isdigit() or not 8 <= len(phone.lstrip("+")) <= 15:
        raise QueueError(_("Enter a valid phone number."), code="bad_phone", field="phone")
    return nik, phone


def _booking_slot_open(*, service: Service, day: date, slot_start: time, now: datetime) -> Slot:
    """The slot asked for, if it is within the days one may book, not started and not full."""
    today = local_date_of(service.mall, now)
    if not today <= day <= today + timedelta(days=BOOKING_DAYS_AHEAD):
        raise QueueError(
            _("Bookings are possible from today up to %(days)d days ahead.")
            % {"days": BOOKING_DAYS_AHEAD},
            code="bad_day",
            field="date",
        )
    slot = next((s for s in booking_slots(service=service, day=day) if s.start == slot_start), None)
    if slot is None:
        raise QueueError(_("There is no such slot on that day."), code="no_slot", field="slot")
    if slot.starts_at <= now:
        raise QueueError(_("This slot has already started."), code="slot_past", field="slot")
    if slot.remaining == 0:
        raise QueueError(
            _("This slot is full. Please choose another time."), code="slot_full", field="slot"
        )
    return slot


def _active_bookings(nik_hashed: str):
    return Booking.objects.filter(
        nik_hash=nik_hashed, status__in=[BookingStatus.ACTIVE, BookingStatus.CHECKED_IN]
    )


def _duplicate_booking() -> QueueError:
    return QueueError(
        _("This NIK already has a booking for this service on that day."),
        code="duplicate_booking",
        field="nik",
    )


def _booking_limits_check(*, nik_hashed: str, service: Service, day: date, now: datetime):
    """One booking per person, service and day; BOOKINGS_PER_NIK_PER_DAY made in a day."""
    if _active_bookings(nik_hashed).filter(service=service, date=day).exists():
        raise _duplicate_booking()
    made_today = Booking.objects.filter(
        nik_hash=nik_hashed, created_at__gte=now - timedelta(days=1)
    )
    if made_today.count() >= settings.BOOKINGS_PER_NIK_PER_DAY:
        raise QueueError(
            _("Too many bookings for this NIK today. Please try again tomorrow."),
            code="rate_limited",
            field="nik",
        )


def _booking_to_check_in(mall: Mall, code: str, now: datetime) -> Booking:
    """Today's active booking with `code` at `mall`, locked; refusals change nothing. Only
    the booking row is locked (`of`): locking its joined service too made a check-in and a
    walk-in ticket of that service deadlock (the ticket's foreign-key check waits on the
    service row while the check-in waits on the ticket number the walk-in holds)."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("service")
        .filter(code=code, mall=mall)
        .first()
    )
    if booking is None:
        raise QueueError(
            _("No booking with code %(code)s at this mall.") % {"code": code},
            code="unknown_booking",
            field="code",
        )
    if booking.status == BookingStatus.CHECKED_IN:
        raise QueueError(_("This booking has already been used."), code="booking_used")
    if booking.status != BookingStatus.ACTIVE:
        raise QueueError(_("This booking is no longer valid."), code="booking_invalid")
    if booking.date != local_date_of(mall, now):
        raise QueueError(
            _("This booking is for %(date)s, not today.") % {"date": booking.date.isoformat()},
            code="booking_other_day",
            field="code",
        )
    return booking


def booking_check_in(
    *, mall: Mall, code: str, now: datetime | None = None, priority_reason: str = ""
) -> Ticket:
    """At the kiosk: the booking becomes a ticket that joins the queue at its slot time. A
    booking past its grace period is released (for good: the refusal comes after the commit)."""
    now = _now(now)
    code = (code or "").strip().upper()
    with transaction.atomic():
        booking = _booking_to_check_in(mall, code, now)
        if now <= booking.starts_at + timedelta(minutes=settings.BOOKING_GRACE_MINUTES):
            ticket = ticket_issue(
                mall=mall,
                service=booking.service,
                channel=Channel.BOOKING,
                priority_reason=priority_reason,
                queued_at=booking.starts_at,
                now=now,
            )
            booking.status = BookingStatus.CHECKED_IN
            booking.ticket = ticket
            booking.save(update_fields=["status", "ticket"])
            _booking_messages_withdraw(booking)
            return ticket
        booking.status = BookingStatus.RELEASED
        booking.save(update_fields=["status"])
    raise QueueError(
        _("The booking expired %(minutes)d minutes after its slot. Please take a ticket.")
        % {"minutes": settings.BOOKING_GRACE_MINUTES},
        code="booking_expired",
    )


@transaction.atomic
def bookings_release(*, now: datetime | None = None) -> int:
    """Free bookings nobody checked in for within the grace period."""
    cutoff = _now(now) - timedelta(minutes=settings.BOOKING_GRACE_MINUTES)
    return Booking.objects.filter(status=BookingStatus.ACTIVE, starts_at__lt=cutoff).update(
        status=BookingStatus.RELEASED
    )


@transaction.atomic
def booking_cancel(*, booking: Booking) -> Booking:
    if booking.status != BookingStatus.ACTIVE:
        raise QueueError(_("This booking is no longer valid."), code="booking_invalid")
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    _booking_messages_withdraw(booking)
    return booking


# --- the booking's messages -------------------------------------------------------------------


def _booking_messages_queue(booking: Booking, now: datetime) -> None:
    """The confirmation now and the reminder before the slot, through the outbox."""
    from ..models import Notification

    local = booking.starts_at.astimezone(booking.mall.tz)
    values = {
        "mall": booking.mall.name,
        "service": booking.service.name,
        "when": date_format(local, "l j F Y, H:i"),
        "code": booking.code,
    }
    with translation.override(settings.LANGUAGE_CODE):
        confirmation = (
            _(
                "%(mall)s: booking %(code)s for %(service)s on %(when)s is confirmed. "
                "Show the code at the kiosk."
            )
            % values
        )
        reminder = (
            _("%(mall)s: reminder, your booking %(code)s for %(service)s is at %(when)s.") % values
        )
    Notification.objects.create(
        channel="sms", address=booking.phone, body=confirmation, booking=booking
    )
    remind_at = booking.starts_at - timedelta(minutes=settings.BOOKING_REMINDER_MINUTES)
    if settings.BOOKING_REMINDER_MINUTES and remind_at > now + timedelta(minutes=5):
        Notification.objects.create(
            channel="sms",
            address=booking.phone,
            body=reminder,
            booking=booking,
            send_after=remind_at,
        )


def _booking_messages_withdraw(booking: Booking) -> None:
    """Messages of this booking not sent yet are dropped (cancelled, checked in, stopped)."""
    from ..models import NotificationStatus

    booking.notifications.filter(status=NotificationStatus.PENDING).delete()


@transaction.atomic
def booking_messages_stop(*, booking: Booking) -> Booking:
    """The citizen's opt-out: no more SMS about this booking."""
    booking.messages_off = True
    booking.save(update_fields=["messages_off"])
    _booking_messages_withdraw(booking)
    return booking


@transaction.atomic
def closure_bookings_cancel(*, mall: Mall, day: date, reason: str) -> int:
    """A closure entered after people booked that day: their bookings are cancelled and each
    gets an SMS (through the outbox) asking to book another day."""
    from ..models import Notification

    affected = list(
        Booking.objects.select_for_update().filter(mall=mall, date=day, status=BookingStatus.ACTIVE)
    )
    with translation.override(settings.LANGUAGE_CODE):
        for booking in affected:
            _booking_messages_withdraw(booking)
            if booking.messages_off:
                continue
            body = _(
                "%(mall)s is closed on %(date)s (%(reason)s). Your booking %(code)s is "
                "cancelled; please book another day."
            ) % {
                "mall": mall.name,
                "date": date_format(day, "l j F Y"),
                "reason": reason,
                "code": booking.code,
            }
            Notification.objects.create(
                channel="sms", address=booking.phone, body=body, booking=booking
            )
    Booking.objects.filter(pk__in=[b.pk for b in affected]).update(status=BookingStatus.CANCELLED)
    return len(affected)
