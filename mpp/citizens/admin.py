"""Admin: metadata only. Personal data is sealed and never shown here (read it through the
citizen pages, which log the access); the access log is read-only."""

from django.contrib import admin

from .models import AccessRecord, Application, ApplicationEvent, Citizen, Consent, NonWorkingDay


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Citizen)
class CitizenAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "name_masked", "nik_masked", "created_at", "erased_at"]
    fields = ["uuid", "name_masked", "nik_masked", "nik_warnings", "created_at", "erased_at"]
    readonly_fields = fields


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["citizen", "agency", "purpose", "granted_at", "expires_at", "revoked_at"]
    list_filter = ["purpose", "method"]
    exclude = []


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_label", "agency", "purpose", "outcome", "channel"]
    list_filter = ["outcome", "purpose", "channel"]


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by_label", "note"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "service", "mall", "status", "submitted_at", "due_at"]
    list_filter = ["status"]
    exclude = ["sealed_data"]
    inlines = [EventInline]


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "source"]
    list_filter = ["kind"]
