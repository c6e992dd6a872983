from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from mpp.core.ratelimit import rate_limit_allow, rate_limit_allow_request

from .models import Role

# Where each role starts its day after logging in (URL names, so no app is imported here).
START_PAGE = {
    Role.CITIZEN: "citizens:home",
    Role.COUNTER_OFFICER: "visits:console_home",
    Role.MINISTRY_ANALYST: "monitoring:home",
    Role.MALL_MANAGER: "registry:manage_home",
}


@login_required
def start(request):
    if request.user.is_superuser:
        return redirect("registry:manage_home")
    return redirect(START_PAGE.get(request.user.role, "registry:manage_home"))


class PasswordResetView(auth_views.PasswordResetView):
    """Reset links are limited per client address and per e-mail address (shared limiter),
    so the form cannot flood someone's mailbox or probe many accounts."""

    def form_valid(self, form):
        limit = settings.PASSWORD_RESETS_PER_HOUR
        by_address = rate_limit_allow_request(self.request, scope="password-reset", limit=limit)
        by_email = rate_limit_allow(
            scope="password-reset:email",
            identity=form.cleaned_data["email"].strip().lower(),
            limit=limit,
            window_seconds=3600,
        )
        if not (by_address and by_email):
            form.add_error(None, _("Too many reset requests. Please try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
