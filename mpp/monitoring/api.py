"""REST API for monitoring: the weekly report (analysts), open data (anyone) and ingest
from other queue systems (mall token)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import (
    authentication,
    exceptions,
    permissions,
    serializers,
    status,
    throttling,
)
from rest_framework.response import Response
from rest_framework.views import APIView

from mpp.core.ratelimit import client_address, rate_limit_allow
from mpp.visits.models import Device, DeviceKind, hash_token

from .access import can_view_national
from .ingest import IngestError, KeyConflict
from .models import ReportSubscription
from .opendata import open_data_rows
from .report import ReportOptions, weekly_report_build
from .services import daily_counts_upsert, subscription_set, visit_events_ingest
from .weeks import IsoWeek


class SystemTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` of a mall's "other queue system" device."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] not in (self.keyword, "Token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        device = (
            Device.objects.select_related("mall")
            .filter(
                kind=DeviceKind.SYSTEM, token_hash=hash_token(header[1]), revoked_at__isnull=True
            )
            .first()
        )
        if device is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked token."))
        Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
        return (None, device)

    def authenticate_header(self, request):
        return self.keyword


class SystemTokenScheme(OpenApiAuthenticationExtension):
    target_class = "mpp.monitoring.api.SystemTokenAuthentication"
    name = "mallSystemToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Token of a mall's queue system"}


class HasSystemToken(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Device)


class IsMinistryAnalyst(permissions.BasePermission):
    def has_permission(self, request, view):
        return can_view_national(request.user)


# Documentation of the report's shape (the view returns the report's plain data).


class RecentRankSerializer(serializers.Serializer):
    week = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)


class MallWeekSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    province_code = serializers.CharField()
    province = serializers.CharField()
    regency_code = serializers.CharField()
    region = serializers.CharField()
    timezone = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)
    inaugurated_on = serializers.DateField(allow_null=True)
    open_counters = serializers.IntegerField()
    visits = serializers.IntegerField(allow_null=True, help_text="Tickets issued; null = no data")
    served = serializers.IntegerField(allow_null=True)
    no_shows = serializers.IntegerField(allow_null=True)
    visits_per_1000 = serializers.FloatField(allow_null=True)
    visits_per_counter = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="Competition rank: ties share")
    rank_tied = serializers.BooleanField(help_text="Another mall has the same rank")
    rank_per_capita = serializers.IntegerField(allow_null=True)
    rank_per_capita_tied = serializers.BooleanField()
    previous_visits = serializers.IntegerField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True)
    avg_wait_minutes = serializers.FloatField(allow_null=True)
    avg_service_minutes = serializers.FloatField(allow_null=True)
    within_standard_pct = serializers.FloatField(allow_null=True)
    days_with_data = serializers.IntegerField()
    source = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["ok", "quiet", "no_data", "new"])
    is_new = serializers.BooleanField()
    quiet_reasons = serializers.ListField(child=serializers.CharField())
    recent_ranks = RecentRankSerializer(many=True)
    ikm = serializers.CharField(
        allow_null=True, required=False, help_text="IKM of the quarter so far, two decimals"
    )
    ikm_grade = serializers.CharField(allow_null=True, required=False)
    ikm_respondents = serializers.IntegerField(required=False)
    complaints_received = serializers.IntegerField(required=False)
    complaints_in_time_pct = serializers.FloatField(allow_null=True, required=False)
    time_compliance_pct = serializers.FloatField(
        allow_null=True, required=False, help_text="Served within the standard's time, the week"
    )
    counters_staffed_pct = serializers.FloatField(allow_null=True, required=False)


class SummarySerializer(serializers.Serializer):
    malls = serializers.IntegerField()
    malls_with_data = serializers.IntegerField()
    malls_no_data = serializers.IntegerField()
    malls_quiet = serializers.IntegerField()
    visits = serializers.IntegerField()
    served = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    visits_per_1000 = serializers.FloatField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True)


class ProvinceSummarySerializer(SummarySerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class QualitySummarySerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The quarter holding the week's Sunday")
    period_start = serializers.DateField()
    ikm = serializers.CharField(allow_null=True)
    ikm_grade = serializers.CharField(allow_null=True)
    ikm_grade_label = serializers.CharField(allow_null=True)
    ikm_respondents = serializers.IntegerField()
    complaints_received = serializers.IntegerField()
    complaints_in_time_pct = serializers.FloatField(allow_null=True)
    time_compliance_pct = serializers.FloatField(allow_null=True)
    counters_staffed_pct = serializers.FloatField(allow_null=True)


class WeeklyReportSerializer(serializers.Serializer):
    week = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    generated_at = serializers.DateTimeField()
    parameters = serializers.DictField()
    malls = MallWeekSerializer(many=True)
    lowest = MallWeekSerializer(many=True)
    highest = MallWeekSerializer(many=True)
    top20 = MallWeekSerializer(many=True)
    lowest_per_capita = MallWeekSerializer(many=True)
    highest_per_capita = MallWeekSerializer(many=True)
    cutoff_ties = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per section: codes of the malls tied at its cut-off line (all listed)",
    )
    provisional = serializers.BooleanField(help_text="The running week (sementara)")
    days_covered = serializers.IntegerField()
    covered_until = serializers.DateField()
    new_malls = MallWeekSerializer(many=True)
    quiet = MallWeekSerializer(many=True)
    no_data = MallWeekSerializer(many=True)
    provinces = ProvinceSummarySerializer(many=True)
    totals = SummarySerializer()
    quality = QualitySummarySerializer(allow_null=True)
    lowest_ikm = MallWeekSerializer(
        many=True, help_text="Malls with the lowest IKM of the quarter so far (N = lowest)"
    )


def parse_week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except ValidationError as error:
        raise exceptions.ValidationError(error.message_dict) from None


def _count_param(request, name: str) -> int:
    value = request.query_params.get(name, "10")
    if not value.isdigit() or int(value) > 500:
        raise exceptions.ValidationError({name: _("a whole number from 0 to 500")})
    return int(value)


class WeeklyReportView(APIView):
    permission_classes = [IsMinistryAnalyst]

    @extend_schema(
        operation_id="reports_weekly",
        parameters=[
            OpenApiParameter("lowest", int, description="How many lowest malls (default 10)"),
            OpenApiParameter("highest", int, description="How many highest malls (default 10)"),
            OpenApiParameter(
                "current",
                int,
                description="1 = allow the running week, marked provisional with its days",
            ),
        ],
        responses=WeeklyReportSerializer,
    )
    def get(self, request, week: str):
        """The national weekly report for an ISO week (e.g. 2025-W23). Ministry analysts."""
        options = ReportOptions(
            lowest=_count_param(request, "lowest"),
            highest=_count_param(request, "highest"),
            current_ok=request.query_params.get("current") == "1",
        )
        try:
            return Response(weekly_report_build(week=parse_week(week), options=options))
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None


class DeliverySerializer(serializers.Serializer):
    week = serializers.CharField()
    status = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()


class SubscriptionSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()
    since = serializers.DateTimeField(read_only=True, allow_null=True)
    deliveries = DeliverySerializer(many=True, read_only=True)


class SubscriptionView(APIView):
    permission_classes = [IsMinistryAnalyst]

    def _body(self, request) -> dict:
        mine = ReportSubscription.objects.filter(user=request.user).first()
        deliveries = mine.deliveries.order_by("-week")[:52] if mine else []
        return {
            "is_active": bool(mine and mine.is_active),
            "since": mine.created_at if mine and mine.is_active else None,
            "deliveries": DeliverySerializer(deliveries, many=True).data,
        }

    @extend_schema(operation_id="reports_subscription", responses=SubscriptionSerializer)
    def get(self, request):
        """My weekly report e-mail (Monday 08:00 WIB) and the last 52 weeks sent."""
        return Response(self._body(request))

    @extend_schema(
        operation_id="reports_subscription_set",
        request=SubscriptionSerializer,
        responses=SubscriptionSerializer,
    )
    def put(self, request):
        """Start (`is_active: true`) or stop my weekly report e-mail."""
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription_set(user=request.user, active=serializer.validated_data["is_active"])
        return Response(self._body(request))


class OpenDataRowSerializer(serializers.Serializer):
    week = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    regency_code = serializers.CharField()
    province = serializers.CharField()
    visits = serializers.IntegerField(allow_null=True)
    served = serializers.IntegerField(allow_null=True)
    visits_per_1000 = serializers.FloatField(allow_null=True)


class OpenDataWeekView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(operation_id="open_data_weekly", responses=OpenDataRowSerializer(many=True))
    def get(self, request, week: str):
        """Open data: visits per mall for one ISO week (aggregates only; null = no data)."""
        try:
            return Response(open_data_rows(week=parse_week(week)))
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None


# Ingest ------------------------------------------------------------------------------------


class DailyCountRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    service = serializers.CharField(required=False, help_text="Service slug in this mall")
    agency = serializers.CharField(required=False, help_text="Agency code, when counted per agency")
    issued = serializers.IntegerField(min_value=0)
    served = serializers.IntegerField(min_value=0)
    no_shows = serializers.IntegerField(min_value=0)
    avg_wait_minutes = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    avg_service_minutes = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    served_within_standard = serializers.IntegerField(min_value=0, required=False)


class DailyCountBatchSerializer(serializers.Serializer):
    rows = DailyCountRowSerializer(many=True)


class VisitEventSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100, help_text="Idempotency key, unique in the mall")
    service = serializers.CharField()
    status = serializers.ChoiceField(choices=["served", "no_show", "other"], required=False)
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(required=False)
    started_at = serializers.DateTimeField(required=False)
    finished_at = serializers.DateTimeField(required=False)


class VisitEventBatchSerializer(serializers.Serializer):
    events = VisitEventSerializer(many=True)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class IngestErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)


class DailyCountResultSerializer(serializers.Serializer):
    mall = serializers.CharField()
    stored = serializers.IntegerField()
    days_with_queue_data = serializers.ListField(
        child=serializers.DateField(),
        help_text="Days sent that also have this platform's queue data",
    )
    report_uses = serializers.ChoiceField(
        choices=["queue", "counts"],
        required=False,
        help_text="Which source the report uses for those days (setting)",
    )
    note = serializers.CharField(required=False)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    keys = serializers.ListField(child=serializers.CharField())


class TooLargeSerializer(serializers.Serializer):
    detail = serializers.CharField()
    limit_bytes = serializers.IntegerField()


class VisitEventResultSerializer(serializers.Serializer):
    mall = serializers.CharField()
    received = serializers.IntegerField()
    inserted = serializers.IntegerField()
    duplicates = serializers.IntegerField()


def _rejected(error: IngestError) -> Response:
    return Response(
        {
            "detail": _("Nothing was stored: fix the rows below and send the batch again."),
            "errors": [e.as_dict() for e in error.errors],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _payload(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


class IngestThrottle(throttling.BaseThrottle):
    """Ingest requests per system token and minute, on the shared limiter (all processes)."""

    def allow_request(self, request, view):
        device = request.auth
        identity = f"device:{device.pk}" if device is not None else client_address(request)
        return rate_limit_allow(
            scope="ingest",
            identity=identity,
            limit=settings.INGEST_REQUESTS_PER_MINUTE,
            window_seconds=60,
        )

    def wait(self):
        return 60


def _too_large(limit: int) -> JsonResponse:
    return JsonResponse(
        {
            "detail": _("The request body is larger than %(limit)s bytes: send smaller batches.")
            % {"limit": limit},
            "limit_bytes": limit,
        },
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


class IngestView(APIView):
    authentication_classes = [SystemTokenAuthentication]
    permission_classes = [HasSystemToken]
    throttle_classes = [IngestThrottle]

    def dispatch(self, request, *args, **kwargs):
        """A body over INGEST_MAX_BODY_BYTES is refused from its Content-Length, before it
        is read (WSGI reads nothing beyond the Content-Length)."""
        limit = settings.INGEST_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _too_large(limit)
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):
            return _too_large(settings.INGEST_MAX_BODY_BYTES)
        return super().handle_exception(exc)


class DailyCountsIngestView(IngestView):
    @extend_schema(
        operation_id="ingest_daily_counts",
        request=DailyCountBatchSerializer,
        responses={
            200: DailyCountResultSerializer,
            400: IngestErrorSerializer,
            413: TooLargeSerializer,
        },
    )
    def post(self, request):
        """Daily counts from a mall's own queue system: an idempotent upsert keyed by mall,
        date and service (or agency). One bad row rejects the whole batch."""
        mall = request.auth.mall
        try:
            result = daily_counts_upsert(mall=mall, rows=_payload(request).get("rows"))
        except IngestError as error:
            return _rejected(error)
        return Response({"mall": mall.code, **result})


class VisitEventsIngestView(IngestView):
    @extend_schema(
        operation_id="ingest_visits",
        request=VisitEventBatchSerializer,
        responses={
            200: VisitEventResultSerializer,
            400: IngestErrorSerializer,
            409: ConflictSerializer,
            413: TooLargeSerializer,
        },
    )
    def post(self, request):
        """A batch of raw visit events (at most 10,000). Events whose key was already
        received are skipped, so replaying a batch changes nothing."""
        mall = request.auth.mall
        try:
            result = visit_events_ingest(mall=mall, events=_payload(request).get("events"))
        except IngestError as error:
            return _rejected(error)
        except KeyConflict as conflict:
            return Response(
                {
                    "detail": _(
                        "Nothing was stored: these keys were received before with other "
                        "content (%(keys)s). A key names one visit; use a new key for a new "
                        "visit."
                    )
                    % {"keys": ", ".join(conflict.keys[:20])},
                    "keys": conflict.keys,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response({"mall": mall.code, **result})
