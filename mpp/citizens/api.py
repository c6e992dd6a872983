"""REST API for citizen data (/api/v1/): the citizen's own data and rights, and what an
agency system integrates with (read consented data, submit and update applications).
Every read goes through `access`, exactly like the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from mpp.core.nik import nik_clean
from mpp.registry.access import access_mall
from mpp.registry.models import Agency, Mall, Service

from . import access, selectors, services
from .models import (
    AccessRecord,
    Application,
    Channel,
    Citizen,
    Consent,
    FaceTemplate,
    Purpose,
)
from .services import faces
from .views.common import citizen_of, posting_of
from .vocabulary import FIELD_ORDER, Category


def _drf_validation(error: ValidationError):
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return exceptions.ValidationError(detail)


def _me(request) -> Citizen:
    citizen = citizen_of(request)
    if citizen is None:
        raise exceptions.NotFound(_("No citizen profile for this account."))
    return citizen


class ProfileSerializer(serializers.Serializer):
    nik = serializers.CharField(read_only=True)
    documents = serializers.ListField(child=serializers.DictField(), read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        for key in FIELD_ORDER:
            if key != "nik":
                fields[key] = serializers.CharField(required=False, allow_blank=True)
        return fields


class MyProfile(APIView):
    """The citizen's own profile (GET, logged) and corrections (PATCH)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ProfileSerializer

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        citizen = _me(request)
        reading = access.citizen_data_read(
            citizen=citizen, actor=request.user, purpose=Purpose.SELF, channel=Channel.API
        )
        return Response(reading.values)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request):
        citizen = _me(request)
        changes = {k: v for k, v in request.data.items() if k in FIELD_ORDER}
        try:
            services.profile_correct(
                citizen=citizen, changes=changes, by=request.user, channel=Channel.API
            )
        except ValidationError as error:
            raise _drf_validation(error) from error
        return self.get(request)


class MyExport(APIView):
    """Everything about the citizen and its processing trail (JSON)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(services.citizen_export(citizen=_me(request), actor=request.user))


class MyFaceSerializer(serializers.Serializer):
    enrolled = serializers.BooleanField()
    enrolled_at = serializers.DateTimeField(allow_null=True)
    enrolled_at_mall = serializers.CharField(allow_null=True, help_text="Mall code")
    model = serializers.CharField(allow_null=True)
    consent_active = serializers.BooleanField(help_text="Biometric consent in force")
    consent_expires_at = serializers.DateTimeField(allow_null=True)


class MyFace(APIView):
    """The citizen's own face data (the twin of "My face data"): whether a template is
    stored, when and where it was enrolled, the biometric consent; DELETE removes the
    template (logged). The template itself never leaves the server."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyFaceSerializer

    @extend_schema(responses=MyFaceSerializer)
    def get(self, request):
        citizen = _me(request)
        face = FaceTemplate.objects.filter(citizen=citizen).select_related("mall").first()
        consent = faces.face_consent_of(citizen)
        return Response(
            {
                "enrolled": face is not None,
                "enrolled_at": face.enrolled_at if face else None,
                "enrolled_at_mall": face.mall.code if face and face.mall else None,
                "model": face.model_id if face else None,
                "consent_active": consent is not None,
                "consent_expires_at": consent.expires_at if consent else None,
            }
        )

    @extend_schema(responses={204: None, 404: OpenApiTypes.OBJECT})
    def delete(self, request):
        if not faces.face_delete(citizen=_me(request), by=request.user, channel=Channel.API):
            raise exceptions.NotFound(_("No face data is stored for you."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessRecordSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mall = serializers.SlugRelatedField(slug_field="code", read_only=True)
    who = serializers.CharField(source="actor_label")
    # Plain strings: other apps also have "outcome" and "channel" enums in the schema.
    outcome = serializers.CharField(help_text="granted or refused")
    channel = serializers.CharField(help_text="web, counter, assisted, api or system")

    class Meta:
        model = AccessRecord
        fields = ["seq", "at", "who", "agency", "mall", "purpose", "fields", "outcome", "channel"]


class MyAccessLog(generics.ListAPIView):
    """Who saw my data: every read, including refused ones. `?purpose=` filters; `?mine=false`
    leaves out my own reads (the page's default)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AccessRecordSerializer
    filterset_class = selectors.AccessRecordFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema reads the filters' model
            return AccessRecord.objects.none()
        return selectors.access_records_of(_me(self.request))


class ConsentSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), allow_empty=False
    )
    purpose = serializers.ChoiceField(
        choices=[(p, Purpose(p).label) for p in Purpose.consentable()]
    )
    days = serializers.IntegerField(write_only=True, min_value=1, max_value=3650)
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Consent
        fields = [
            "uuid",
            "agency",
            "purpose",
            "categories",
            "days",
            "granted_at",
            "expires_at",
            "revoked_at",
            "method",
            "state",
        ]
        read_only_fields = ["uuid", "granted_at", "expires_at", "revoked_at", "method", "state"]


class MyConsents(generics.ListCreateAPIView):
    """The citizen's consents; POST grants one."""

    permission_classes = [IsAuthenticated]
    serializer_class = ConsentSerializer
    filter_backends = []

    def get_queryset(self):
        return Consent.objects.filter(citizen=_me(self.request)).select_related("agency")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.consent_grant(
                citizen=_me(self.request), by=self.request.user, **serializer.validated_data
            )
        except ValidationError as error:
            raise _drf_validation(error) from error


class MyConsentRevoke(APIView):
    """Withdraw a consent; effective at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ConsentSerializer)
    def post(self, request, uuid):
        consent = get_object_or_404(Consent, uuid=uuid, citizen=_me(request))
        services.consent_revoke(consent=consent, by=request.user)
        return Response(ConsentSerializer(consent).data)


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.CharField(source="to_status")
    note = serializers.CharField()


class ApplicationSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    citizen = serializers.UUIDField(source="citizen.uuid", read_only=True)
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    mall = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    is_assisted = serializers.BooleanField(read_only=True)
    history = EventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "uuid",
            "reference",
            "citizen",
            "service",
            "mall",
            "agency",
            "status",
            "submitted_at",
            "due_at",
            "completed_at",
            "closed_at",
            "is_overdue",
            "is_assisted",
            "fields_prefilled",
            "fields_asked",
            "documents_missing",
            "other_requirements",
            "rejection_reason",
            "history",
        ]


APPLICATIONS = Application.objects.select_related(
    "service", "mall", "agency", "citizen"
).prefetch_related("events")


class MyApplications(generics.ListAPIView):
    """The citizen's applications and where each stands."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    filter_backends = []

    def get_queryset(self):
        return APPLICATIONS.filter(citizen=_me(self.request))


class MyApplication(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    lookup_field = "uuid"

    def get_queryset(self):
        return APPLICATIONS.filter(citizen=_me(self.request))


# --- agency systems (an officer's account) ---------------------------------------------


class CitizenReadSerializer(serializers.Serializer):
    nik = serializers.CharField(required=False, help_text="Sent in the body, never in a URL.")
    citizen = serializers.UUIDField(required=False)
    purpose = serializers.ChoiceField(choices=Purpose.consentable())
    fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Ask for these only (all or nothing); omit to get every consented field.",
    )
    break_glass_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=180,
        help_text="Only when not serving the citizen now (no ticket called at your counter, "
        "no open application with your agency): why you must read. Flagged in the access "
        "log, shown to the citizen and the mall's managers.",
    )


class AgencyCitizenRead(APIView):
    """Read a citizen's data as consented to the officer's agency. Without consent only
    the masked name and NIK come back; the read is logged either way."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CitizenReadSerializer,
        responses=inline_serializer(
            "ConsentedData",
            {
                "citizen": serializers.UUIDField(),
                "name_masked": serializers.CharField(),
                "nik_masked": serializers.CharField(),
                "granted": serializers.BooleanField(),
                "values": serializers.DictField(),
                "refusal": serializers.CharField(
                    allow_null=True, help_text="no_consent, no_context (give a reason), …"
                ),
            },
        ),
    )
    def post(self, request):
        posting = posting_of(request)
        body = CitizenReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        citizens = Citizen.objects.active()
        try:
            if data.get("nik"):
                citizen = citizens.with_nik(nik_clean(data["nik"])).first()
            else:
                citizen = citizens.filter(uuid=data.get("citizen")).first()
        except ValidationError as error:
            raise exceptions.ValidationError({"nik": error.messages}) from error
        if citizen is None:
            raise exceptions.NotFound(_("No citizen with this NIK or id."))
        try:
            reading = access.citizen_data_read(
                citizen=citizen,
                actor=request.user,
                purpose=data["purpose"],
                fields=data.get("fields"),
                mall=posting.mall,
                channel=Channel.API,
                strict="fields" in data,
                break_glass=data.get("break_glass_reason", ""),
            )
        except ValueError as error:
            raise exceptions.ValidationError({"fields": [str(error)]}) from error
        return Response(
            {
                "citizen": citizen.uuid,
                "name_masked": citizen.name_masked,
                "nik_masked": citizen.nik_masked,
                "granted": reading.granted,
                "values": reading.values,
                "refusal": reading.code or None,
            }
        )


class ApplicationSubmitSerializer(serializers.Serializer):
    citizen = serializers.UUIDField()
    service = serializers.SlugField(help_text="Slug of a service of the officer's agency.")
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )
    save_to_profile = serializers.BooleanField(default=True)


class AgencyApplications(generics.ListAPIView):
    """Applications to the officer's agency at their mall (GET, `?status=`, `?overdue=1`);
    POST submits one for a citizen under a confirmed delegation or a pre-fill consent."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    filterset_class = selectors.ApplicationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema reads the filters' model
            return Application.objects.none()
        return selectors.applications_of_posting(posting_of(self.request))

    @extend_schema(request=ApplicationSubmitSerializer, responses={201: ApplicationSerializer})
    def post(self, request):
        posting = posting_of(request)
        body = ApplicationSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        citizen = get_object_or_404(Citizen.objects.active(), uuid=data["citizen"])
        service = get_object_or_404(
            Service, mall=posting.mall, agency=posting.agency, slug=data["service"]
        )
        try:
            draft = services.application_start(citizen=citizen, service=service, by=request.user)
            application = services.application_submit(
                application=draft,
                values=data["values"],
                by=request.user,
                save_to_profile=data["save_to_profile"],
            )
        except ValidationError as error:
            raise _drf_validation(error) from error
        except access.AccessRefused as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class TransitionSerializer(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AgencyApplication(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    lookup_field = "uuid"

    def get_queryset(self):
        posting = posting_of(self.request)
        return APPLICATIONS.filter(mall=posting.mall, agency=posting.agency)


class AgencyApplicationTransition(APIView):
    """Move an application to its next status (in_process, needs_data, completed,
    handed_over, rejected); the citizen is notified."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TransitionSerializer, responses=ApplicationSerializer)
    def post(self, request, uuid):
        posting = posting_of(request)
        application = get_object_or_404(
            Application, uuid=uuid, mall=posting.mall, agency=posting.agency
        )
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.application_transition(
                application=application,
                to_status=body.validated_data["status"],
                by=request.user,
                note=body.validated_data["note"],
            )
        except ValidationError as error:
            raise _drf_validation(error) from error
        except access.AccessRefused as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return Response(ApplicationSerializer(APPLICATIONS.get(pk=application.pk)).data)


class OverdueApplications(generics.ListAPIView):
    """Applications over the standard's time at a mall (`?mall=` required, `?agency=`),
    for its managers, officers and the ministry."""

    permission_classes = [IsAuthenticated]
    serializer_class = ApplicationSerializer
    filterset_class = selectors.BreachedApplicationFilter

    @extend_schema(parameters=[OpenApiParameter("mall", str, required=True)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema reads the filters' model
            return Application.objects.none()
        mall = get_object_or_404(Mall, code=self.request.query_params.get("mall", ""))
        try:
            access_mall(self.request.user, mall)
        except PermissionDenied as error:
            raise exceptions.PermissionDenied() from error
        return selectors.applications_breached_at(mall)
