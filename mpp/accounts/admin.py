from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .mfa import mfa_required
from .models import User


class SecondFactorAdminSite(admin.AdminSite):
    """The admin asks for the second factor too, not only the middleware in front of it."""

    def has_permission(self, request):
        user = request.user
        return super().has_permission(request) and (user.is_verified() or not mfa_required(user))


admin.site.__class__ = SecondFactorAdminSite


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role", "is_staff"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role"), {"fields": ["role", "phone"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Role"), {"fields": ["role"]}),)
