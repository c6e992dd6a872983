"""The NIK (Nomor Induk Kependudukan) as the queue and bookings need it: shape check, keyed
hash for look-ups, masked form for screens. The full NIK is never stored by these apps."""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NIK_PATTERN = re.compile(r"^\d{16}$")


def nik_clean(value: str) -> str:
    """Digits only, exactly 16; raise a ValidationError otherwise."""
    nik = re.sub(r"[\s.-]", "", value or "")
    if not NIK_PATTERN.match(nik):
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_shape")
    return nik


def nik_hash(nik: str) -> str:
    """Keyed hash: equal NIKs give equal hashes, but the hash cannot be reversed by trying
    all NIKs without the key."""
    return hmac.new(settings.NIK_HASH_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()


def nik_mask(nik: str) -> str:
    """3201••••••••0001: region of issue and serial hidden except the ends."""
    return nik[:4] + "•" * 8 + nik[-4:]
