"""A per-client-address limit on anonymous survey and complaint posts (pages and API), so
one machine cannot flood a mall's IKM or its complaint list. Kiosk devices (authenticated
by their token) and signed-in staff are not limited: a kiosk serves many citizens from
one address. Counted in the cache, like `mpp.visits.throttle`."""

from django.conf import settings
from django.core.cache import cache

from mpp.visits.devices import device_from_request
from mpp.visits.models import DeviceKind
from mpp.visits.throttle import client_address

WINDOW_SECONDS = 3600
# Posts per client address and hour; override in settings.
DEFAULT_LIMITS = {"survey": 30, "complaint": 10}


def limit_for(kind: str) -> int:
    return int(getattr(settings, f"SURVEYS_{kind.upper()}_POSTS_PER_HOUR", DEFAULT_LIMITS[kind]))


def kiosk_device(request):
    """The active kiosk device behind this request (session or `Authorization: Device`)."""
    device = device_from_request(request)
    return device if device is not None and device.kind == DeviceKind.KIOSK else None


def anonymous_post_allowed(request, kind: str) -> bool:
    """Count one `kind` ("survey" or "complaint") post for this client; False once the
    hourly limit is passed. Kiosks and signed-in users are always allowed."""
    if kiosk_device(request) is not None:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    key = f"surveys-posts:{kind}:{client_address(request)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        posts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        posts = 1
    return posts <= limit_for(kind)
