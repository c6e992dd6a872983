"""The quality gate: exactly one face, big enough, not cut off, sharp, well lit and frontal.
Every failure is a Reason; the report also carries the measures, for logs and calibration."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .detection import Face, detect_faces
from .embedding import face_chip
from .reasons import Reason


@dataclass(frozen=True)
class QualityPolicy:
    """Thresholds, calibrated on the shared photographs (see docs/biometrics.md).

    min_face_width: detector box width in pixels (a face at arm's length in a 640×480 kiosk
    frame is ~150–250 px). other_face_ratio: the crowd rule (`subject_face`): the subject is
    the largest, most central face; another face at least this fraction of its width competes
    with it (two people at the camera) and is refused; smaller faces behind are ignored.
    min_sharpness: variance of the Laplacian inside the aligned 150×150 face chip.
    brightness: mean grey level (0–255) inside the face chip. max_yaw: see detection.Pose.
    """

    min_face_width: int = 80
    other_face_ratio: float = 0.7
    min_inside: float = 0.9
    min_sharpness: float = 12.0
    min_brightness: float = 55.0
    max_brightness: float = 215.0
    max_yaw: float = 0.22
    max_roll: float = 30.0
    pick_centre: bool = False
    detector_fallback: bool = True


ENROLMENT = QualityPolicy()
# For evaluating recognition on LFW-style crops: take the face nearest the centre, judge nothing
# else (the crops are often small, off-pose or have other people behind the subject).
EVALUATION = QualityPolicy(
    min_face_width=0,
    other_face_ratio=math.inf,
    min_inside=0.0,
    min_sharpness=0.0,
    min_brightness=0.0,
    max_brightness=255.0,
    max_yaw=math.inf,
    max_roll=180.0,
    pick_centre=True,
)


@dataclass(frozen=True)
class QualityReport:
    reasons: tuple[Reason, ...]
    face: Face | None = None
    chip: np.ndarray | None = field(default=None, repr=False)
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> Reason | None:
        """The first (most important) failure, or None."""
        return self.reasons[0] if self.reasons else None


def quality_check(image: np.ndarray, *, policy: QualityPolicy = ENROLMENT) -> QualityReport:
    faces = detect_faces(image, fallback=policy.detector_fallback)
    if not faces:
        return QualityReport(reasons=(Reason.NO_FACE,), measures={"faces": 0})
    face = _main_face(faces, image) if policy.pick_centre else subject_face(faces, image)
    others = [f.width / max(face.width, 1) for f in faces if f is not face]
    chip = face_chip(image, face)
    pose = face.pose()
    measures = {
        "faces": len(faces),
        "other_face_ratio": max(others, default=0.0),
        "face_width": face.width,
        "inside": _inside_fraction(face, image),
        "sharpness": sharpness(chip),
        "brightness": brightness(chip),
        "yaw": pose.yaw,
        "roll": pose.roll,
    }
    return QualityReport(
        reasons=quality_judge(measures, policy), face=face, chip=chip, measures=measures
    )


def quality_judge(measures: dict[str, float], policy: QualityPolicy) -> tuple[Reason, ...]:
    """The failures for measures taken by quality_check (also used to re-judge stored measures
    under another policy, e.g. the enrolment gate over an evaluation set)."""
    if not measures.get("faces"):
        return (Reason.NO_FACE,)
    failed = [
        (measures["other_face_ratio"] >= policy.other_face_ratio, Reason.MULTIPLE_FACES),
        (measures["inside"] < policy.min_inside, Reason.FACE_CUT_OFF),
        (measures["face_width"] < policy.min_face_width, Reason.FACE_TOO_SMALL),
        (measures["brightness"] < policy.min_brightness, Reason.TOO_DARK),
        (measures["brightness"] > policy.max_brightness, Reason.TOO_BRIGHT),
        (measures["sharpness"] < policy.min_sharpness, Reason.TOO_BLURRY),
        (
            abs(measures["yaw"]) > policy.max_yaw or abs(measures["roll"]) > policy.max_roll,
            Reason.NOT_FRONTAL,
        ),
    ]
    return tuple(reason for failing, reason in failed if failing)


def subject_face(faces: list[Face], image: np.ndarray) -> Face:
    """The person at the camera in a crowd: the largest face, preferring central ones (a face
    counts for its width less up to half for its distance from the centre). Whether another
    face competes with it is the caller's `other_face_ratio` check."""
    height, width = image.shape[:2]
    half_diagonal = math.hypot(width, height) / 2

    def weight(face: Face) -> float:
        x, y = face.centre
        off = math.hypot(x - width / 2, y - height / 2) / half_diagonal
        return face.width * (1.0 - 0.5 * min(off, 1.0))

    return max(faces, key=weight)


def _main_face(faces: list[Face], image: np.ndarray) -> Face:
    height, width = image.shape[:2]

    def off_centre(face: Face) -> float:
        x, y = face.centre
        return math.hypot(x - width / 2, y - height / 2) / max(face.width, 1)

    return min(faces, key=off_centre)


def _inside_fraction(face: Face, image: np.ndarray) -> float:
    height, width = image.shape[:2]
    inner_w = max(0, min(face.right, width) - max(face.left, 0))
    inner_h = max(0, min(face.bottom, height) - max(face.top, 0))
    area = max(face.width * (face.bottom - face.top), 1)
    landmarks_inside = bool(
        np.all(face.landmarks >= 0) and np.all(face.landmarks < (width, height))
    )
    return inner_w * inner_h / area if landmarks_inside else 0.0


def _grey_centre(chip: np.ndarray) -> np.ndarray:
    grey = chip.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return grey[35:125, 30:120]  # eyes, nose and mouth; little hair or background


def sharpness(chip: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the face's centre (higher = sharper)."""
    g = _grey_centre(chip)
    laplacian = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(laplacian.var())


def brightness(chip: np.ndarray) -> float:
    return float(_grey_centre(chip).mean())
