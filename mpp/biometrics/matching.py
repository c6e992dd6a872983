"""Templates, 1:1 comparison with calibrated thresholds, enrolment from several frames.

Scores are cosine similarities of unit-length embeddings (1.0 = identical). The thresholds were
calibrated on the shared photographs (docs/biometrics.md, docs/decisions/0011):
VERIFY_THRESHOLD 0.92 is a Euclidean distance of 0.40 between unit vectors, about dlib's usual
0.6 on its raw vectors (whose length is ~1.45) and slightly stricter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .embedding import DIMENSIONS, embed_chip, normalise
from .images import ImageInput, load_image
from .quality import ENROLMENT, QualityPolicy, QualityReport, quality_check
from .reasons import FaceError, Reason

VERIFY_THRESHOLD = 0.92
IDENTIFY_THRESHOLD = 0.94
IDENTIFY_MARGIN = 0.03
DUPLICATE_THRESHOLD = 0.90
ENROL_MIN_FRAMES = 3


@dataclass(frozen=True)
class FaceSample:
    """One image through the pipeline: its quality report and, when it passed, its embedding."""

    quality: QualityReport
    embedding: np.ndarray | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.embedding is not None

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.quality.reasons


@dataclass(frozen=True)
class Comparison:
    score: float
    threshold: float

    @property
    def match(self) -> bool:
        return self.score >= self.threshold


@dataclass(frozen=True)
class Enrolment:
    """The template (None when refused), the reasons, and how many frames were used."""

    template: np.ndarray | None
    reasons: tuple[Reason, ...]
    frames_used: int
    frame_reasons: tuple[tuple[Reason, ...], ...] = ()

    @property
    def ok(self) -> bool:
        return self.template is not None


def face_sample(
    image: ImageInput, *, policy: QualityPolicy = ENROLMENT, flip: bool = True
) -> FaceSample:
    """Decode, check quality and embed one image. A bad file raises FaceError; a face that fails
    the gate returns a sample without embedding (its reasons say why)."""
    pixels = load_image(image)
    report = quality_check(pixels, policy=policy)
    if not report.ok:
        return FaceSample(quality=report)
    return FaceSample(quality=report, embedding=embed_chip(report.chip, flip=flip))


def compare(a: np.ndarray, b: np.ndarray, *, threshold: float = VERIFY_THRESHOLD) -> Comparison:
    """1:1 comparison of two templates or embeddings."""
    return Comparison(score=float(np.dot(_checked(a), _checked(b))), threshold=threshold)


def template_enrol(
    images: Iterable[ImageInput],
    *,
    min_frames: int = ENROL_MIN_FRAMES,
    policy: QualityPolicy = ENROLMENT,
) -> Enrolment:
    """Several frames (kiosk burst, officer webcam or uploads) → one template: the normalised
    mean of the good frames' embeddings. Refused when fewer than `min_frames` pass the gate,
    or when any two good frames do not match each other (not the same person)."""
    embeddings, frame_reasons = [], []
    for image in images:
        try:
            sample = face_sample(image, policy=policy)
        except FaceError as error:
            frame_reasons.append((error.reason,))
            continue
        frame_reasons.append(sample.reasons)
        if sample.ok:
            embeddings.append(sample.embedding)
    common = {"frames_used": len(embeddings), "frame_reasons": tuple(frame_reasons)}
    if len(embeddings) < min_frames:
        # the commonest reason the frames were refused tells the person what to fix
        seen = [r[0] for r in frame_reasons if r]
        commonest = tuple({max(seen, key=seen.count)} if seen else ())
        return Enrolment(None, (Reason.ENROL_TOO_FEW_FRAMES, *commonest), **common)
    stack = np.stack(embeddings)
    if (stack @ stack.T).min() < VERIFY_THRESHOLD:
        return Enrolment(None, (Reason.ENROL_INCONSISTENT,), **common)
    return Enrolment(normalise(stack.mean(axis=0)), (), **common)


def _checked(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    if vector.shape != (DIMENSIONS,) or not np.all(np.isfinite(vector)):
        raise FaceError(Reason.TEMPLATE_INVALID, f"shape {vector.shape}")
    return normalise(vector)
