"""The one rate limiter: fixed windows counted in the shared cache (`CACHES["shared"]`:
the database cache by default, Redis through CACHE_URL), so a limit holds whichever
process or machine answers. Every limited flow calls `rate_limit_allow`.

Identities (an address, a phone, a NIK, a user id) are keyed-hashed before they become
cache keys: the cache table must not hold a phone number or a NIK in clear."""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.core.cache import caches

CACHE_ALIAS = "shared"


def client_address(request) -> str:
    """The client's address. Behind a reverse proxy, have it set REMOTE_ADDR (e.g. gunicorn
    --forwarded-allow-ips); X-Forwarded-For from the client is never trusted here."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_ip(request) -> str | None:
    """The client's address as django-axes stores it: an IP address, or None when the request
    has none (a test client's force_login, a management command). PostgreSQL refuses anything
    else in an address column."""
    address = client_address(request) if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _key(scope: str, identity: str, seconds: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}\x00{identity}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"rl:{scope}:{seconds}:{digest}"


def rate_limit_count(*, scope: str, identity: str, window_seconds: int) -> int:
    """Count one attempt of `identity` in `scope`; return the attempts in its window. A
    window opens at the identity's first attempt and lasts `window_seconds` (the counter's
    expiry); `incr` keeps the expiry, so the window does not slide with each attempt."""
    cache = caches[CACHE_ALIAS]
    key = _key(scope, identity, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the first attempt in a new window
        if cache.add(key, 1, window_seconds):
            return 1
        return cache.incr(key)  # another process opened the window between our two calls


def rate_limit_allow(*, scope: str, identity: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once more than `limit` fall in the window. A limit of 0
    or less turns the check off (a pilot's setting)."""
    if limit <= 0:
        return True
    return rate_limit_count(scope=scope, identity=identity, window_seconds=window_seconds) <= limit


def rate_limit_allow_request(
    request, *, scope: str, limit: int, window_seconds: int = 3600, per_user: bool = True
) -> bool:
    """Count one attempt for the client's address and, when signed in, for the user too
    (a signed-in user is limited like everyone: one account must not flood from many
    addresses). False when either is over `limit`."""
    allowed = rate_limit_allow(
        scope=scope, identity=client_address(request), limit=limit, window_seconds=window_seconds
    )
    user = getattr(request, "user", None)
    if per_user and user is not None and user.is_authenticated:
        allowed &= rate_limit_allow(
            scope=f"{scope}:user", identity=str(user.pk), limit=limit, window_seconds=window_seconds
        )
    return allowed
