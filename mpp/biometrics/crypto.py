"""Template encryption at rest: AES-256-GCM (AES-128/192 keys accepted), key bytes passed in
by the caller (from the environment, never stored beside the data), the citizen's id bound as
associated data so a template copied onto another citizen's row does not decrypt.

Layout of the blob: b"MPT1" | 12-byte random nonce | ciphertext of the float32 template + tag.
The model id is part of the associated data: a template from another model fails to open.
"""

from __future__ import annotations

import os

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .embedding import model_get
from .engine import MODEL_ID
from .reasons import FaceError, Reason

MAGIC = b"MPT1"
NONCE_BYTES = 12


def _associated_data(citizen_id: object, model_id: str) -> bytes:
    return b"|".join([MAGIC, model_id.encode(), str(citizen_id).encode()])


def _cipher(key: bytes) -> AESGCM:
    if not isinstance(key, bytes | bytearray) or len(key) not in (16, 24, 32):
        raise ValueError("the template key must be 16, 24 or 32 bytes (32 recommended)")
    return AESGCM(bytes(key))


def template_encrypt(
    template: np.ndarray, *, key: bytes, citizen_id: object, model_id: str = MODEL_ID
) -> bytes:
    vector = np.asarray(template, dtype=np.float32)
    dimensions = model_get(model_id).dimensions
    if vector.shape != (dimensions,) or not np.all(np.isfinite(vector)):
        raise FaceError(Reason.TEMPLATE_INVALID, f"shape {vector.shape}")
    nonce = os.urandom(NONCE_BYTES)
    plain = vector.astype("<f4").tobytes()
    associated = _associated_data(citizen_id, model_id)
    return MAGIC + nonce + _cipher(key).encrypt(nonce, plain, associated)


def template_decrypt(
    blob: bytes, *, key: bytes, citizen_id: object, model_id: str = MODEL_ID
) -> np.ndarray:
    """The template; FaceError(TEMPLATE_INVALID) for a wrong key, another citizen's blob, a
    tampered or truncated blob (AES-GCM authenticates all of it)."""
    cipher = _cipher(key)
    blob = bytes(blob)
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise FaceError(Reason.TEMPLATE_INVALID, "not a template blob")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        plain = cipher.decrypt(
            nonce, blob[len(MAGIC) + NONCE_BYTES :], _associated_data(citizen_id, model_id)
        )
    except InvalidTag as exc:
        raise FaceError(Reason.TEMPLATE_INVALID, "authentication failed") from exc
    return np.frombuffer(plain, dtype="<f4").astype(np.float32)


def template_key_new() -> bytes:
    """32 random bytes, e.g. for `.env`: base64.b64encode(template_key_new())."""
    return os.urandom(32)
