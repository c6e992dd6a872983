"""Django admin for national staff: subscriptions are managed here or on the analyst's own
page; reported counts and visit events are read-only (they change only through ingest,
which keeps the report's summaries current)."""

from django.contrib import admin

from .models import (
    CountUpload,
    DailySummary,
    ReportDelivery,
    ReportedDailyCount,
    ReportSubscription,
    VisitEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = ReportDelivery
    fields = ["week", "status", "claimed_at", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-week"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [DeliveryInline]


@admin.register(ReportedDailyCount)
class ReportedDailyCountAdmin(ReadOnlyAdmin):
    list_display = ["mall", "local_date", "source", "subject_key", "issued", "served", "no_shows"]
    list_filter = ["source", "local_date"]
    search_fields = ["mall__code", "mall__name", "subject_key"]
    list_select_related = ["mall"]
    date_hierarchy = "local_date"


@admin.register(VisitEvent)
class VisitEventAdmin(ReadOnlyAdmin):
    list_display = ["mall", "key", "service", "local_date", "status", "received_at"]
    list_filter = ["status"]
    search_fields = ["mall__code", "key"]
    list_select_related = ["mall", "service"]
    show_full_result_count = False  # a large table: no COUNT(*) on every page


@admin.register(CountUpload)
class CountUploadAdmin(ReadOnlyAdmin):
    list_display = ["filename", "uploaded_by", "status", "created_at", "committed_at"]
    list_filter = ["status"]
    exclude = ["rows"]


@admin.register(DailySummary)
class DailySummaryAdmin(ReadOnlyAdmin):
    list_display = ["mall", "local_date", "source", "issued", "served", "no_shows"]
    list_filter = ["source"]
    search_fields = ["mall__code"]
    list_select_related = ["mall"]
    date_hierarchy = "local_date"
