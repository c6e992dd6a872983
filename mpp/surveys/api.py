"""Service-quality API under /api/v1/quality/: the twins of the IKM table, the mall quality
page, the scorecards, the survey, complaints and their tracking page.

Errors come back as `{"field": [messages]}` (DRF's shape) and nothing is saved."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from mpp.registry.access import access_mall
from mpp.registry.models import Mall
from mpp.visits import staffing

from . import compliance, reports, selectors
from .access import can_enter_paper_forms
from .forms import IkmFilterForm, default_period
from .ikm import WEIGHT_MODES, Period
from .models import (
    ELEMENT_FIELDS,
    AgeBand,
    Complaint,
    ComplaintCategory,
    Education,
    Occupation,
    Sex,
    SurveyChannel,
    SurveyResponse,
)
from .services import complaint_file, survey_submit, ticket_for_survey
from .throttle import anonymous_post_allowed, kiosk_device

THROTTLED = "Too many posts from this address in the last hour; try again later."


def _validation(exc: ValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return exceptions.ValidationError(detail)


def _period(request) -> Period:
    try:
        return Period.parse(request.query_params.get("period") or default_period())
    except ValueError as exc:
        raise exceptions.ValidationError({"period": [str(exc)]}) from None


class IkmSerializer(serializers.Serializer):
    respondents = serializers.IntegerField()
    nrr = serializers.ListField(child=serializers.CharField(), help_text="U1..U9, 4 decimals")
    weighted_nrr = serializers.ListField(child=serializers.CharField())
    ikm = serializers.CharField(allow_null=True, help_text="25.00–100.00, half-up")
    grade = serializers.CharField(allow_null=True)
    label = serializers.CharField(allow_null=True)
    weights = serializers.CharField()
    method = serializers.CharField()


class IkmRowSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    index = IkmSerializer(source="result_dict")
    visitors_previous = serializers.IntegerField()
    sample_target = serializers.IntegerField()
    sample_progress = serializers.FloatField(allow_null=True)


class IkmTableSerializer(serializers.Serializer):
    period = serializers.CharField()
    group = serializers.CharField()
    total = IkmSerializer()
    rows = IkmRowSerializer(many=True)


GROUP_PARAM = OpenApiParameter(
    "group", str, enum=list(reports.GROUP_KEYS), description="unit of each row (default mall)"
)
PERIOD_PARAM = OpenApiParameter("period", str, description="2026, 2026-S1 or 2026-Q3")


@extend_schema(
    parameters=[
        PERIOD_PARAM,
        GROUP_PARAM,
        OpenApiParameter("province", str, description="province code, e.g. 62"),
        OpenApiParameter("mall", str, description="mall code"),
        OpenApiParameter("agency", str, description="agency code"),
        OpenApiParameter("weights", str, enum=WEIGHT_MODES),
    ],
    responses=IkmTableSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def ikm_table(request):
    """The satisfaction index per mall, service, agency or province for a period, with the
    sample target (Krejcie & Morgan) from the previous period's visitors."""
    form = IkmFilterForm(request.query_params)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    table = selectors.ikm_table_read(form)
    rows = table["rows"]
    for row in rows:
        row["result_dict"] = row["result"].as_dict()
        row["id"] = str(row["id"])
    data = {
        "period": str(table["period"]),
        "group": table["group"],
        "total": table["total"].as_dict(),
        "rows": rows,
    }
    return Response(IkmTableSerializer(data).data)


class SurveySubmitSerializer(serializers.Serializer):
    ticket = serializers.UUIDField(required=False, help_text="the ticket's UUID, from its link")
    k = serializers.CharField(required=False, help_text="the link's signature")
    mall = serializers.SlugField(required=False, help_text="mall code (kiosk, no ticket)")
    service = serializers.IntegerField(required=False, help_text="service id (kiosk, no ticket)")
    channel = serializers.CharField(
        default="kiosk", help_text="kiosk, counter_tablet or paper (ticket_link with a ticket)"
    )
    scores = serializers.DictField(
        child=serializers.IntegerField(), help_text='{"u1": 1-4, ..., "u9": 1-4}'
    )
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    occupation = serializers.ChoiceField(
        choices=Occupation.choices, required=False, allow_blank=True
    )
    suggestion = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    collected_on = serializers.DateField(
        required=False,
        help_text="paper forms entered by the mall's staff: the day the form was filled in",
    )


class SurveyResponseSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(help_text="ticket_link, kiosk, counter_tablet or paper")
    mall = serializers.CharField(source="mall.code")
    service = serializers.IntegerField(source="service_id")
    agency = serializers.CharField(source="agency.code")

    class Meta:
        model = SurveyResponse
        fields = [
            "uuid",
            "mall",
            "agency",
            "service",
            "channel",
            "local_date",
            *ELEMENT_FIELDS,
            "age_band",
            "sex",
            "education",
            "occupation",
            "suggestion",
        ]


@extend_schema(request=SurveySubmitSerializer, responses={201: SurveyResponseSerializer})
@api_view(["POST"])
@permission_classes([AllowAny])
def survey_response_create(request):
    """Submit one questionnaire: with a ticket's signed link (`ticket` + `k`) or, at a kiosk,
    with `mall` and `service`. One response per ticket. A kiosk device
    (`Authorization: Device <token>`) may leave out `mall`: its own mall is recorded.
    Anonymous posts are limited per client address and hour (429)."""
    if not anonymous_post_allowed(request, "survey"):
        raise exceptions.Throttled(detail=THROTTLED)
    incoming = SurveySubmitSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = incoming.validated_data
    ticket = mall = service = None
    device = kiosk_device(request)
    try:
        if data.get("ticket"):
            ticket = ticket_for_survey(uuid=data["ticket"], signature=data.get("k", ""))
        else:
            if device is not None and not data.get("mall"):
                mall = device.mall
            else:
                mall = get_object_or_404(Mall, code=data.get("mall", ""))
            service = mall.services.filter(pk=data.get("service")).first()
        channel = data["channel"]
        if channel == SurveyChannel.PAPER and not (
            mall is not None and can_enter_paper_forms(request.user, mall)
        ):
            raise exceptions.PermissionDenied(_("Only the mall's staff enter paper forms."))
        if ticket:
            channel = SurveyChannel.TICKET_LINK
        elif device is not None:
            channel = SurveyChannel.KIOSK
        response = survey_submit(
            scores=data["scores"],
            channel=channel,
            device=device,
            collected_on=data.get("collected_on"),
            ticket=ticket,
            mall=mall,
            service=service,
            profile={k: data.get(k, "") for k in ("age_band", "sex", "education", "occupation")},
            suggestion=data.get("suggestion", ""),
            by=request.user,
        )
    except ValidationError as exc:
        raise _validation(exc) from None
    return Response(SurveyResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class SurveyResponseList(generics.ListAPIView):
    """Questionnaires of the malls the signed-in staff user may view (no personal data is
    ever collected). Filters as on the mall's page: mall, period, service (its id)."""

    serializer_class = SurveyResponseSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = selectors.SurveyResponseFilter

    def get_queryset(self):
        return selectors.responses_visible(self.request.user)


class ComplaintCreateSerializer(serializers.Serializer):
    mall = serializers.SlugField(
        required=False, help_text="mall code; a kiosk device may leave it out (its own mall)"
    )
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    service = serializers.IntegerField(required=False, allow_null=True)
    description = serializers.CharField(max_length=4000)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lapor_number = serializers.CharField(required=False, allow_blank=True, max_length=40)


class ComplaintPublicSerializer(serializers.ModelSerializer):
    """What the tracking page shows: no name, no contact, no description."""

    mall = serializers.CharField(source="mall.code")
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    service = serializers.CharField(source="service.name", allow_null=True, default=None)
    status = serializers.CharField(help_text="received, in_progress, answered, closed or rejected")
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "tracking_code",
            "mall",
            "agency",
            "service",
            "category",
            "status",
            "received_on",
            "due_on",
            "first_answered_on",
            "lapor_number",
            "replies",
        ]

    def get_replies(self, complaint) -> list[dict]:
        return [
            {"at": e.at.isoformat(), "status": e.to_status, "message": e.message}
            for e in complaint.events.all()
            if e.is_public
        ]


class ComplaintStaffSerializer(ComplaintPublicSerializer):
    channel = serializers.CharField(help_text="kiosk, web, officer or lapor")

    class Meta(ComplaintPublicSerializer.Meta):
        fields = [
            "id",
            *ComplaintPublicSerializer.Meta.fields,
            "channel",
            "description",
            "contact_name",
            "contact",
        ]


@extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintPublicSerializer})
@api_view(["POST"])
@permission_classes([AllowAny])
def complaint_create(request):
    """File a complaint (web or kiosk); the answer deadline is set in working days. From a
    kiosk device (`Authorization: Device <token>`) the channel is the kiosk and its mall is
    recorded. Anonymous posts are limited per client address and hour (429)."""
    if not anonymous_post_allowed(request, "complaint"):
        raise exceptions.Throttled(detail=THROTTLED)
    incoming = ComplaintCreateSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = dict(incoming.validated_data)
    device = kiosk_device(request)
    code = data.pop("mall", "")
    if device is not None and not code:
        mall = device.mall
    elif code:
        mall = get_object_or_404(Mall, code=code)
    else:
        raise exceptions.ValidationError({"mall": ["This field is required."]})
    service_id = data.pop("service", None)
    service = mall.services.filter(pk=service_id).first() if service_id else None
    if service_id and service is None:
        raise exceptions.ValidationError({"service": ["This service is not offered at this mall."]})
    try:
        complaint = complaint_file(
            mall=mall, channel="web", service=service, by=request.user, device=device, **data
        )
    except ValidationError as exc:
        raise _validation(exc) from None
    return Response(ComplaintPublicSerializer(complaint).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=ComplaintPublicSerializer)
@api_view(["GET"])
@permission_classes([AllowAny])
def complaint_track(request, code):
    """The complainant's tracking page: status, deadline and public replies only."""
    complaint = get_object_or_404(
        Complaint.objects.select_related("mall", "agency", "service").prefetch_related("events"),
        tracking_code=code.upper(),
    )
    return Response(ComplaintPublicSerializer(complaint).data)


class ComplaintList(generics.ListAPIView):
    """Complaints of the malls the signed-in staff user may view. Filters as on the mall's
    page: mall, status, category, overdue (in each mall's own date), q (tracking or LAPOR!
    number)."""

    serializer_class = ComplaintStaffSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = selectors.ComplaintFilter

    def get_queryset(self):
        return selectors.complaints_visible(self.request.user)


class ScorecardSerializer(serializers.Serializer):
    mall = serializers.CharField()
    period = serializers.CharField()
    commitment = serializers.DictField()
    integration = serializers.DictField()
    performance = serializers.DictField()
    usage = serializers.DictField()
    services = serializers.ListField(child=serializers.DictField())


@extend_schema(parameters=[PERIOD_PARAM], responses=ScorecardSerializer)
@api_view(["GET"])
@permission_classes([AllowAny])
def mall_quality(request, code):
    """A mall's four keys and per-service compliance: the twin of /quality/<code>/."""
    mall = get_object_or_404(Mall, code=code)
    period = _period(request)
    data = compliance.mall_scorecard(mall=mall, period=period).as_dict()
    data["services"] = [
        {
            "service": row.service.pk,
            "name": row.service.name,
            "agency": row.service.agency.code,
            "missing_public_components": row.missing,
            "served": row.served,
            "time_source": row.time_source,
            "time_measured": row.time_measured,
            "time_within": row.time_within,
            "time_compliance_share": row.time_share,
            "respondents": row.respondents,
            "sample_target": row.sample_target,
            "ikm": str(row.ikm.ikm) if row.ikm else None,
            "grade": row.ikm.grade.letter if row.ikm else None,
        }
        for row in compliance.services_compliance(mall=mall, period=period)
    ]
    return Response(ScorecardSerializer(data).data)


class MallSummarySerializer(serializers.Serializer):
    mall = serializers.CharField(source="mall.code")
    province = serializers.CharField(source="mall.province_id")
    served = serializers.IntegerField()
    time_share = serializers.FloatField(allow_null=True)
    respondents = serializers.IntegerField()
    ikm = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    grade = serializers.CharField(source="grade.letter", allow_null=True, default=None)
    complaints = serializers.IntegerField()
    complaints_in_time_share = serializers.FloatField(allow_null=True)


@extend_schema(
    parameters=[PERIOD_PARAM, OpenApiParameter("province", str)],
    responses=MallSummarySerializer(many=True),
)
@api_view(["GET"])
@permission_classes([AllowAny])
def scorecards(request):
    """Every open mall's quality figures for a period: the twin of /quality/scorecards/."""
    period = _period(request)
    malls = Mall.objects.open()
    if request.query_params.get("province"):
        malls = malls.filter(province_id=request.query_params["province"])
    rows = compliance.malls_summary(malls=malls, period=period, today=timezone.localdate())
    return Response(MallSummarySerializer(rows, many=True).data)


class EmptyCounterSerializer(serializers.Serializer):
    counter = serializers.CharField(source="counter.number")
    agency = serializers.CharField(source="counter.agency.code", allow_null=True, default=None)
    reason = serializers.CharField()
    since = serializers.DateTimeField(allow_null=True)


@extend_schema(responses=EmptyCounterSerializer(many=True))
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def empty_counters(request, code):
    """Counters nobody staffs during opening hours right now (staff of the mall only)."""
    try:
        mall = access_mall(request.user, get_object_or_404(Mall, code=code))
    except DjangoPermissionDenied:
        raise exceptions.PermissionDenied() from None
    return Response(EmptyCounterSerializer(staffing.empty_counters(mall=mall), many=True).data)


class LegacyReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="report.pk")
    period = serializers.CharField(source="report.period_label")
    period_start = serializers.DateField(source="report.period_start")
    period_end = serializers.DateField(source="report.period_end")
    service = serializers.CharField(source="report.service.slug", allow_null=True, default=None)
    respondents = serializers.IntegerField(source="report.respondents")
    reported_ikm = serializers.DecimalField(
        source="report.reported_ikm", max_digits=5, decimal_places=2, allow_null=True
    )
    source_name = serializers.CharField(source="report.source_name")
    legacy = IkmSerializer(source="legacy_dict", help_text="2004 method: 14 elements, 1/14")
    current = IkmSerializer(
        source="current_dict", help_text="current method (2017), same unit and period"
    )


@extend_schema(responses=LegacyReportSerializer(many=True))
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def legacy_reports(request, code):
    """A mall's old SKM reports (2004 method), each beside the current method's IKM of the
    same unit and period — never mixed. The twin of /quality/manage/<code>/legacy/."""
    try:
        mall = access_mall(request.user, get_object_or_404(Mall, code=code))
    except DjangoPermissionDenied:
        raise exceptions.PermissionDenied() from None
    rows = reports.legacy_rows(mall)
    for row in rows:
        row["legacy_dict"] = row["legacy"].as_dict()
        row["current_dict"] = row["current"].as_dict()
    return Response(LegacyReportSerializer(rows, many=True).data)
