"""The queue API, so kiosks, boards and consoles from other vendors can plug in.

Devices (kiosks, boards) send `Authorization: Device <token>`; officers authenticate with
their account (session or HTTP Basic over TLS). Errors come back as
`{"code": ..., "field": ..., "detail": ...}` in the caller's language, with nothing changed."""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import authentication, exceptions, generics, serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from mpp.accounts.lockout import BasicAuthentication
from mpp.core.params import pk_or_none
from mpp.registry.access import access_mall, can_view_mall
from mpp.registry.models import Counter, Mall, Service

from . import selectors
from . import services as q
from .board import board_state
from .devices import device_for_token, device_from_request
from .models import Device, DeviceKind, PriorityReason, Ticket
from .throttle import booking_attempt_allowed


class DeviceAuthentication(authentication.BaseAuthentication):
    """`Authorization: Device <token>` → request.auth is the Device."""

    keyword = "Device"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="ignore")
        if not header.startswith(self.keyword + " "):
            return None
        device = device_for_token(header[len(self.keyword) + 1 :].strip())
        if device is None:
            raise exceptions.AuthenticationFailed("Device token is not valid or was revoked.")
        return (AnonymousUser(), device)

    def authenticate_header(self, request):
        return self.keyword


try:  # describe the device token in the OpenAPI schema
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class DeviceAuthenticationScheme(OpenApiAuthenticationExtension):
        target_class = "mpp.visits.api.DeviceAuthentication"
        name = "deviceToken"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`Device <token>`, issued by the mall manager.",
            }
except ImportError:  # pragma: no cover
    pass

DEVICE_AUTH = [DeviceAuthentication, authentication.SessionAuthentication]
OFFICER_AUTH = [authentication.SessionAuthentication, BasicAuthentication]


def _with_relations(ticket: Ticket) -> Ticket:
    """The ticket with what the JSON shows (mall code, service name, counter number): as it
    is when the action already loaded them, else in one query."""
    if all(getattr(Ticket, name).is_cached(ticket) for name in ("mall", "service", "counter")):
        return ticket
    return Ticket.objects.select_related("mall", "service", "counter").get(pk=ticket.pk)


def _refused(error: q.QueueError, http_status=status.HTTP_409_CONFLICT) -> Response:
    if error.field:
        http_status = status.HTTP_400_BAD_REQUEST
    body = {"code": error.code, "field": error.field, "detail": error.message}
    if error.opens_next:  # a service not taking tickets now: when it does again
        body["opens_next"] = error.opens_next.isoformat()
    return Response(body, status=http_status)


def _device_mall(request, kind: str, mall_code: str | None = None) -> Mall:
    """The mall the caller may act for: its device's mall, or one the staff user may view."""
    device = request.auth if isinstance(request.auth, Device) else None
    if device is not None:
        if device.kind != kind or (mall_code and device.mall.code != mall_code):
            raise exceptions.PermissionDenied("This device may not do that.")
        return device.mall
    if mall_code and request.user.is_authenticated:
        mall = get_object_or_404(Mall, code=mall_code)
        if can_view_mall(request.user, mall):
            return mall
    raise exceptions.NotAuthenticated("A kiosk device token is required.")


class TicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number")
    mall = serializers.CharField(source="mall.code")
    service = serializers.IntegerField(source="service_id")
    service_name = serializers.CharField(source="service.name")
    counter = serializers.CharField(source="counter.number", allow_null=True, default=None)
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "uuid",
            "number",
            "mall",
            "service",
            "service_name",
            "channel",
            "priority_reason",
            "status",
            "outcome",
            "counter",
            "local_date",
            "issued_at",
            "queued_at",
            "called_at",
            "started_at",
            "finished_at",
            "trip",
            "status_url",
        ]

    def get_status_url(self, ticket) -> str:
        return f"/queue/t/{ticket.uuid}/"


class TicketStatusSerializer(TicketSerializer):
    people_ahead = serializers.SerializerMethodField()
    wait_minutes_low = serializers.SerializerMethodField()
    wait_minutes_high = serializers.SerializerMethodField()
    open_counters = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = TicketSerializer.Meta.fields + [
            "people_ahead",
            "wait_minutes_low",
            "wait_minutes_high",
            "open_counters",
        ]

    def _estimate(self, ticket):
        if not hasattr(self, "_cached"):
            self._cached = q.wait_estimate(ticket)
        return self._cached

    def get_people_ahead(self, ticket) -> int:
        return self._estimate(ticket).ahead

    def get_wait_minutes_low(self, ticket) -> int | None:
        return self._estimate(ticket).low_minutes

    def get_wait_minutes_high(self, ticket) -> int | None:
        return self._estimate(ticket).high_minutes

    def get_open_counters(self, ticket) -> int:
        return self._estimate(ticket).open_counters


class IssueSerializer(serializers.Serializer):
    mall = serializers.CharField(required=False, help_text="Mall code; implied by a device token.")
    service = serializers.IntegerField()
    priority_reason = serializers.ChoiceField(
        choices=PriorityReason.choices, required=False, default="", allow_blank=True
    )


@extend_schema(
    operation_id="queue_ticket_issue",
    request=IssueSerializer,
    responses={201: TicketSerializer, 400: OpenApiResponse(description="Refused, with field")},
    summary="Issue a ticket (kiosk)",
    tags=["queue"],
)
@api_view(["POST"])
@authentication_classes(DEVICE_AUTH)
@permission_classes([AllowAny])
def ticket_issue(request):
    data = IssueSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    mall = _device_mall(request, DeviceKind.KIOSK, data.validated_data.get("mall"))
    # Idempotency-Key (optional): a kiosk that retries after a lost answer gets the ticket
    # the first request issued (200), never a second one (docs/api.md); a first request that
    # failed (a database outage) holds nothing, so the retry issues.
    key = (request.headers.get("Idempotency-Key") or "")[:64]
    service = service_cached(data.validated_data["service"])
    try:
        if service is None:
            raise q.QueueError(_("Unknown service."), code="service_not_offered", field="service")
        issue = {
            "mall": mall,
            "service": service,
            "priority_reason": data.validated_data["priority_reason"],
        }
        if key:
            ticket, replayed = q.ticket_issue_once(token=f"api:{mall.pk}:{key}", **issue)
        else:
            ticket, replayed = q.ticket_issue(**issue), False
    except q.QueueError as error:
        return _refused(error)
    if replayed:
        ticket = Ticket.objects.select_related("mall", "service", "counter").get(pk=ticket.pk)
        return Response(TicketSerializer(ticket).data, headers={"Idempotent-Replayed": "true"})
    return Response(_issued_ticket_body(ticket, mall, service), status=status.HTTP_201_CREATED)


def _issued_ticket_body(ticket, mall, service) -> dict:
    """TicketSerializer's fields of a ticket just issued, built by hand: this is the
    busiest endpoint, and a serializer costs a millisecond."""
    return {
        "uuid": ticket.uuid,
        "number": ticket.display_number,
        "mall": mall.code,
        "service": service.pk,
        "service_name": service.name,
        "channel": ticket.channel,
        "priority_reason": ticket.priority_reason,
        "status": ticket.status,
        "outcome": ticket.outcome,
        "counter": None,
        "local_date": ticket.local_date,
        "issued_at": ticket.issued_at,
        "queued_at": ticket.queued_at,
        "called_at": None,
        "started_at": None,
        "finished_at": None,
        "trip": ticket.trip,
        "status_url": f"/queue/t/{ticket.uuid}/",
    }


SERVICE_CACHE_SECONDS = 60


def service_cached(service_id: int) -> Service | None:
    """Services change rarely and kiosks ask for them constantly: keep them a minute per
    process (a deactivated service stops taking tickets within that minute)."""
    from django.core.cache import cache

    key = f"queue-service:{service_id}"
    service = cache.get(key)
    if service is None:
        service = Service.objects.filter(pk=service_id).first() or False
        cache.set(key, service, SERVICE_CACHE_SECONDS)
    return service or None


@extend_schema(
    operation_id="queue_ticket_status",
    responses=TicketStatusSerializer,
    summary="Ticket status (public)",
    tags=["queue"],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def ticket_status(request, uuid):
    ticket = get_object_or_404(
        Ticket.objects.select_related("mall", "service", "counter"), uuid=uuid
    )
    return Response(TicketStatusSerializer(ticket).data)


class CheckInSerializer(serializers.Serializer):
    mall = serializers.CharField(required=False)
    code = serializers.CharField(max_length=12)


@extend_schema(
    operation_id="queue_booking_check_in",
    request=CheckInSerializer,
    responses={201: TicketSerializer},
    summary="Check in a booking (kiosk)",
    tags=["queue"],
)
@api_view(["POST"])
@authentication_classes(DEVICE_AUTH)
@permission_classes([AllowAny])
def booking_check_in(request):
    data = CheckInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    mall = _device_mall(request, DeviceKind.KIOSK, data.validated_data.get("mall"))
    try:
        ticket = q.booking_check_in(mall=mall, code=data.validated_data["code"])
    except q.QueueError as error:
        return _refused(error)
    return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class BookingSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    date = serializers.DateField()
    slot = serializers.TimeField(format="%H:%M")
    nik = serializers.CharField(write_only=True)
    phone = serializers.CharField(write_only=True)


@extend_schema(
    operation_id="queue_booking_create",
    request=BookingSerializer,
    responses={
        201: inline_serializer(
            "BookingCreated",
            {
                "uuid": serializers.UUIDField(),
                "code": serializers.CharField(),
                "starts_at": serializers.DateTimeField(),
                "nik_masked": serializers.CharField(),
            },
        )
    },
    summary="Book a slot (public)",
    tags=["queue"],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def booking_create(request):
    data = BookingSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    service = Service.objects.filter(pk=v["service"], is_active=True).first()
    if not booking_attempt_allowed(request._request):
        return Response(
            {"code": "throttled", "field": None, "detail": _("Too many booking attempts.")},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    try:
        if service is None:
            raise q.QueueError(_("Unknown service."), code="service_not_offered", field="service")
        booking = q.booking_create(
            service=service, day=v["date"], slot_start=v["slot"], nik=v["nik"], phone=v["phone"]
        )
    except q.QueueError as error:
        return _refused(error)
    return Response(
        {
            "uuid": booking.uuid,
            "code": booking.code,
            "starts_at": booking.starts_at,
            "nik_masked": booking.nik_masked,
        },
        status=status.HTTP_201_CREATED,
    )


BoardSerializer = inline_serializer(
    "BoardState",
    {
        "mall": serializers.CharField(),
        "mall_name": serializers.CharField(),
        "local_date": serializers.DateField(),
        "generated_at": serializers.DateTimeField(),
        "current": serializers.ListField(child=serializers.DictField()),
        "last_calls": serializers.ListField(child=serializers.DictField()),
        "waiting": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema(
    operation_id="queue_board",
    responses=BoardSerializer,
    summary="Display board state (cached 1 s)",
    tags=["queue"],
)
@api_view(["GET"])
@authentication_classes(DEVICE_AUTH)
@permission_classes([AllowAny])
def board(request, code):
    device = request.auth if isinstance(request.auth, Device) else None
    device = device or device_from_request(request._request)
    if device is not None:
        if device.mall.code != code:
            raise exceptions.PermissionDenied("This device belongs to another mall.")
    else:
        _device_mall(request, DeviceKind.BOARD, code)
    state = board_state(code)
    if state is None:
        raise exceptions.NotFound()
    return Response(state)


OFFICER_TICKET_ACTIONS = {
    "recall": lambda t, u, d: q.ticket_recall(ticket=t, officer=u),
    "start": lambda t, u, d: q.ticket_start(ticket=t, officer=u),
    "finish": lambda t, u, d: q.ticket_finish(ticket=t, officer=u, outcome=d.get("outcome", "")),
    "no-show": lambda t, u, d: q.ticket_no_show(ticket=t, officer=u),
    "park": lambda t, u, d: q.ticket_park(ticket=t, officer=u),
    "resume": lambda t, u, d: q.ticket_resume(ticket=t, officer=u),
    "return": lambda t, u, d: q.ticket_return(ticket=t, officer=u),
    "transfer": lambda t, u, d: q.ticket_transfer(
        ticket=t,
        officer=u,
        to_service=get_object_or_404(Service, pk=pk_or_none(d.get("to_service"))),
    ),
}


class OfficerActionSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, help_text="For finish.")
    to_service = serializers.IntegerField(required=False, help_text="For transfer.")


@extend_schema(
    operation_id="queue_ticket_action",
    request=OfficerActionSerializer,
    responses={200: TicketSerializer},
    parameters=None,
    summary="Officer action on a ticket: recall, start, finish, no-show, park, resume, transfer",
    tags=["queue"],
)
@api_view(["POST"])
@authentication_classes(OFFICER_AUTH)
@permission_classes([IsAuthenticated])
def ticket_action(request, uuid, action):
    if action not in OFFICER_TICKET_ACTIONS:
        raise exceptions.NotFound()
    ticket = get_object_or_404(Ticket, uuid=uuid)
    try:
        result = OFFICER_TICKET_ACTIONS[action](ticket, request.user, request.data)
    except q.QueueError as error:
        return _refused(error)
    return Response(TicketSerializer(_with_relations(result)).data)


COUNTER_ACTIONS = {
    "open": lambda c, u: q.counter_open(counter=c, officer=u),
    "pause": lambda c, u: q.counter_pause(counter=c, officer=u),
    "resume": lambda c, u: q.counter_resume(counter=c, officer=u),
    "close": lambda c, u: q.counter_close(counter=c, officer=u),
    "call-next": lambda c, u: q.call_next(counter=c, officer=u),
}


@extend_schema(
    operation_id="queue_counter_action",
    request=None,
    responses={
        200: OpenApiResponse(
            response=OpenApiTypes.OBJECT,
            description="call-next: the called ticket (or {'ticket': null}); other actions: "
            "the counter session state.",
        )
    },
    summary="Counter action: open, pause, resume, close, call-next",
    tags=["queue"],
)
@api_view(["POST"])
@authentication_classes(OFFICER_AUTH)
@permission_classes([IsAuthenticated])
def counter_action(request, counter_id, action):
    if action not in COUNTER_ACTIONS:
        raise exceptions.NotFound()
    counter = get_object_or_404(Counter.objects.select_related("mall"), pk=counter_id)
    try:
        result = COUNTER_ACTIONS[action](counter, request.user)
    except q.QueueError as error:
        return _refused(error)
    if action == "call-next":
        return Response(
            {"ticket": TicketSerializer(_with_relations(result)).data if result else None}
        )
    return Response(
        {"counter": counter.number, "status": result.status, "opened_at": result.opened_at}
    )


class _MallDayFilterBackend(DjangoFilterBackend):
    """The day list's FilterSet needs its mall (its default day is the mall's today)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {
            "data": request.query_params,
            "queryset": queryset,
            "mall": view.mall,
            "request": request,
        }


class MallTicketList(generics.ListAPIView):
    """A mall's tickets of one day (today in the mall's zone unless `date`), for the staff
    who may open its console: the API twin of the manager's day list and its CSV, with the
    same filters (date, status, service id)."""

    serializer_class = TicketSerializer
    authentication_classes = OFFICER_AUTH
    permission_classes = [IsAuthenticated]
    filterset_class = selectors.TicketDayFilter
    filter_backends = [_MallDayFilterBackend]
    queryset = Ticket.objects.none()  # for the schema; the mall's tickets below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        self.mall = access_mall(
            self.request.user, get_object_or_404(Mall, code=self.kwargs["code"])
        )
        return selectors.tickets_of(self.mall).select_related("mall")
