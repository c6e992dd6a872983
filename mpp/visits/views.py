"""Queue pages: kiosk, ticket (printable and followable), display board, officer console,
booking, and the manager's device list. Views are thin: the rules live in services.py."""

from datetime import date, timedelta
from uuid import uuid4

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mpp.accounts.models import Role
from mpp.core.exports import csv_response
from mpp.core.params import pk_or_none, uuid_or_none
from mpp.registry.access import access_mall, can_edit_mall
from mpp.registry.models import Agency, Counter, Mall, Service

from . import selectors
from . import services as q
from .alerts import wait_alerts
from .api import service_cached
from .board import board_state, call_clip_urls
from .devices import (
    device_activate,
    device_from_request,
    device_issue,
    device_revoke,
    kiosk_mall,
    may_use_device_page,
)
from .models import Booking, Device, DeviceKind, Outcome, PriorityReason, Ticket, TicketStatus
from .throttle import booking_attempt_allowed


def _mall(code: str) -> Mall:
    return get_object_or_404(Mall.objects.select_related("province", "regency"), code=code)


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


# --- devices --------------------------------------------------------------------------------


def device_activate_view(request):
    """A kiosk or board is set up once: paste the token the manager issued."""
    error = None
    if request.method == "POST":
        try:
            device = device_activate(request, request.POST.get("token", ""))
        except PermissionDenied as refused:
            error = str(refused)
        else:
            name = "visits:kiosk" if device.kind == DeviceKind.KIOSK else "visits:board"
            return redirect(name, code=device.mall.code)
    return render(
        request, "visits/device_activate.html", {"error": error}, status=400 if error else 200
    )


@login_required
def device_list(request, code):
    mall = access_mall(request.user, _mall(code), edit=True)
    new_token = None
    if request.method == "POST":
        if "revoke" in request.POST:
            device = get_object_or_404(Device, pk=request.POST["revoke"], mall=mall)
            device_revoke(device=device, by=request.user)
            messages.success(request, _("Device %(name)s revoked.") % {"name": device.name})
            return redirect("visits:device_list", code=code)
        kind, name = request.POST.get("kind"), request.POST.get("name", "").strip()
        if kind not in DeviceKind.values or not name:
            messages.error(request, _("Give the device a name and a kind."))
        else:
            device, new_token = device_issue(mall=mall, kind=kind, name=name, by=request.user)
    devices = mall.devices.order_by("kind", "name")
    if request.GET.get("kind") in DeviceKind.values:
        devices = devices.filter(kind=request.GET["kind"])
    if request.GET.get("state") == "active":
        devices = devices.filter(revoked_at__isnull=True)
    elif request.GET.get("state") == "revoked":
        devices = devices.filter(revoked_at__isnull=False)
    if request.GET.get("format") == "csv":  # never the token: only its hash is stored
        return csv_response(
            f"perangkat-{mall.code}.csv",
            ["name", "kind", "issued_at", "last_seen_at", "revoked_at"],
            (
                [d.name, d.kind, d.created_at.isoformat()]
                + [t.isoformat() if t else "" for t in (d.last_seen_at, d.revoked_at)]
                for d in devices
            ),
        )
    return render(
        request,
        "visits/device_list.html",
        {"mall": mall, "devices": devices, "kinds": DeviceKind.choices, "new_token": new_token},
    )


TRIP_SESSION_KEY = "mpp_kiosk_trip"
TRIP_WINDOW = timedelta(minutes=15)

# --- kiosk ------------------------------------------------------------------------------------


def kiosk(request, code):
    """Step by step in large type: agency → service → lane → ticket."""
    mall = kiosk_mall(request, code)
    if mall is None:
        return redirect(f"{reverse('visits:device_activate')}")
    services = Service.objects.filter(mall=mall, is_active=True).select_related("agency")
    agency_id = request.GET.get("agency")
    if request.GET.get("after"):
        # "Another service in the same visit": the next ticket joins the first one's trip.
        first = Ticket.objects.filter(
            uuid=uuid_or_none(request.GET["after"]),
            mall=mall,
            issued_at__gte=timezone.now() - TRIP_WINDOW,
        ).first()
        if first:
            request.session[TRIP_SESSION_KEY] = [str(first.trip), first.display_number]
    if request.GET.get("fresh"):  # back to the start after a while untouched: a new visitor
        request.session.pop(TRIP_SESSION_KEY, None)
    context = {"mall": mall, "trip": request.session.get(TRIP_SESSION_KEY)}
    if request.GET.get("service"):
        context["service"] = get_object_or_404(services, pk=pk_or_none(request.GET["service"]))
        context["opening"] = _opening_shown(context["service"])
        context["lanes"] = PriorityReason.choices
        context["issue_token"] = uuid4().hex  # one ticket per form, however often it is sent
        return render(request, "visits/kiosk_lane.html", context)
    if agency_id:
        context["agency"] = get_object_or_404(Agency, pk=pk_or_none(agency_id))
        context["services"] = [
            (service, _opening_shown(service))
            for service in services.filter(agency_id=pk_or_none(agency_id)).order_by("name")
        ]
        return render(request, "visits/kiosk_services.html", context)
    agency_ids = services.values_list("agency_id", flat=True)
    context["agencies"] = Agency.objects.filter(pk__in=agency_ids).order_by("short_name")
    context["lanes"] = PriorityReason.choices  # a booking checked in may take the priority lane
    return render(request, "visits/kiosk.html", context)


def _opening_shown(service: Service) -> dict:
    """Whether the service takes tickets now and, if not, when it does again (local time)."""
    opening = q.service_opening(service=service, at=timezone.now())
    return {"is_open": opening.is_open, "opens_next": q.opens_next_text(opening)}


def _issuingkiosk_mall(request, code) -> Mall | None:
    """The mall a kiosk page issues for. A kiosk's own mall comes with its device (cached
    DEVICE_CACHE_SECONDS, as for the kiosk API); staff on the page are checked as elsewhere."""
    device = device_from_request(request)
    if device is not None and device.kind == DeviceKind.KIOSK and device.mall.code == code:
        return device.mall
    return kiosk_mall(request, code)


@require_POST
def kiosk_issue(request, code):
    mall = _issuingkiosk_mall(request, code)
    if mall is None:
        raise PermissionDenied
    token = (request.POST.get("issue_token") or "")[:64]
    service_id = pk_or_none(request.POST.get("service"))
    # Cached a minute per process, as for the kiosk API; ticket_issue checks it is active here.
    service = service_cached(service_id) if service_id else None
    try:
        if service is None:
            raise q.QueueError(_("Choose a service."), code="no_service", field="service")
        trip = request.session.pop(TRIP_SESSION_KEY, None)
        issue = {
            "mall": mall,
            "service": service,
            "priority_reason": request.POST.get("priority", ""),
            "trip": trip[0] if trip else None,
        }
        if token:  # one ticket per form: a double tap or a replay answers the first one
            ticket, _replayed = q.ticket_issue_once(token=f"form:{token}", **issue)
        else:
            ticket = q.ticket_issue(**issue)
    except q.QueueError as refused:
        return _kiosk_refused(request, code, refused)
    return redirect("visits:ticket_print", uuid=ticket.uuid)


def _kiosk_refused(request, code, refused: q.QueueError):
    """The kiosk's first screen again, with the reason in plain words, as a 400."""
    messages.error(request, refused.message)
    request.GET = request.GET.copy()
    request.GET.clear()
    response = kiosk(request, code)
    response.status_code = 400
    return response


@require_POST
def kiosk_check_in(request, code):
    mall = kiosk_mall(request, code)
    if mall is None:
        raise PermissionDenied
    try:
        ticket = q.booking_check_in(
            mall=mall,
            code=request.POST.get("code", ""),
            priority_reason=request.POST.get("priority", ""),
        )
    except q.QueueError as refused:
        return _kiosk_refused(request, code, refused)
    return redirect("visits:ticket_print", uuid=ticket.uuid)


# --- the ticket -------------------------------------------------------------------------------


def _ticket(uuid) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related("mall", "service", "agency", "counter"), uuid=uuid
    )


def ticket_print(request, uuid):
    """The printable receipt (58/80 mm) with a QR code to follow the queue on a phone."""
    ticket = _ticket(uuid)
    url = request.build_absolute_uri(reverse("visits:ticket_status", args=[ticket.uuid]))
    # At the mall's kiosk: device mode, printed at once (silently under --kiosk-printing).
    at_kiosk = device_from_request(request) is not None and may_use_device_page(
        request, ticket.mall, DeviceKind.KIOSK
    )
    return render(
        request,
        "visits/ticket_print.html",
        {
            "ticket": ticket,
            "qr": _qr_svg(url),
            "url": url,
            "estimate": q.wait_estimate(ticket),
            "base_template": "device_base.html" if at_kiosk else "base.html",
            "autoprint": at_kiosk,
            "paper_mm": 58 if settings.KIOSK_RECEIPT_MM == 58 else 80,
        },
    )


def ticket_status(request, uuid):
    """The citizen's page: people ahead, a wait range, and 'tell me when my turn is near'."""
    ticket = _ticket(uuid)
    if request.method == "POST" and request.POST.get("unfollow"):  # the follower's opt-out
        q.ticket_unfollow(ticket=ticket)
        messages.success(request, _("No more messages about this ticket."))
        return redirect("visits:ticket_status", uuid=ticket.uuid)
    if request.method == "POST":
        try:
            q.ticket_follow(
                ticket=ticket,
                when_ahead=int(request.POST.get("when_ahead") or 0),
                channel=request.POST.get("channel", ""),
                address=request.POST.get("address", ""),
            )
        except (q.QueueError, ValueError) as refused:
            messages.error(request, getattr(refused, "message", _("Choose a number.")))
        else:
            messages.success(request, _("We will let you know when your turn is near."))
        return redirect("visits:ticket_status", uuid=ticket.uuid)
    template = "visits/_ticket_live.html" if request.headers.get("HX-Request") else None
    context = {
        "ticket": ticket,
        "estimate": q.wait_estimate(ticket),
        "trip": Ticket.objects.filter(trip=ticket.trip)
        .exclude(pk=ticket.pk)
        .select_related("service"),
        "channels": [("sms", "SMS"), ("whatsapp", "WhatsApp"), ("email", _("E-mail"))],
    }
    return render(request, template or "visits/ticket_status.html", context)


# --- display board -----------------------------------------------------------------------------


def board(request, code):
    mall = _mall(code)
    if not may_use_device_page(request, mall, DeviceKind.BOARD):
        if not request.user.is_authenticated:
            return redirect("visits:device_activate")
        raise PermissionDenied
    return render(
        request,
        "visits/board.html",
        {
            "mall": mall,
            "state": board_state(mall.code),
            "call_languages": ",".join(settings.BOARD_CALL_LANGUAGES),
            "call_clips": call_clip_urls(tuple(settings.BOARD_CALL_LANGUAGES)),
            "highlight_seconds": settings.BOARD_HIGHLIGHT_SECONDS,
        },
    )


def counter_display(request, code, counter_id):
    """The small screen above a counter: its number and the ticket being served there. It
    reloads itself every few seconds (no script needed on a cheap display)."""
    mall = _mall(code)
    if not may_use_device_page(request, mall, DeviceKind.BOARD):
        if not request.user.is_authenticated:
            return redirect("visits:device_activate")
        raise PermissionDenied
    counter = get_object_or_404(Counter, pk=counter_id, mall=mall)
    return render(
        request,
        "visits/counter_display.html",
        {"mall": mall, "counter": counter, "current": q.current_ticket_at(counter)},
    )


# --- officer console ---------------------------------------------------------------------------


def _officer_counters(user):
    if user.is_superuser:
        return Counter.objects.select_related("mall", "agency")
    posting = getattr(user, "posting", None)
    if user.role != Role.COUNTER_OFFICER or posting is None:
        raise PermissionDenied
    counters = Counter.objects.filter(mall=posting.mall, is_active=True).select_related(
        "mall", "agency"
    )
    return counters.filter(agency=posting.agency) | counters.filter(agency__isnull=True)


@login_required
def console_home(request):
    counters = _officer_counters(request.user).prefetch_related("services", "sessions")
    mine = next(
        (c for c in counters if (s := q.open_session_of(c)) and s.officer_id == request.user.pk),
        None,
    )
    if mine:
        return redirect("visits:console", counter_id=mine.pk)
    return render(request, "visits/console_home.html", {"counters": counters})


def _console_context(counter: Counter, user) -> dict:
    session = q.open_session_of(counter)
    current = q.current_ticket_at(counter)
    today = counter.mall.local_now().date()
    waiting = q.waiting_for(counter, today)
    parked = Ticket.objects.filter(counter=counter, status=TicketStatus.PARKED, local_date=today)
    # No-shows of this counter that may still be brought back if the visitor turns up.
    missed = Ticket.objects.filter(
        counter=counter,
        status=TicketStatus.NO_SHOW,
        local_date=today,
        returns__lt=settings.QUEUE_NO_SHOW_RETURNS,
        finished_at__gte=timezone.now() - timedelta(minutes=settings.QUEUE_NO_SHOW_RETURN_MINUTES),
    ).order_by("-finished_at")
    served_today = Ticket.objects.filter(
        counter=counter, local_date=today, status=TicketStatus.FINISHED
    ).count()
    return {
        "counter": counter,
        "session": session,
        "current": current,
        "waiting": waiting[:15],
        "waiting_count": waiting.count(),
        "parked": parked.select_related("service"),
        "missed": missed.select_related("service")[:10],
        "served_today": served_today,
        "outcomes": [(o, label) for o, label in Outcome.choices if o != Outcome.TRANSFERRED],
        "transfer_services": Service.objects.filter(mall=counter.mall, is_active=True)
        .select_related("agency")
        .order_by("agency__short_name", "name"),
    }


@login_required
def console(request, counter_id):
    counter = get_object_or_404(_officer_counters(request.user), pk=counter_id)
    context = _console_context(counter, request.user)
    if request.headers.get("HX-Request") and request.GET.get("part") == "queue":
        return render(request, "visits/_console_queue.html", context)
    return render(request, "visits/console.html", context)


CONSOLE_ACTIONS = {
    "open": lambda c, u, t, p: q.counter_open(counter=c, officer=u),
    "pause": lambda c, u, t, p: q.counter_pause(counter=c, officer=u),
    "resume_counter": lambda c, u, t, p: q.counter_resume(counter=c, officer=u),
    "close": lambda c, u, t, p: q.counter_close(counter=c, officer=u),
    "call_next": lambda c, u, t, p: q.call_next(counter=c, officer=u),
    "recall": lambda c, u, t, p: q.ticket_recall(ticket=t, officer=u),
    "start": lambda c, u, t, p: q.ticket_start(ticket=t, officer=u),
    "finish": lambda c, u, t, p: q.ticket_finish(ticket=t, officer=u, outcome=p.get("outcome", "")),
    "no_show": lambda c, u, t, p: q.ticket_no_show(ticket=t, officer=u),
    "park": lambda c, u, t, p: q.ticket_park(ticket=t, officer=u),
    "resume": lambda c, u, t, p: q.ticket_resume(ticket=t, officer=u),
    "return": lambda c, u, t, p: q.ticket_return(ticket=t, officer=u),
    "transfer": lambda c, u, t, p: q.ticket_transfer(
        ticket=t, officer=u, to_service=_to_service(p)
    ),
}


def _to_service(post) -> Service:
    service = Service.objects.filter(pk=pk_or_none(post.get("to_service"))).first()
    if service is None:
        raise q.QueueError(_("Choose a service."), code="no_service", field="to_service")
    return service


@login_required
@require_POST
def console_action(request, counter_id, action):
    counter = get_object_or_404(_officer_counters(request.user), pk=counter_id)
    if action not in CONSOLE_ACTIONS:
        raise Http404
    ticket, status = None, 200
    if request.POST.get("ticket"):
        ticket = Ticket.objects.filter(
            uuid=uuid_or_none(request.POST["ticket"]), mall=counter.mall
        ).first()
    try:
        if request.POST.get("ticket") and ticket is None:
            raise q.QueueError(_("This ticket is not in this mall's queue."), code="no_ticket")
        result = CONSOLE_ACTIONS[action](counter, request.user, ticket, request.POST)
    except q.QueueError as refused:
        messages.error(request, refused.message)
        status = 400
    else:
        if action == "call_next" and result is None:
            messages.info(request, _("Nobody is waiting for this counter."))
        elif action == "transfer":
            messages.success(
                request,
                _("Transferred as %(number)s to %(service)s.")
                % {"number": result.display_number, "service": result.service.name},
            )
    if request.headers.get("HX-Request"):
        return render(
            request,
            "visits/_console_panel.html",
            _console_context(counter, request.user),
            status=status,
        )
    return redirect("visits:console", counter_id=counter.pk)


# --- booking -----------------------------------------------------------------------------------


def booking_new(request, code):
    """Public booking: choose a service and a day, then a slot, then give NIK and phone."""
    mall = _mall(code)
    services = Service.objects.filter(mall=mall, is_active=True).select_related("agency")
    today = mall.local_now().date()
    days = [today + timedelta(days=n) for n in range(q.BOOKING_DAYS_AHEAD + 1)]
    service = services.filter(pk=request.GET.get("service") or 0).first()
    try:
        day = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
    except ValueError:
        day = today
    errors = {}
    if request.method == "POST":
        service = services.filter(pk=request.POST.get("service") or 0).first()
        booking, errors, day = _booking_from_post(request, service, day)
        if booking:
            return redirect("visits:booking_detail", uuid=booking.uuid)
    now = timezone.now()
    slots = q.booking_slots(service=service, day=day) if service else []
    slots = [s for s in slots if s.starts_at > now]
    next_free = None
    if service and not any(s.remaining for s in slots):  # say when the service opens next
        next_free = _next_day_with_room(service, day, days)
    return render(
        request,
        "visits/booking_new.html",
        {
            "mall": mall,
            "services": services.order_by("agency__short_name", "name"),
            "service": service,
            "days": days,
            "day": day,
            "slots": slots,
            "next_free": next_free,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


def _booking_from_post(request, service, day):
    """The posted booking: (booking, {}, its day) or (None, errors by field, the day shown)."""
    try:
        if not booking_attempt_allowed(request):
            raise q.QueueError(
                _("Too many booking attempts. Please try again in an hour."), code="throttled"
            )
        day = date.fromisoformat(request.POST.get("date", ""))
        slot = timezone.datetime.strptime(request.POST.get("slot", ""), "%H:%M").time()
        if service is None:
            raise q.QueueError(_("Choose a service."), code="no_service", field="service")
        booking = q.booking_create(
            service=service,
            day=day,
            slot_start=slot,
            nik=request.POST.get("nik", ""),
            phone=request.POST.get("phone", ""),
            messages=bool(request.POST.get("messages")),
        )
    except ValueError:
        return None, {"slot": _("Choose a day and a time slot.")}, day
    except q.QueueError as refused:
        return None, {refused.field or "general": refused.message}, day
    return booking, {}, day


def _next_day_with_room(service, day, days):
    """The first of `days` after `day` with a free slot (None when the window is full)."""
    return next(
        (
            d
            for d in days
            if d > day and any(s.remaining for s in q.booking_slots(service=service, day=d))
        ),
        None,
    )


def booking_detail(request, uuid):
    booking = get_object_or_404(Booking.objects.select_related("mall", "service"), uuid=uuid)
    if request.method == "POST" and request.POST.get("messages_off"):  # the SMS opt-out
        q.booking_messages_stop(booking=booking)
        messages.success(request, _("No SMS will be sent about this booking."))
        return redirect("visits:booking_detail", uuid=booking.uuid)
    return render(
        request,
        "visits/booking_detail.html",
        {"booking": booking, "qr": _qr_svg(booking.code), "grace": settings.BOOKING_GRACE_MINUTES},
    )


# --- today's queue for managers ------------------------------------------------------------------


@login_required
def queue_today(request, code):
    """The manager's view of the day: tickets with filters, exportable to CSV."""
    mall = access_mall(request.user, _mall(code))
    filterset = selectors.TicketDayFilter(request.GET, mall=mall)
    tickets = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    if request.GET.get("format") == "csv" and filterset.is_valid():
        day = filterset.form.cleaned_data["date"]
        return csv_response(
            f"antrean-{mall.code}-{day}.csv",
            [name for name, _get in selectors.TICKET_CSV_COLUMNS],
            ([get(t) for _name, get in selectors.TICKET_CSV_COLUMNS] for t in tickets.iterator()),
        )
    return render(
        request,
        "visits/queue_today.html",
        {
            "mall": mall,
            "form": filterset.form,
            "tickets": tickets[:500],
            "total": tickets.count(),
            "can_edit": can_edit_mall(request.user, mall),
            "alerts": wait_alerts(mall),
        },
    )
