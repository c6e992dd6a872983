"""Tickets from a face (or one-time code) check-in: the ticket carries the citizen, so the
officer console can show their consented profile (through citizens.access)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.citizens.models import ClaimKind, FaceCheck
from mpp.citizens.services.faces import face_check_ready
from mpp.registry.models import Agency, Service

from . import services as q
from .models import Booking, BookingStatus, Channel, PriorityReason, Ticket


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


def face_services(mall):
    return (
        Service.objects.filter(mall=mall, is_active=True)
        .select_related("agency")
        .order_by("agency__short_name", "name")
    )


def face_hello_context(mall, check: FaceCheck) -> dict:
    """What the greeting page shows: masked name, the booking or the services and lanes."""
    services = face_services(mall)
    return {
        "mall": mall,
        "check": check,
        "masked_name": check.citizen.name_masked,
        "confirm": check.claim == ClaimKind.IDENTIFY and check.confirmed_at is None,
        "services": services,
        "agencies": Agency.objects.filter(pk__in=services.values("agency_id")),
        "lanes": [(v, label) for v, label in PriorityReason.choices if v],
        "booking": Booking.objects.filter(code=check.booking_code).select_related("service").first()
        if check.booking_code
        else None,
    }


def face_ticket_from_post(post, *, mall, check: FaceCheck):
    """The ticket the verified visitor chose on the greeting page (service, priority lane);
    QueueError when it cannot be issued. Kiosk and reception desk alike."""
    service = Service.objects.filter(pk=post.get("service") or 0, mall=mall).first()
    return face_ticket_issue(check=check, service=service, priority_reason=post.get("priority", ""))
