"""Active liveness: a random prompt (turn left, turn right, come closer), checked from the
5-point landmarks over a short burst of frames, with the same face in every frame.

What it stops and what it does not: docs/biometrics.md. In short, a printed or on-screen *still*
photo, held still or moved, turned or brought closer, cannot produce the parallax of a head turn
(a flat picture keeps the nose midway between the eyes however it is tilted), and a replayed
single frame shows no change at all. A video of the person doing the right movement, a 3D mask
or a deepfake injected into the camera stream are NOT stopped by this check.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from .detection import Face, detect_faces
from .embedding import embed_chip, face_chip
from .images import ImageInput, load_image
from .reasons import FaceError, Reason


class Action(StrEnum):
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"
    COME_CLOSER = "come_closer"


PROMPTS: dict[Action, dict[str, str]] = {
    Action.TURN_LEFT: {
        "id": "Lihat lurus ke kamera, lalu tolehkan kepala perlahan ke kiri Anda.",
        "en": "Look straight at the camera, then slowly turn your head to your left.",
    },
    Action.TURN_RIGHT: {
        "id": "Lihat lurus ke kamera, lalu tolehkan kepala perlahan ke kanan Anda.",
        "en": "Look straight at the camera, then slowly turn your head to your right.",
    },
    Action.COME_CLOSER: {
        "id": "Dekatkan wajah Anda ke kamera.",
        "en": "Bring your face closer to the camera.",
    },
}


@dataclass(frozen=True)
class Challenge:
    """What the person is asked to do, in order. `nonce` lets the caller bind the burst of
    frames to this challenge (store it with the issue time; accept it once, briefly)."""

    actions: tuple[Action, ...]
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))


def challenge_new(*, approach: bool | None = None) -> Challenge:
    """A random challenge: always one head turn (the part a flat photo cannot do), side drawn
    at random, and sometimes (or when `approach` is True) "come closer" before or after it."""
    rng = secrets.SystemRandom()
    actions = [rng.choice([Action.TURN_LEFT, Action.TURN_RIGHT])]
    if approach if approach is not None else rng.random() < 0.5:
        actions.insert(rng.randrange(2), Action.COME_CLOSER)
    return Challenge(actions=tuple(actions))


@dataclass(frozen=True)
class LivenessPolicy:
    """min_frames: frames sent; min_face_share: share of them with exactly one face.
    Yaw as in detection.Pose: a real 30° head turn gives ~0.18, a flat photo ~0 however held.
    still_pixel_diff: mean absolute grey difference below which two frames are the same picture.
    same_face_threshold: looser than verification because the turned frame is compared too.
    """

    min_frames: int = 5
    min_face_share: float = 0.6
    neutral_yaw: float = 0.08
    turn_yaw: float = 0.15
    turn_delta: float = 0.12
    closer_ratio: float = 1.2
    still_pixel_diff: float = 1.0
    still_landmark_motion: float = 0.02
    max_jump: float = 0.75
    other_face_ratio: float = 0.5
    same_face_threshold: float = 0.88
    mirrored: bool = False  # True if the frames were mirrored before they reached us


DEFAULT_POLICY = LivenessPolicy()


@dataclass(frozen=True)
class LivenessResult:
    """`embedding` is from the most frontal frame of the burst: verify *that* against the
    claimed identity's template, so the face checked is the face that moved."""

    passed: bool
    reason: Reason | None
    embedding: np.ndarray | None = field(default=None, repr=False)
    measures: dict = field(default_factory=dict)


def liveness_check(
    frames: Sequence[ImageInput], challenge: Challenge, *, policy: LivenessPolicy = DEFAULT_POLICY
) -> LivenessResult:
    """Judge a burst of camera frames (oldest first) against the challenge."""
    pixels = _decode(frames)
    if len(pixels) < policy.min_frames:
        return _fail(Reason.LIVENESS_TOO_FEW_FRAMES, frames=len(pixels))
    if _all_same_picture(pixels, policy):
        return _fail(Reason.LIVENESS_STILL_IMAGE, frames=len(pixels))
    tracked: list[tuple[int, Face]] = []
    for number, image in enumerate(pixels):
        faces = detect_faces(image)
        if len(faces) > 1 and faces[1].width >= policy.other_face_ratio * faces[0].width:
            return _fail(Reason.MULTIPLE_FACES, frame=number)
        if faces:
            tracked.append((number, faces[0]))
    if len(tracked) < max(policy.min_face_share * len(pixels), 2):
        return _fail(Reason.NO_FACE, face_frames=len(tracked), frames=len(pixels))
    if not _continuous([face for _, face in tracked], policy):
        return _fail(Reason.LIVENESS_DIFFERENT_FACE)
    return _judge_motion(pixels, tracked, challenge, policy)


def _judge_motion(pixels, tracked, challenge, policy) -> LivenessResult:
    sign = -1.0 if policy.mirrored else 1.0
    poses = [face.pose() for _, face in tracked]
    yaws = np.array([sign * pose.yaw for pose in poses])
    sizes = np.array([pose.eye_distance for pose in poses])
    measures = {"yaw": yaws.round(3).tolist(), "eye_distance": sizes.round(1).tolist()}
    if _landmarks_still(tracked, policy):
        return _fail(Reason.LIVENESS_STILL_IMAGE, **measures)
    start = int(np.argmin(np.abs(yaws[: max(2, len(yaws) // 2)])))
    if abs(yaws[start]) > policy.neutral_yaw:
        return _fail(Reason.LIVENESS_NOT_FACING_FIRST, **measures)
    position, peaks = start, []
    for action in challenge.actions:
        found = _find_action(action, yaws, sizes, start=start, after=position, policy=policy)
        if found is None:
            return _fail(_why_not(action, yaws, start, policy), **measures)
        position = found
        peaks.append(found)
    # the same face: the neutral frame, the frame where the movement was done, and the last one
    chosen = sorted({start, *peaks, len(tracked) - 1})
    embeddings = {}
    for i in chosen:
        number, face = tracked[i]
        embeddings[i] = embed_chip(face_chip(pixels[number], face), flip=(i == start))
    stack = np.stack(list(embeddings.values()))
    measures["same_face_min"] = round(float((stack @ stack.T).min()), 4)
    if measures["same_face_min"] < policy.same_face_threshold:
        return _fail(Reason.LIVENESS_DIFFERENT_FACE, **measures)
    return LivenessResult(passed=True, reason=None, embedding=embeddings[start], measures=measures)


def _find_action(action, yaws, sizes, *, start, after, policy) -> int | None:
    for i in range(after + 1, len(yaws)):
        if action == Action.COME_CLOSER:
            done = sizes[i] >= policy.closer_ratio * sizes[start]
        else:
            direction = 1.0 if action == Action.TURN_LEFT else -1.0
            turn = direction * yaws[i]
            done = turn >= policy.turn_yaw and turn - direction * yaws[start] >= policy.turn_delta
        if done:
            return i
    return None


def _why_not(action, yaws, start, policy) -> Reason:
    if action in (Action.TURN_LEFT, Action.TURN_RIGHT):
        direction = 1.0 if action == Action.TURN_LEFT else -1.0
        if np.min(direction * (yaws[start:] - yaws[start])) <= -policy.turn_delta:
            return Reason.LIVENESS_WRONG_MOTION
    return Reason.LIVENESS_MOTION_NOT_SEEN


def _decode(frames: Sequence[ImageInput]) -> list[np.ndarray]:
    decoded = []
    for frame in frames:
        try:
            decoded.append(load_image(frame))
        except FaceError:
            continue  # a dropped or broken frame counts as missing
    return decoded


def _small_grey(image: np.ndarray) -> np.ndarray:
    step = max(1, max(image.shape[:2]) // 160)
    return image[::step, ::step].astype(np.float32).mean(axis=2)


def _all_same_picture(pixels: list[np.ndarray], policy: LivenessPolicy) -> bool:
    greys = [_small_grey(image) for image in pixels]
    for before, after in zip(greys, greys[1:], strict=False):
        if before.shape != after.shape or np.abs(before - after).mean() >= policy.still_pixel_diff:
            return False
    return True


def _landmarks_still(tracked: list[tuple[int, Face]], policy: LivenessPolicy) -> bool:
    """True when the landmarks, in units of the eye distance, never move: a replayed frame
    re-encoded with camera noise, or a picture fixed in front of the lens."""
    first = tracked[0][1]
    scale = first.pose().eye_distance
    moves = [np.abs(face.landmarks - first.landmarks).max() / scale for _, face in tracked[1:]]
    return max(moves, default=0.0) < policy.still_landmark_motion


def _continuous(faces: list[Face], policy: LivenessPolicy) -> bool:
    for before, after in zip(faces, faces[1:], strict=False):
        jump = np.hypot(after.centre[0] - before.centre[0], after.centre[1] - before.centre[1])
        if jump > policy.max_jump * before.width or not 0.6 < after.width / before.width < 1.6:
            return False
    return True


def _fail(reason: Reason, **measures) -> LivenessResult:
    return LivenessResult(passed=False, reason=reason, measures=measures)
