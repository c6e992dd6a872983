"""Fixtures for the face library tests: real photographs (data/NOTICE.md), embeddings cached
on disk between runs (.cache/biometrics/ at the repository root, ignored by git)."""

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mpp.biometrics.evaluation import embeddings_for, pairs_read

DATA = Path(__file__).resolve().parent / "data"
FACES = DATA / "faces"
EXTRA = DATA / "extra"
REPO = Path(__file__).resolve().parents[3]


def cache_dir() -> Path:
    """MPP_FACE_CACHE, or .cache/biometrics/ in the checkout (with a .gitignore of its own)."""
    if os.environ.get("MPP_FACE_CACHE"):
        return Path(os.environ["MPP_FACE_CACHE"])
    root = REPO / ".cache"
    root.mkdir(exist_ok=True)
    (root / ".gitignore").write_text("*\n")
    return root / "biometrics"


def face_path(name: str, number: int) -> Path:
    return FACES / name / f"{name}_{number:04d}.jpg"


def jpeg_bytes(image: Image.Image | np.ndarray, quality: int = 92) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def pytest_collection_modifyitems(items):
    """Every test that needs the whole shared set's embeddings is part of the LFW-style
    evaluation: marked `lfw`, so a run may leave it out (`-m "not lfw"`)."""
    for item in items:
        if "embeddings" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.lfw)


@pytest.fixture(scope="session")
def pairs():
    return pairs_read(DATA / "pairs.txt", FACES)


@pytest.fixture(scope="session")
def embeddings(pairs):
    """Path -> (embedding or None, measures) for every image of pairs.txt (flip TTA on)."""
    return embeddings_for([p.left for p in pairs] + [p.right for p in pairs], cache_dir=cache_dir())


@pytest.fixture(scope="session")
def embedding_of(embeddings):
    def lookup(name: str, number: int) -> np.ndarray:
        vector = embeddings[face_path(name, number)][0]
        assert vector is not None
        return vector

    return lookup


@pytest.fixture(scope="session")
def kiosk_frame() -> Image.Image:
    return Image.open(EXTRA / "kiosk_frame_640x480.jpg").convert("RGB")
