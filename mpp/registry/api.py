"""Read-only REST API for the registry: /api/v1/. Every public page has its twin here."""

import django_filters
from rest_framework import serializers, viewsets

from . import selectors
from .models import Agency, Mall, Province, Regency, Service, ServiceStandard, standard_in_force


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name", "timezone", "population", "area_km2"]


class RegencySerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province_id")
    timezone = serializers.CharField()

    class Meta:
        model = Regency
        fields = ["code", "name", "kind", "province_code", "timezone", "population", "area_km2"]


class MallSerializer(serializers.ModelSerializer):
    regency_code = serializers.CharField(
        source="region_code",
        help_text="Kab/kota code, or the province code for a province-wide mall (DKI Jakarta).",
    )
    province_code = serializers.CharField(source="province_id")
    timezone = serializers.CharField(source="timezone_name")
    url = serializers.HyperlinkedIdentityField(view_name="api-mall-detail", lookup_field="code")

    class Meta:
        model = Mall
        fields = [
            "code",
            "name",
            "regency_code",
            "province_code",
            "timezone",
            "status",
            "inaugurated_on",
            "closed_on",
            "is_digital_pilot",
            "latitude",
            "longitude",
            "address",
            "is_demo",
            "url",
        ]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "short_name", "name", "level", "website"]


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceStandard
        fields = [
            "version",
            "effective_from",
            "requirements",
            "procedure",
            "completion_time_value",
            "completion_time_unit",
            "fee_amount",
            "fee_note",
            "product",
            "complaint_channel",
        ]


class ServiceSerializer(serializers.ModelSerializer):
    mall_code = serializers.CharField(source="mall.code")
    agency_code = serializers.CharField(source="agency.code")
    standard = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = ["id", "slug", "name", "mall_code", "agency_code", "is_active", "standard"]

    def get_standard(self, service) -> dict | None:
        # The version in force today in the mall's zone (from the prefetched rows); public
        # components only.
        standard = standard_in_force(service.standards.all(), service.mall.local_now().date())
        return StandardSerializer(standard).data if standard else None


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Province.objects.all()
    serializer_class = ProvinceSerializer
    pagination_class = None


class RegencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Regency.objects.all()
    serializer_class = RegencySerializer
    filterset_fields = ["province", "kind"]


class MallViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Mall.objects.all()
    serializer_class = MallSerializer
    filterset_class = selectors.MallFilter
    lookup_field = "code"


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Agency.objects.all()
    serializer_class = AgencySerializer
    filterset_fields = ["level"]
    lookup_field = "code"


class ServiceFilter(django_filters.FilterSet):
    mall = django_filters.CharFilter(field_name="mall__code")
    agency = django_filters.CharFilter(field_name="agency__code")

    class Meta:
        model = Service
        fields = ["mall", "agency", "is_active"]


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Service.objects.select_related("mall", "agency").prefetch_related("standards")
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
