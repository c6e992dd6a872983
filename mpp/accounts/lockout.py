"""Login lockout rules on top of django-axes (docs/decisions/0016). Axes counts failed
logins per account and per client address in the database (shared by every process) and
refuses a locked account's or address's next login, even with the right password."""

import logging

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

logger = logging.getLogger("mpp.security")


def account_failures(username: str, request) -> int:
    if not username:
        return 0
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


def failure_limit(request, credentials) -> int:
    """Axes compares one limit with the larger of the account's and the address's failure
    counts; answering the account's limit once the account reached it, else the address's,
    gives each its own limit (10 per account, 50 per address by default)."""
    username = get_client_username(request, credentials) or ""
    if account_failures(username, request) >= settings.LOGIN_FAILURES_PER_ACCOUNT:
        return settings.LOGIN_FAILURES_PER_ACCOUNT
    return settings.LOGIN_FAILURES_PER_ADDRESS


def lock_message() -> str:
    return _(
        "Too many failed log-in attempts: this account or address is locked for %(minutes)s "
        "minutes. Ask your administrator to unlock it sooner."
    ) % {"minutes": settings.LOGIN_LOCK_MINUTES}


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked login: the login page with the reason (HTTP 429), or JSON."""
    if request.path.startswith("/api/") or request.headers.get("x-requested-with"):
        return JsonResponse({"code": "locked", "detail": lock_message()}, status=429)
    from django.contrib.auth.forms import AuthenticationForm

    form = AuthenticationForm(request, data=request.POST or None)
    form.errors.clear()
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_message": lock_message(), "next": request.POST.get("next", "")},
        status=429,
    )


@receiver(user_locked_out)
def _log_lock(sender, request=None, username=None, ip_address=None, **kwargs):
    # The user name is what was typed (maybe someone's NIK or a password by mistake):
    # logged only in its first characters.
    shown = (username or "")[:3] + "…" if username else "-"
    logger.warning("login locked: account %s, address %s", shown, ip_address)


class AccountLocked(exceptions.APIException):
    status_code = 429
    default_code = "locked"

    def __init__(self):
        super().__init__(detail={"code": "locked", "field": None, "detail": lock_message()})


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's HTTP Basic with axes' lock answered as 429 and its reason (DRF would say only
    'invalid user name or password', and a locked user would keep guessing)."""

    def authenticate_credentials(self, userid, password, request=None):
        from .mfa import mfa_required

        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise AccountLocked() from None
            raise
        if mfa_required(user) and not settings.MFA_ALLOW_API_BASIC:
            raise exceptions.AuthenticationFailed(
                _("This account signs in with two-factor verification: use a signed-in session.")
            )
        return user, auth


class BasicAuthenticationScheme(OpenApiAuthenticationExtension):
    """The API schema names the Basic path as plain HTTP Basic."""

    target_class = BasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic"}
