"""Alignment (5-point face chip) and the 128-d dlib ResNet embedding, unit length."""

from __future__ import annotations

import dlib
import numpy as np

from . import engine
from .detection import Face

CHIP_SIZE = 150
CHIP_PADDING = 0.25
DIMENSIONS = 128


def face_chip(image: np.ndarray, face: Face) -> np.ndarray:
    """The face rotated, scaled and cropped to 150×150 around the 5 landmarks."""
    return dlib.get_face_chip(image, face.shape, size=CHIP_SIZE, padding=CHIP_PADDING)


def embed_chip(chip: np.ndarray, *, flip: bool = True) -> np.ndarray:
    """The unit-length float32 embedding of an aligned chip. With `flip`, the chip and its mirror
    image are embedded together and averaged (test-time augmentation: one extra network pass)."""
    recognizer = engine.recognizer()
    if flip:
        mirrored = np.ascontiguousarray(chip[:, ::-1])
        vectors = np.array(recognizer.compute_face_descriptor([chip, mirrored]), dtype=np.float32)
        vector = vectors.mean(axis=0)
    else:
        vector = np.array(recognizer.compute_face_descriptor(chip), dtype=np.float32)
    return normalise(vector)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale to unit length along the last axis (float32)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
