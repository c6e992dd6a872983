"""Django admin for national staff. Managers use the mall console (/manage/) instead."""

from django.contrib import admin

from .models import (
    Agency,
    Closure,
    Counter,
    District,
    HistoricalRegion,
    Mall,
    OfficerPosting,
    OpeningHours,
    Pledge,
    Province,
    Regency,
    Service,
    ServiceStandard,
    Tenancy,
    Village,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "timezone", "population", "area_km2"]
    list_filter = ["timezone"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "population", "area_km2"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency"]
    search_fields = ["code", "name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]
    show_full_result_count = False


@admin.register(HistoricalRegion)
class HistoricalRegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "last_edition"]
    list_filter = ["level", "last_edition"]
    search_fields = ["code", "name"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class TenancyInline(admin.TabularInline):
    model = Tenancy
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Mall)
class MallAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "province",
        "status",
        "inaugurated_on",
        "is_digital_pilot",
        "is_demo",
    ]
    list_filter = ["status", "is_digital_pilot", "is_demo", "province"]
    search_fields = ["code", "name", "regency__name"]
    list_select_related = ["province"]
    autocomplete_fields = ["regency", "managers"]
    inlines = [OpeningHoursInline, ClosureInline, TenancyInline]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "short_name", "name"]


class ServiceStandardInline(admin.StackedInline):
    model = ServiceStandard
    extra = 0
    readonly_fields = ["created_at", "created_by"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "mall", "agency", "is_active"]
    list_filter = ["is_active", "agency"]
    search_fields = ["name", "slug", "mall__name"]
    list_select_related = ["mall", "agency"]
    autocomplete_fields = ["mall", "agency"]
    inlines = [ServiceStandardInline]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["mall", "version", "signer_name", "signed_on"]
    search_fields = ["mall__name", "signer_name"]
    autocomplete_fields = ["mall"]
    readonly_fields = ["created_at", "created_by"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["number", "mall", "agency", "is_active"]
    search_fields = ["number", "mall__name"]
    autocomplete_fields = ["mall", "agency"]
    filter_horizontal = ["services"]


@admin.register(OfficerPosting)
class OfficerPostingAdmin(admin.ModelAdmin):
    list_display = ["officer", "mall", "agency"]
    search_fields = ["officer__username", "mall__name"]
    autocomplete_fields = ["officer", "mall", "agency"]
