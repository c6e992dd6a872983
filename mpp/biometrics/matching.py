"""Templates, 1:1 comparison with calibrated thresholds, enrolment from several frames.

Scores are cosine similarities of unit-length embeddings (1.0 = identical); each model has its
own scale, so thresholds are per model (`THRESHOLDS`). A 1:1 comparison (`compare`, and the
consistency of enrolment frames) of a model with a cohort is cohort-normalised (AS-norm,
cohort.py, docs/decisions/0042), so `verify` is on that score; `identify` and `duplicate` stay
on raw cosine, the score of the exact 1:N search. MobileFaceNet's were set on the
East/Southeast Asian development identities of LFW (docs/decisions/0015, 0042): verify at FMR
0.1 %, identify at FMR 0.01 %. dlib's 0.92 is its first calibration (docs/decisions/0011).
A deployment recalibrates from its own pilot data with `manage.py face_eval --calibrate` and
the FACE_THRESHOLDS setting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import engine
from .cohort import cohort_for
from .embedding import model_get, normalise
from .images import ImageInput, load_image
from .quality import ENROLMENT, QualityPolicy, QualityReport, quality_check
from .reasons import FaceError, Reason


@dataclass(frozen=True)
class Thresholds:
    """verify: 1:1 accept (on the cohort-normalised score where the model has a cohort);
    identify + margin: 1:N accept; duplicate: candidates for review (both raw cosine)."""

    verify: float
    identify: float
    margin: float
    duplicate: float


THRESHOLDS = {
    engine.DLIB_RESNET: Thresholds(verify=0.92, identify=0.94, margin=0.03, duplicate=0.90),
    # verify 0.509 normalised (raw cosine it was 0.557: the same dev FMR, 0.1 %, decision 0042)
    engine.MOBILEFACENET: Thresholds(verify=0.509, identify=0.743, margin=0.05, duplicate=0.45),
    # set on the same dev identities by `face_eval --calibrate east_se_asian` (decision 0049)
    engine.MOBILEFACENET_ONET: Thresholds(
        verify=0.512, identify=0.768, margin=0.05, duplicate=0.45
    ),
}


def thresholds_for(model_id: str | None = None) -> Thresholds:
    return THRESHOLDS[model_get(model_id).id]


VERIFY_THRESHOLD = THRESHOLDS[engine.MODEL_ID].verify
IDENTIFY_THRESHOLD = THRESHOLDS[engine.MODEL_ID].identify
IDENTIFY_MARGIN = THRESHOLDS[engine.MODEL_ID].margin
DUPLICATE_THRESHOLD = THRESHOLDS[engine.MODEL_ID].duplicate
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
    image: ImageInput,
    *,
    policy: QualityPolicy = ENROLMENT,
    flip: bool = True,
    model_id: str | None = None,
) -> FaceSample:
    """Decode, check quality and embed one image. A bad file raises FaceError; a face that fails
    the gate returns a sample without embedding (its reasons say why)."""
    pixels = load_image(image)
    report = quality_check(pixels, policy=policy)
    if not report.ok:
        return FaceSample(quality=report)
    embedding = model_get(model_id).embed_face(pixels, report.face, flip=flip)
    return FaceSample(quality=report, embedding=embedding)


def compare(
    a: np.ndarray,
    b: np.ndarray,
    *,
    threshold: float | None = None,
    model_id: str | None = None,
) -> Comparison:
    """1:1 comparison of two templates or embeddings of the same model (the default model's
    verification threshold unless `threshold` is given). The score is cohort-normalised when
    the model has a cohort (the same raw cosine means more for a face unlike many others),
    else cosine. Vectors of another size (another model) raise FaceError(TEMPLATE_INVALID):
    they are never compared."""
    model = model_get(model_id)
    if threshold is None:
        threshold = thresholds_for(model.id).verify
    a, b = _checked(a, model.dimensions), _checked(b, model.dimensions)
    cohort = cohort_for(model.id)
    score = cohort.score(a, b) if cohort is not None else float(np.dot(a, b))
    return Comparison(score=score, threshold=threshold)


# --- fusion of several frames --------------------------------------------------------------

FUSE_BEST = 5


def frame_weight(measures: dict) -> float:
    """How much a frame counts in a fused template, from its quality measures (0..1): sharp,
    frontal, large faces count most. Calibrated on LFW View 1 (docs/decisions/0015)."""
    sharp = min(1.0, max(0.1, measures.get("sharpness", 50.0) / 60.0))
    frontal = max(0.1, 1.0 - abs(measures.get("yaw", 0.0)) / 0.35)
    size = min(1.0, max(0.3, measures.get("face_width", 120) / 120.0))
    return sharp * frontal * size


def template_fuse(
    embeddings: list[np.ndarray], weights: list[float] | None = None, *, best: int = FUSE_BEST
) -> np.ndarray:
    """One template from several embeddings of one person: the quality-weighted mean of the
    `best` highest-weighted ones, unit length."""
    if not embeddings:
        raise ValueError("no embeddings to fuse")
    weights = list(weights) if weights is not None else [1.0] * len(embeddings)
    order = np.argsort(weights)[::-1][:best]
    stack = np.stack([embeddings[i] for i in order])
    w = np.array([weights[i] for i in order], dtype=np.float32)
    return normalise((stack * w[:, None]).sum(axis=0))


def template_enrol(
    images: Iterable[ImageInput],
    *,
    min_frames: int = ENROL_MIN_FRAMES,
    policy: QualityPolicy = ENROLMENT,
    model_id: str | None = None,
    consistency: float | None = None,
) -> Enrolment:
    """Several frames (kiosk burst, officer webcam or uploads) → one template: the
    quality-weighted fusion of the best good frames (`template_fuse`). Refused when fewer than
    `min_frames` pass the gate, or when any two good frames do not match each other (not the
    same person; at `consistency`, by default the model's verification threshold)."""
    embeddings, weights, frame_reasons = [], [], []
    for image in images:
        try:
            sample = face_sample(image, policy=policy, model_id=model_id)
        except FaceError as error:
            frame_reasons.append((error.reason,))
            continue
        frame_reasons.append(sample.reasons)
        if sample.ok:
            embeddings.append(sample.embedding)
            weights.append(frame_weight(sample.quality.measures))
    common = {"frames_used": len(embeddings), "frame_reasons": tuple(frame_reasons)}
    if len(embeddings) < min_frames:
        # the commonest reason the frames were refused tells the person what to fix
        seen = [r[0] for r in frame_reasons if r]
        commonest = tuple({max(seen, key=seen.count)} if seen else ())
        return Enrolment(None, (Reason.ENROL_TOO_FEW_FRAMES, *commonest), **common)
    stack = np.stack(embeddings)
    if consistency is None:
        consistency = thresholds_for(model_id).verify
    # on the same score as `compare`, which the consistency threshold is set for
    cohort = cohort_for(model_get(model_id).id)
    if (cohort.matrix(stack) if cohort is not None else stack @ stack.T).min() < consistency:
        return Enrolment(None, (Reason.ENROL_INCONSISTENT,), **common)
    return Enrolment(template_fuse(embeddings, weights), (), **common)


def _checked(vector: np.ndarray, dimensions: int) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    if vector.shape != (dimensions,) or not np.all(np.isfinite(vector)):
        raise FaceError(Reason.TEMPLATE_INVALID, f"shape {vector.shape}, expected {dimensions}")
    return normalise(vector)
