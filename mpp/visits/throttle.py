"""Queue-side limits, counted by the shared limiter (`mpp.core.ratelimit`), so they hold
across processes: public booking attempts per client (on top of the per-NIK limit in
services.booking_create), and face check-in attempts per citizen and per kiosk."""

from django.conf import settings

from mpp.core.ratelimit import client_address, rate_limit_allow, rate_limit_allow_request

from .devices import device_from_request

__all__ = ["booking_attempt_allowed", "client_address", "face_attempt_allowed"]


def booking_attempt_allowed(request) -> bool:
    """Count one booking attempt for this client (and signed-in user); False once the
    hourly limit is passed: it slows down someone trying NIKs from one address."""
    return rate_limit_allow_request(
        request, scope="booking", limit=settings.BOOKING_ATTEMPTS_PER_HOUR
    )


def face_attempt_allowed(request, *, citizen_id=None) -> bool:
    """Count one face verification attempt for the claimed citizen and for the kiosk (or
    the client address without one). False once either passes its hourly limit: nobody
    can try a burst of photos against one citizen's template, nor one kiosk flood."""
    device = device_from_request(request)
    by_device = rate_limit_allow(
        scope="face:device",
        identity=f"device:{device.pk}" if device else client_address(request),
        limit=settings.FACE_ATTEMPTS_PER_DEVICE_PER_HOUR,
        window_seconds=3600,
    )
    by_citizen = citizen_id is None or rate_limit_allow(
        scope="face:citizen",
        identity=str(citizen_id),
        limit=settings.FACE_ATTEMPTS_PER_CITIZEN_PER_HOUR,
        window_seconds=3600,
    )
    return by_device and by_citizen
