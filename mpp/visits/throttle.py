"""A small per-client limit on public booking attempts, on top of the per-NIK limit in
services.booking_create: it slows down someone trying NIKs from one address."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def client_address(request) -> str:
    # Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "unknown")


def booking_attempt_allowed(request) -> bool:
    """Count one attempt for this client; False once the hourly limit is passed."""
    key = f"booking-attempts:{client_address(request)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        attempts = 1
    return attempts <= settings.BOOKING_ATTEMPTS_PER_HOUR
