"""Admin: metadata only. Personal data is sealed and never shown here (read it through the
citizen pages, which log the access); the access log is read-only."""

from django.contrib import admin

from .models import (
    AccessRecord,
    Application,
    ApplicationEvent,
    Citizen,
    Consent,
    FaceCheck,
    FaceDuplicate,
    FaceMallSettings,
    FaceTemplate,
    NonWorkingDay,
)


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


# --- face data (metadata only: the encrypted template is never shown) -------------------


@admin.register(FaceTemplate)
class FaceTemplateAdmin(ReadOnlyAdmin):
    list_display = ["citizen", "model_id", "frames_used", "enrolled_at", "mall"]
    exclude = ["blob"]


@admin.register(FaceDuplicate)
class FaceDuplicateAdmin(ReadOnlyAdmin):
    list_display = ["citizen", "other", "score", "status", "found_at", "reviewed_at"]
    list_filter = ["status"]


@admin.register(FaceCheck)
class FaceCheckAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "mall", "claim", "reason", "score", "verified_at"]
    list_filter = ["claim", "reason"]
    exclude = ["nonce"]


@admin.register(FaceMallSettings)
class FaceMallSettingsAdmin(admin.ModelAdmin):
    """Identification (1:N among today's bookings) is off unless a mall turns it on here."""

    list_display = [
        "mall",
        "identification_enabled",
        "window_minutes",
        "face_alone_at_kiosk",
        "updated_at",
    ]
