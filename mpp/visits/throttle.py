"""Queue-side limits, counted by the shared limiter (`mpp.core.ratelimit`), so they hold
across processes: public booking attempts per client (on top of the per-NIK limit in
services.booking_create). Face check-in attempts are limited where a check starts
(`citizens.services.faces.face_attempt_allow`), on the same limiter."""

from django.conf import settings

from mpp.core.ratelimit import client_address, rate_limit_allow_request

__all__ = ["booking_attempt_allowed", "client_address"]


def booking_attempt_allowed(request) -> bool:
    """Count one booking attempt for this client (and signed-in user); False once the
    hourly limit is passed: it slows down someone trying NIKs from one address."""
    return rate_limit_allow_request(
        request, scope="booking", limit=settings.BOOKING_ATTEMPTS_PER_HOUR
    )
