"""Encryption at rest for citizen data (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from the CITIZEN_DATA_KEY setting (any string; it is stretched to a Fernet key)
and, in development, from SECRET_KEY. Several keys separated by commas allow rotation: the
first encrypts, all decrypt.

Only `mpp.citizens.access` (and the services that write data) may call `open_*`: every
decryption of personal data must leave an access record. A test checks that no other
module imports these functions.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(f"citizen-vault:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> list[str]:
    configured = settings.CITIZEN_DATA_KEY or f"dev:{settings.SECRET_KEY}"
    return [k.strip() for k in configured.split(",") if k.strip()]


_CACHE: dict[tuple, MultiFernet] = {}


def _box() -> MultiFernet:
    keys = tuple(_keys())
    if keys not in _CACHE:
        _CACHE[keys] = MultiFernet([_fernet(k) for k in keys])
    return _CACHE[keys]


def seal_json(data: dict) -> str:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()
    return _box().encrypt(raw).decode()


def open_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_box().decrypt(token.encode()))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "Citizen data cannot be decrypted: check CITIZEN_DATA_KEY."
        ) from error


def seal_text(text: str) -> str:
    return _box().encrypt(text.encode()).decode() if text else ""


def open_text(token: str) -> str:
    return _box().decrypt(token.encode()).decode() if token else ""


def seal_bytes(data: bytes) -> bytes:
    return _box().encrypt(data)


def open_bytes(token: bytes) -> bytes:
    return _box().decrypt(token)


def key_matches(token: str) -> bool:
    """Whether CITIZEN_DATA_KEY (any of its keys) signed `token`: checks the token's HMAC
    only, never decrypts, so no personal data is read (for /readyz)."""
    try:
        _box().extract_timestamp(token.encode())
    except InvalidToken:
        return False
    return True
