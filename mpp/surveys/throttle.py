"""Limits on survey and complaint posts (pages and API), so one machine cannot flood a
mall's IKM or its complaint list. Counted by the shared limiter (`mpp.core.ratelimit`):
per client address, and per user when signed in. Kiosk devices (authenticated by their
token) are not limited: a kiosk serves many citizens from one address."""

from django.conf import settings

from mpp.core.ratelimit import rate_limit_allow_request
from mpp.visits.devices import device_from_request
from mpp.visits.models import DeviceKind


def limit_for(kind: str) -> int:
    """Posts per client address and hour (SURVEYS_SURVEY_/COMPLAINT_POSTS_PER_HOUR)."""
    return {
        "survey": settings.SURVEYS_SURVEY_POSTS_PER_HOUR,
        "complaint": settings.SURVEYS_COMPLAINT_POSTS_PER_HOUR,
    }[kind]


def kiosk_device(request):
    """The active kiosk device behind this request (session or `Authorization: Device`)."""
    device = device_from_request(request)
    return device if device is not None and device.kind == DeviceKind.KIOSK else None


def anonymous_post_allowed(request, kind: str) -> bool:
    """Count one `kind` ("survey" or "complaint") post for this client and, when signed
    in, for the user; False once the hourly limit is passed. Kiosks are always allowed."""
    if kiosk_device(request) is not None:
        return True
    return rate_limit_allow_request(request, scope=f"surveys:{kind}", limit=limit_for(kind))
