"""Face detection (dlib HOG, with an upsampled second pass for small faces), 5-point landmarks
and the head-pose measures the quality gate and liveness read from them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import dlib
import numpy as np

from . import engine

# Detection runs on a copy no larger than this (longest side); boxes are scaled back.
DETECT_MAX_SIDE = 1024
# The upsampled pass doubles the work area: only run it on images up to this many pixels.
UPSAMPLE_MAX_PIXELS = 1_300_000
# The CNN fallback (~1 s on a 640×480 frame) only for single images up to this size.
FALLBACK_MAX_PIXELS = 700_000
# Stored with evaluation results: faces not found by an older detector are looked for again.
DETECTOR_ID = "hog+mmod-fallback"


@dataclass(frozen=True)
class Face:
    """One detected face in image coordinates, with its 5 landmarks.

    Landmarks (x, y) in dlib's 5-point order: 0-1 outer and inner corner of the eye on the
    image's right, 2-3 outer and inner corner of the eye on the image's left, 4 base of nose.
    """

    left: int
    top: int
    right: int
    bottom: int
    score: float
    landmarks: np.ndarray = field(repr=False, compare=False)
    shape: dlib.full_object_detection = field(repr=False, compare=False)

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def pose(self) -> Pose:
        return pose_from_landmarks(self.landmarks)


@dataclass(frozen=True)
class Pose:
    """Measures from the 5 landmarks, independent of face size and in-plane rotation.

    yaw: horizontal offset of the nose from the midpoint between the eyes, in units of the
    eye distance; > 0 when the nose is towards the image's right (in a camera frame that is not
    mirrored, the person turned to *their* left). About 0 for a frontal face, ±0.3 at ~30°.
    eye_asymmetry: log of the ratio of the two eye widths (image-right over image-left); a real
    head turn foreshortens the far eye, a flat photo turned in the hand scales both alike.
    eye_distance: pixels between the eye centres (grows as the face comes closer).
    roll: angle of the eye line in degrees.
    """

    yaw: float
    eye_asymmetry: float
    eye_distance: float
    roll: float


def pose_from_landmarks(points: np.ndarray) -> Pose:
    right_eye = (points[0] + points[1]) / 2
    left_eye = (points[2] + points[3]) / 2
    axis = right_eye - left_eye
    distance = float(np.hypot(*axis)) or 1e-6
    unit = axis / distance
    yaw = float(np.dot(points[4] - (left_eye + right_eye) / 2, unit) / distance)
    width_right = float(np.hypot(*(points[0] - points[1]))) or 1e-6
    width_left = float(np.hypot(*(points[2] - points[3]))) or 1e-6
    return Pose(
        yaw=yaw,
        eye_asymmetry=math.log(width_right / width_left),
        eye_distance=distance,
        roll=math.degrees(math.atan2(unit[1], unit[0])),
    )


def detect_faces(image: np.ndarray, *, upsample: bool = True, fallback: bool = False) -> list[Face]:
    """All faces, largest first. A first pass at the image's own scale; when it finds nothing,
    a second pass upsampled ×2 finds faces down to ~40 px wide; with `fallback` (single photos,
    not bursts), dlib's CNN detector looks last (profile-ish, dark or occluded faces)."""
    working, scale = _working_copy(image)
    detector = engine.detector()
    rects, scores, _ = detector.run(working, 0, 0.0)
    pixels = working.shape[0] * working.shape[1]
    if not rects and upsample and pixels <= UPSAMPLE_MAX_PIXELS:
        rects, scores, _ = detector.run(working, 1, 0.0)
    if not rects and fallback and pixels <= FALLBACK_MAX_PIXELS:
        found = engine.cnn_detector()(working, 1 if pixels <= 200_000 else 0)
        rects = [d.rect for d in found]
        scores = [d.confidence for d in found]
    faces = [_face(image, rect, score, scale) for rect, score in zip(rects, scores, strict=True)]
    return sorted(faces, key=lambda face: face.width, reverse=True)


def _working_copy(image: np.ndarray) -> tuple[np.ndarray, float]:
    longest = max(image.shape[:2])
    if longest <= DETECT_MAX_SIDE:
        return image, 1.0
    scale = DETECT_MAX_SIDE / longest
    height, width = round(image.shape[0] * scale), round(image.shape[1] * scale)
    return dlib.resize_image(image, height, width), scale


def _face(image: np.ndarray, rect: dlib.rectangle, score: float, scale: float) -> Face:
    box = dlib.rectangle(
        round(rect.left() / scale),
        round(rect.top() / scale),
        round(rect.right() / scale),
        round(rect.bottom() / scale),
    )
    shape = engine.predictor()(image, box)
    points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
    return Face(
        left=box.left(),
        top=box.top(),
        right=box.right(),
        bottom=box.bottom(),
        score=float(score),
        landmarks=points,
        shape=shape,
    )
