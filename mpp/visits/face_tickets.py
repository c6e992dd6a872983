"""Tickets from a face (or one-time code) check-in: the ticket carries the citizen, so the
officer console can show their consented profile (through citizens.access)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.citizens.models import FaceCheck
from mpp.citizens.services.faces import face_check_ready

from . import services as q
from .models import Booking, BookingStatus, Channel, Ticket


def bookings_near(*, mall, minutes: int, now=None):
    """Active bookings at `mall` today whose slot starts within `minutes` of now: the only
    people identification (1:N) may choose among."""
    now = now or timezone.now()
    return Booking.objects.filter(
        mall=mall,
        date=q.local_date_of(mall, now),
        status=BookingStatus.ACTIVE,
        starts_at__gte=now - timedelta(minutes=minutes),
        starts_at__lte=now + timedelta(minutes=minutes),
    )


@transaction.atomic
def face_ticket_issue(*, check: FaceCheck, service=None, priority_reason: str = "") -> Ticket:
    """Issue the ticket of a verified check: the booking's (when the claim was a booking) or
    one for `service` on the face channel. A check issues one ticket."""
    check = (
        FaceCheck.objects.select_for_update(of=("self",))
        .select_related("mall", "citizen")
        .get(pk=check.pk)
    )
    if not face_check_ready(check):
        raise q.QueueError(_("Please check in again."), code="face_check_not_ready")
    if check.booking_code:
        ticket = q.booking_check_in(
            mall=check.mall, code=check.booking_code, priority_reason=priority_reason
        )
    else:
        if service is None:
            raise q.QueueError(_("Choose a service."), code="no_service", field="service")
        ticket = q.ticket_issue(
            mall=check.mall, service=service, priority_reason=priority_reason, channel=Channel.FACE
        )
    ticket.citizen = check.citizen
    ticket.save(update_fields=["citizen"])
    check.ticket_issued_at = timezone.now()
    check.save(update_fields=["ticket_issued_at"])
    return ticket
