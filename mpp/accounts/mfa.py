"""Two-factor sign-in (django-otp, docs/decisions/0017) and staff session limits.

Staff (national staff, ministry analysts, mall managers, counter officers; a setting may
relax a role for a pilot) must verify a TOTP code, or a one-use recovery code, after their
password before any page but the sign-in ones. A citizen who turned it on must too.
Staff sessions end after an idle time and an absolute lifetime (settings)."""

import time
from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role

RECOVERY_CODES = 10
LOGIN_AT = "mpp_login_at"
SEEN_AT = "mpp_seen_at"


class MfaError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def is_staff_account(user) -> bool:
    return bool(user.is_staff or user.is_superuser or user.role != Role.CITIZEN)


def mfa_required(user) -> bool:
    """Whether this user must pass a second factor: staff by role (or as admin staff), and
    anyone who enrolled a device."""
    if not user.is_authenticated:
        return False
    if (user.is_staff or user.is_superuser) and settings.MFA_REQUIRED_FOR_ADMIN_STAFF:
        return True
    if user.role in settings.MFA_REQUIRED_ROLES:
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device(user, *, confirmed=True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def totp_enrol_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator secret (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def totp_qr_svg(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))


def _replayed(device: TOTPDevice, token: str) -> bool:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return token.isdigit() and device.last_t >= totp.t() and int(token) == totp.token()


def _check_totp(device: TOTPDevice, token: str) -> None:
    if _replayed(device, token):
        raise MfaError(_("This code was already used. Wait for the next one."), "replayed")
    allowed, _data = device.verify_is_allowed()
    if not allowed:
        raise MfaError(
            _("Too many wrong codes. Wait a moment and try the newest code."), "throttled"
        )
    if not device.verify_token(token):
        raise MfaError(_("The code is wrong or expired."), "wrong_code")


@transaction.atomic
def totp_enrol_confirm(*, request, device: TOTPDevice, token: str) -> list[str]:
    """The first code from the app confirms the device; the session is verified and ten
    recovery codes replace any earlier ones. Returns the recovery codes (shown once)."""
    _check_totp(device, token.strip())
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = recovery_codes_new(user=device.user)
    otp_login(request, device)
    return codes


@transaction.atomic
def recovery_codes_new(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def mfa_verify(*, request, token: str) -> None:
    """Check a six-digit TOTP code or a recovery code (used once, then gone) and mark the
    session verified. Raises MfaError naming what failed; nothing changes then."""
    token = token.strip().replace(" ", "")
    user = request.user
    if token.isdigit() and len(token) == 6:
        device = totp_device(user)
        if device is None:
            raise MfaError(_("No authenticator is set up for this account."), "no_device")
        _check_totp(device, token)
        otp_login(request, device)
        return
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if static is None or not token:
        raise MfaError(_("Enter the six-digit code from your app."), "wrong_code")
    if not static.verify_is_allowed()[0]:
        raise MfaError(
            _("Too many wrong codes. Wait a moment and try the newest code."), "throttled"
        )
    if not static.verify_token(token.lower()):
        raise MfaError(_("This recovery code is wrong or was already used."), "wrong_recovery")
    otp_login(request, static)


@transaction.atomic
def mfa_turn_off(*, user) -> None:
    """Only where no rule requires it (a citizen who opted in)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# Pages a signed-in user reaches before the second factor (and static files).
OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/readyz", "/metrics", "/favicon")


def _open_path(path: str) -> bool:
    if path.startswith(OPEN_PREFIXES):
        return True
    return path in {
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("accounts:mfa_verify"),
        reverse("accounts:mfa_setup"),
    }


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class SecurityMiddleware:
    """After django-otp's middleware: staff session limits, then the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ended = self._session_ended(request, user)
            if ended:
                return ended
            if mfa_required(user) and not user.is_verified() and not _open_path(request.path):
                return self._ask_second_factor(request, user)
        return self.get_response(request)

    def _session_ended(self, request, user):
        if not is_staff_account(user):
            return None
        session, now = request.session, int(time.time())
        login_at = session.get(LOGIN_AT) or now
        seen_at = session.get(SEEN_AT) or now
        idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
        lifetime = settings.STAFF_SESSION_MAX_HOURS * 3600
        # 0 turns a limit off.
        if (idle and now - seen_at > idle) or (lifetime and now - login_at > lifetime):
            logout(request)
            message = _("Your session ended. Please log in again.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "session_ended", "detail": message}, status=401)
            messages.info(request, message)
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        if LOGIN_AT not in session:
            session[LOGIN_AT] = login_at
        if now - seen_at >= 60:  # one session write a minute, not one per request
            session[SEEN_AT] = now
        return None

    def _ask_second_factor(self, request, user):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "mfa_required",
                    "detail": _("Two-factor verification is required for this account."),
                },
                status=403,
            )
        target = "accounts:mfa_verify" if totp_device(user) else "accounts:mfa_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
