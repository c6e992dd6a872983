"""Django admin for national staff: read-mostly views of responses and complaints."""

from django.contrib import admin

from .models import Complaint, ComplaintEvent, LegacyReport, SurveyResponse


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["local_date", "mall", "service", "channel", "u1", "u5", "u9"]
    list_filter = ["channel", "local_date"]
    list_select_related = ["mall", "service"]
    raw_id_fields = ["mall", "agency", "service", "ticket", "entered_by"]
    date_hierarchy = "local_date"


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    readonly_fields = ["at", "from_status", "to_status", "message", "is_public", "by"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["tracking_code", "mall", "category", "status", "received_on", "due_on"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["tracking_code", "lapor_number"]
    list_select_related = ["mall"]
    raw_id_fields = ["mall", "agency", "service", "created_by"]
    readonly_fields = ["status", "first_answered_on", "closed_at"]
    inlines = [ComplaintEventInline]


@admin.register(LegacyReport)
class LegacyReportAdmin(admin.ModelAdmin):
    list_display = ["mall", "period_label", "respondents", "reported_ikm", "imported_at"]
    raw_id_fields = ["mall", "service", "imported_by"]
