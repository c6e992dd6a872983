"""Limits on what costs an SMS or guesses a code, counted by the shared limiter
(`mpp.core.ratelimit`) so they hold across processes. Called by the views, outside any
transaction: a count must stick even when the attempt itself fails and rolls back."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from mpp.core.ratelimit import rate_limit_allow, rate_limit_allow_request

from .validation import phone_clean


def registration_sms_check(request, phone: str) -> None:
    """Count one registration SMS for this phone number and this client address; raise a
    ValidationError naming the field once either passed its hourly limit (SMS pumping:
    many codes sent to one number, or to many numbers from one machine)."""
    try:
        phone = phone_clean(phone)
    except ValidationError:
        return  # the service names the bad phone; nothing is sent
    by_phone = rate_limit_allow(
        scope="register-sms:phone",
        identity=phone,
        limit=settings.REGISTRATION_SMS_PER_PHONE_PER_HOUR,
        window_seconds=3600,
    )
    if not by_phone:
        raise ValidationError(
            {"phone": [_("Too many codes were sent to this number. Please try again in an hour.")]}
        )
    if not rate_limit_allow_request(
        request, scope="register-sms", limit=settings.REGISTRATION_SMS_PER_ADDRESS_PER_HOUR
    ):
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("Too many registrations from this device. Try again later.")]}
        )


def code_check_allowed(request) -> bool:
    """Count one one-time-code check for this client (and signed-in user). Each code dies
    after five wrong tries; this stops someone cycling through many codes."""
    return rate_limit_allow_request(
        request, scope="code-check", limit=settings.ONE_TIME_CODE_CHECKS_PER_HOUR
    )


def code_check_refused() -> ValidationError:
    return ValidationError({"code": [_("Too many code attempts. Please try again in an hour.")]})
