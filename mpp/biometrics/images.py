"""Decoding uploads and camera frames into RGB arrays, with limits: a corrupt, huge or
non-image file gets a reason code before any pixel is decoded."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .reasons import FaceError, Reason

MAX_FILE_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 MP phone photo decodes to ~120 MB of RGB: the ceiling
MIN_SIDE = 32
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})  # MPO: JPEG from some phones

ImageInput = bytes | bytearray | memoryview | str | Path | BinaryIO | np.ndarray


def load_image(
    source: ImageInput, *, max_bytes: int = MAX_FILE_BYTES, max_pixels: int = MAX_PIXELS
) -> np.ndarray:
    """An RGB uint8 array (height, width, 3) from bytes, a path, a file object or an array.

    Raises FaceError with IMAGE_EMPTY, IMAGE_TOO_LARGE, IMAGE_FORMAT or IMAGE_UNREADABLE.
    The pixel count is checked from the header, before decoding (decompression bombs).
    """
    if isinstance(source, np.ndarray):
        return _checked_array(source, max_pixels=max_pixels)
    data = _read_bytes(source, max_bytes=max_bytes)
    if not data:
        raise FaceError(Reason.IMAGE_EMPTY, "no bytes")
    if len(data) > max_bytes:
        raise FaceError(Reason.IMAGE_TOO_LARGE, f"{len(data)} bytes > {max_bytes}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise FaceError(Reason.IMAGE_FORMAT, f"format {image.format}")
            width, height = image.size
            if width * height > max_pixels:
                raise FaceError(Reason.IMAGE_TOO_LARGE, f"{width}x{height} pixels > {max_pixels}")
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = image.convert("RGB")
    except FaceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FaceError(Reason.IMAGE_TOO_LARGE, str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FaceError(Reason.IMAGE_UNREADABLE, f"{type(exc).__name__}: {exc}") from exc
    return _checked_array(np.asarray(rgb), max_pixels=max_pixels)


def _read_bytes(source: ImageInput, *, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise FaceError(Reason.IMAGE_EMPTY, f"cannot open {path.name}") from exc
        if size > max_bytes:
            raise FaceError(Reason.IMAGE_TOO_LARGE, f"{size} bytes > {max_bytes}")
        return path.read_bytes()
    return source.read(max_bytes + 1)


def _checked_array(array: np.ndarray, *, max_pixels: int) -> np.ndarray:
    if array.size == 0:
        raise FaceError(Reason.IMAGE_EMPTY, "empty array")
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise FaceError(Reason.IMAGE_UNREADABLE, f"array shape {array.shape}")
    height, width = array.shape[:2]
    if height * width > max_pixels:
        raise FaceError(Reason.IMAGE_TOO_LARGE, f"{width}x{height} pixels > {max_pixels}")
    if min(height, width) < MIN_SIDE:
        raise FaceError(Reason.IMAGE_EMPTY, f"{width}x{height} is too small to hold a face")
    if array.dtype != np.uint8:
        raise FaceError(Reason.IMAGE_UNREADABLE, f"dtype {array.dtype}")
    return np.ascontiguousarray(array[:, :, :3])
