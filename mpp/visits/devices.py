"""Kiosks, display boards and other queue systems authenticate as devices: a token issued
by the mall's manager, stored only as a hash, revocable. A browser kiosk activates once with
the token and then carries the device id in its session; other vendors' devices send
`Authorization: Device <token>` with each API call."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.core.audit import audit_record
from mpp.registry.access import can_edit_mall, can_view_mall
from mpp.registry.models import Mall

from .models import Device, DeviceKind, hash_token

SESSION_KEY = "mpp_device_id"
# Device look-ups are cached briefly so boards polling every second cost no query;
# a revoked token stops working within this many seconds.
DEVICE_CACHE_SECONDS = 10


@transaction.atomic
def device_issue(*, mall: Mall, kind: str, name: str, by) -> tuple[Device, str]:
    """Create a device and return it with its token, which is shown once and never stored."""
    if not can_edit_mall(by, mall):
        raise PermissionDenied
    token = Device.new_token()
    device = Device.objects.create(
        mall=mall, kind=kind, name=name.strip(), token_hash=hash_token(token), created_by=by
    )
    audit_record(actor=by, action="device.issue", target=device)
    return device, token


@transaction.atomic
def device_revoke(*, device: Device, by) -> Device:
    if not can_edit_mall(by, device.mall):
        raise PermissionDenied
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="device.revoke", target=device)
    cache.delete(_cache_key(device.token_hash))
    cache.delete(f"device-id:{device.pk}")
    return device


def _cache_key(token_hash: str) -> str:
    return f"device:{token_hash}"


def device_for_token(token: str) -> Device | None:
    """The active device holding `token`, or None."""
    if not token:
        return None
    key = _cache_key(hash_token(token))
    device = cache.get(key)
    if device is None:
        device = (
            Device.objects.select_related("mall")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        ) or False
        cache.set(key, device, DEVICE_CACHE_SECONDS)
    return device or None


def device_from_request(request) -> Device | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Device "):
        return device_for_token(header.removeprefix("Device ").strip())
    device_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if device_id:
        # Kept as long as a token look-up (DEVICE_CACHE_SECONDS): a kiosk taps constantly.
        key = f"device-id:{device_id}"
        device = cache.get(key)
        if device is None:
            device = (
                Device.objects.select_related("mall")
                .filter(pk=device_id, revoked_at__isnull=True)
                .first()
            ) or False
            cache.set(key, device, DEVICE_CACHE_SECONDS)
        device = device or None
        if device is None:
            request.session.pop(SESSION_KEY, None)
        return device
    return None


def device_activate(request, token: str) -> Device:
    device = device_for_token(token.strip())
    if device is None:
        raise PermissionDenied(_("This device token is not valid or has been revoked."))
    request.session[SESSION_KEY] = device.pk
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return device


def may_use_device_page(request, mall: Mall, kind: str) -> bool:
    """A kiosk or board page opens for a device of that mall, or for staff who may view it."""
    device = device_from_request(request)
    if device is not None:
        return device.mall_id == mall.pk and device.kind == kind
    return can_view_mall(request.user, mall)


def kiosk_mall(request, code: str) -> Mall | None:
    """The mall of a kiosk page: None for a visitor not signed in (the page says how to open
    it), PermissionDenied for a device or a user the page is not for."""
    mall = get_object_or_404(Mall.objects.select_related("province", "regency"), code=code)
    if not may_use_device_page(request, mall, DeviceKind.KIOSK):
        if not request.user.is_authenticated:
            return None
        raise PermissionDenied
    return mall
