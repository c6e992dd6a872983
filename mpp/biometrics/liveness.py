"""Active liveness: a random prompt (turn left, turn right, come closer), checked from the
5-point landmarks over a short burst of frames, with the same face in every frame.

What it stops and what it does not: docs/biometrics.md. In short, a printed or on-screen *still*
photo, held still or moved, turned or brought closer, cannot produce the parallax of a head turn
(a flat picture keeps the nose midway between the eyes however it is tilted), and a replayed
single frame shows no change at all. A *sequence* of photos (frontal, then turned) is refused
by continuity: the head must move smoothly from frame to frame (no jump in yaw, face box or
size), pass through intermediate poses, and stay the same person in every frame. A video of
the person doing the right movement, a 3D mask or a deepfake injected into the camera stream
are NOT stopped by this check.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from . import engine
from .detection import Face, detect_faces
from .embedding import model_get
from .images import ImageInput, load_image
from .matching import thresholds_for
from .quality import subject_face
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


# Set on dev bursts (47 LFW identities with 2–3 images): genuine turns scored at most 191,
# screen replays at least 327 (docs/benchmarks.md, issue 12 third round).
MOIRE_THRESHOLD = 260.0
MOIRE_CROP = 2.0  # the square examined, in face widths


@dataclass(frozen=True)
class LivenessPolicy:
    """min_frames: frames sent; min_face_share: share of them with the subject's face.
    Yaw as in detection.Pose: a real 30° head turn gives ~0.18, a flat photo ~0 however held.
    still_pixel_diff: mean absolute grey difference below which two frames are the same picture.
    Continuity, between consecutive frames with a face (the kiosk sends 16 frames 150 ms
    apart): the face centre moves at most `max_jump` face widths, its width changes at most by
    `max_size_step`, yaw by at most `max_yaw_step`; during the turn at least `min_turn_levels`
    intermediate poses `level_gap` apart are seen (a two-photo sequence must jump by at least
    `turn_delta` > `max_yaw_step`). same_face: each frame's embedding against the previous
    frame's (default: the model's duplicate-review threshold): a face swapped in mid-burst
    breaks the chain, a head turning does not. min_turn_eye_ratio: where the turn is first
    seen (~25°) the eye distance may shrink at most to this share of the frontal one (a real head:
    cos 25° ≈ 0.9); a print tilted in the hand far enough to fool the landmarks shrinks more.
    isolated_step / isolated_ratio: a yaw step of at least `isolated_step` that is more than
    `isolated_ratio` times the larger of the steps just before and after it is a picture being
    swapped (a head accelerates and slows down; a sequence of photos holds still, then jumps);
    with `isolated_until_done` only the steps up to the frame that completes the challenge.
    size_by_eyes_too: a size jump needs the eye distance to change as much as the box (the
    detector's boxes come in steps of its scale pyramid, ×1.2: a steady face can jump ×1.44).
    spoof_threshold: refuse when the median passive
    presentation-attack score of the frames reaches it (None: measured and logged, not used).
    moire_threshold: refuse when the median moiré score (`moire_scores`) of the same frames
    reaches it (a screen re-shot by the camera); None: measured and logged, not used.
    """

    min_frames: int = 6
    min_face_share: float = 0.6
    neutral_yaw: float = 0.08
    turn_yaw: float = 0.15
    turn_delta: float = 0.12
    closer_ratio: float = 1.2
    still_pixel_diff: float = 1.0
    still_landmark_motion: float = 0.02
    max_jump: float = 0.3
    max_size_step: float = 1.25
    max_yaw_step: float = 0.11
    min_turn_levels: int = 2
    level_gap: float = 0.025
    min_turn_eye_ratio: float = 0.82
    isolated_step: float = 0.07
    isolated_ratio: float = 3.0
    isolated_until_done: bool = True  # False: every step judged (the third round's rule)
    size_by_eyes_too: bool = True  # False: the box alone decides a size jump (third round)
    other_face_ratio: float = 0.7
    same_face: float | None = None
    spoof_threshold: float | None = None
    moire_threshold: float | None = MOIRE_THRESHOLD
    mirrored: bool = False  # True if the frames were mirrored before they reached us
    model_id: str | None = None


DEFAULT_POLICY = LivenessPolicy()


@dataclass(frozen=True)
class LivenessResult:
    """`embedding` is from the most frontal frame of the burst, or the quality-weighted
    fusion of the burst's frontal frames when `fuse` was asked: verify *that* against the
    claimed identity's template, so the face checked is the face that moved."""

    passed: bool
    reason: Reason | None
    embedding: np.ndarray | None = field(default=None, repr=False)
    measures: dict = field(default_factory=dict)


def liveness_check(
    frames: Sequence[ImageInput],
    challenge: Challenge,
    *,
    policy: LivenessPolicy = DEFAULT_POLICY,
    fuse: bool = True,
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
        if not faces:
            continue
        face = _follow(faces, image, tracked[-1][1] if tracked else None)
        if any(
            f is not face
            and f.width >= policy.other_face_ratio * face.width
            and not _overlaps(f, face)
            for f in faces
        ):
            return _fail(Reason.MULTIPLE_FACES, frame=number)
        tracked.append((number, face))
    if len(tracked) < max(policy.min_face_share * len(pixels), 2):
        return _fail(Reason.NO_FACE, face_frames=len(tracked), frames=len(pixels))
    until = _completed(tracked, challenge, policy) if policy.isolated_until_done else None
    jump = _discontinuity(tracked, policy, until=until)
    if jump:
        return _fail(Reason.LIVENESS_JUMP, jump=jump)
    return _judge_motion(pixels, tracked, challenge, policy, fuse=fuse)


def _overlaps(a: Face, b: Face) -> bool:
    """Two detections of one head (boxes overlapping by more than a third), not two people."""
    width = max(0, min(a.right, b.right) - max(a.left, b.left))
    height = max(0, min(a.bottom, b.bottom) - max(a.top, b.top))
    smaller = min(a.width * (a.bottom - a.top), b.width * (b.bottom - b.top)) or 1
    return width * height / smaller > 1 / 3


def _follow(faces: list[Face], image: np.ndarray, previous: Face | None) -> Face:
    """The subject: in the first frame the crowd rule's choice, then the face nearest to where
    the subject was (a person walking behind does not take over)."""
    if previous is None:
        return subject_face(faces, image)
    px, py = previous.centre
    return min(faces, key=lambda f: np.hypot(f.centre[0] - px, f.centre[1] - py))


def _completed(tracked: list[tuple[int, Face]], challenge: Challenge, policy) -> int | None:
    """The index (in `tracked`) of the frame where the challenge's last action is first seen
    done, or None when it is not (then `_judge_motion` says why)."""
    sign = -1.0 if policy.mirrored else 1.0
    poses = [face.pose() for _, face in tracked]
    yaws = np.array([sign * pose.yaw for pose in poses])
    sizes = np.array([pose.eye_distance for pose in poses])
    start = int(np.argmin(np.abs(yaws[: max(2, len(yaws) // 2)])))
    position = start
    for action in challenge.actions:
        found = _find_action(action, yaws, sizes, start=start, after=position, policy=policy)
        if found is None:
            return None
        position = found
    return position


def _discontinuity(
    tracked: list[tuple[int, Face]], policy: LivenessPolicy, *, until: int | None = None
) -> str:
    """Why the head did not move continuously between consecutive frames ("" if it did).
    `until`: the frame completing the challenge; the isolated-step rule stops there."""
    for (n0, before), (n1, after) in zip(tracked, tracked[1:], strict=False):
        gap = n1 - n0  # frames without a face in between allow proportionally more
        moved = np.hypot(after.centre[0] - before.centre[0], after.centre[1] - before.centre[1])
        if moved > policy.max_jump * gap * before.width:
            return f"box moved {moved / before.width:.2f} widths at frame {n1}"
        limit = policy.max_size_step**gap
        ratio = after.width / max(before.width, 1)
        eyes = after.pose().eye_distance / max(before.pose().eye_distance, 1e-6)
        # dlib's boxes jump between pyramid scales (×1.2 steps) on a steady face; the eye
        # distance is continuous but noisy and shrinks with yaw: a real jump moves both
        if not 1 / limit <= ratio <= limit and (
            not policy.size_by_eyes_too or not 1 / limit <= eyes <= limit
        ):
            return f"size changed x{ratio:.2f} (eyes x{eyes:.2f}) at frame {n1}"
        step = abs(after.pose().yaw - before.pose().yaw)
        if step > policy.max_yaw_step * gap:
            return f"yaw jumped {step:.2f} at frame {n1}"
    return _isolated_step(tracked, policy, until=until)


def _isolated_step(
    tracked: list[tuple[int, Face]], policy: LivenessPolicy, *, until: int | None = None
) -> str:
    """A yaw step with (nearly) still frames on both sides: the pose changed in one frame
    and nowhere else, as when the next photo of a sequence is held up. A real head speeds up
    and slows down, so a large step has large steps next to it.
    Only steps up to `until` (the frame completing the challenge) are judged: the poses that
    prove the turn are before it, and a head that has turned far enough may settle abruptly
    (issue 12, fourth round: a dev genuine turn refused for a step of 0.08 *after* reaching
    the requested yaw). A photo swap that completes the turn is at or before `until`."""
    numbers = [n for n, _ in tracked]
    yaws = np.array([face.pose().yaw for _, face in tracked])
    steps = (np.abs(np.diff(yaws)) / np.diff(numbers)).tolist()
    last = len(steps) if until is None else until  # steps[i] leads into frame i + 1
    for i, step in enumerate(steps[:last]):
        if step < policy.isolated_step:
            continue
        around = max(steps[max(i - 1, 0) : i] + steps[i + 1 : i + 2], default=0.0)
        if step > policy.isolated_ratio * around:
            return f"yaw stepped {step:.2f} alone at frame {numbers[i + 1]}"
    return ""


def _judge_motion(pixels, tracked, challenge, policy, *, fuse: bool) -> LivenessResult:
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
        if action != Action.COME_CLOSER:
            base = _turn_base(yaws, position if peaks else 0, found, action, policy)
            levels = _levels(yaws[base : found + 1], yaws[base], yaws[found], policy)
            measures["turn_levels"] = levels
            if levels < policy.min_turn_levels:
                return _fail(Reason.LIVENESS_JUMP, jump="no intermediate poses", **measures)
            measures["turn_eye_ratio"] = round(float(sizes[found] / sizes[start]), 3)
            if measures["turn_eye_ratio"] < policy.min_turn_eye_ratio:
                # flat picture tilted in the hand: it shrinks, a head turning does not (much)
                return _fail(Reason.LIVENESS_MOTION_NOT_SEEN, **measures)
        position = found
        peaks.append(found)
    model = model_get(policy.model_id)
    same_face = policy.same_face
    if same_face is None:
        same_face = thresholds_for(model.id).duplicate
    # the same person throughout: each frame's embedding against the previous frame's
    embeddings = [
        model.embed_face(pixels[number], face, flip=(i == start))
        for i, (number, face) in enumerate(tracked)
    ]
    stack = np.stack(embeddings)
    similarity = (stack[1:] * stack[:-1]).sum(axis=1)
    measures["same_face_min"] = round(float(similarity.min()), 4)
    if measures["same_face_min"] < same_face:
        return _fail(Reason.LIVENESS_IDENTITY_CHANGED, **measures)
    # the passive score on the neutral, turned and last frames (a measure; used if configured)
    judged = [tracked[i] for i in sorted({start, *peaks, len(tracked) - 1})]
    spoof = spoof_scores(pixels, judged)
    measures["spoof_median"] = round(float(np.median(spoof)), 4)
    measures["moire_median"] = round(float(np.median(moire_scores(pixels, judged))), 1)
    if policy.spoof_threshold is not None and measures["spoof_median"] >= policy.spoof_threshold:
        return _fail(Reason.LIVENESS_PRESENTATION_ATTACK, **measures)
    if policy.moire_threshold is not None and measures["moire_median"] >= policy.moire_threshold:
        return _fail(Reason.LIVENESS_PRESENTATION_ATTACK, **measures)
    embedding = embeddings[start]
    if fuse:
        embedding = _fused(embeddings, yaws, tracked, policy)
    return LivenessResult(passed=True, reason=None, embedding=embedding, measures=measures)


def _fused(embeddings, yaws, tracked, policy) -> np.ndarray:
    """The quality-weighted template of the burst's near-frontal frames (verification)."""
    from .matching import template_fuse

    frontal = [i for i, yaw in enumerate(yaws) if abs(yaw) <= policy.neutral_yaw]
    weights = [
        max(0.1, 1.0 - abs(yaws[i]) / 0.35) * min(1.0, tracked[i][1].width / 120) for i in frontal
    ]
    return template_fuse([embeddings[i] for i in frontal], weights)


def _turn_base(yaws: np.ndarray, begin: int, found: int, action: Action, policy) -> int:
    """The frame where the turn really started: of the neutral-zone frames before the peak
    (from `begin`, the burst's start for the first turn), the one furthest from the side
    turned to. A head often sways across straight ahead before it turns; counting the poses
    from the most frontal frame instead misses those it passed through. Only frames from
    there on count, so a photo's jitter before it is not taken for a pose."""
    direction = 1.0 if action == Action.TURN_LEFT else -1.0
    neutral = [i for i in range(begin, found + 1) if abs(yaws[i]) <= policy.neutral_yaw]
    return min(neutral, key=lambda i: direction * yaws[i], default=begin)


def _levels(segment: np.ndarray, start: float, peak: float, policy) -> int:
    """How many distinct intermediate poses (at least `level_gap` apart) lie strictly between
    the neutral and the turned pose: a real turn passes through several, a sequence of two or
    three photos through none or one."""
    low, high = sorted((start, peak))
    inner = sorted(v for v in segment if low + policy.level_gap <= v <= high - policy.level_gap)
    levels, last = 0, None
    for value in inner:
        if last is None or value - last >= policy.level_gap:
            levels, last = levels + 1, value
    return levels


def spoof_scores(pixels: list[np.ndarray], tracked: list[tuple[int, Face]]) -> np.ndarray:
    """The passive presentation-attack score (FaceAntiSpoofing.tflite, higher = more likely a
    photo or screen; the package it ships in treats < 0.2 as live) of each tracked face."""
    from PIL import Image

    network = engine.antispoofing()
    scores = []
    for number, face in tracked:
        image = pixels[number]
        height, width = image.shape[:2]
        box = (
            max(face.left, 0),
            max(face.top, 0),
            min(face.right, width),
            min(face.bottom, height),
        )
        crop = Image.fromarray(image).crop(box).resize((256, 256), Image.Resampling.BILINEAR)
        batch = (np.asarray(crop, dtype=np.float32) / 255.0)[None]
        out = network.run(batch)
        classes, mask = out["Identity"][0], out["Identity_1"][0]
        scores.append(float(np.sum(np.abs(classes) * mask)))
    return np.array(scores)


def moire_scores(pixels: list[np.ndarray], tracked: list[tuple[int, Face]]) -> np.ndarray:
    """How far one spatial frequency stands out around each tracked face: in the grey pixels
    of a square twice the face's width, the strongest magnitude of the windowed spectrum
    between 0.08 and 0.45 cycles per pixel over the median magnitude there, leaving out the
    frequencies of JPEG's 8-pixel blocks. A screen filmed by a camera often shows the
    interference of its pixel grid with the sensor's (moiré): one sharp peak. Skin, hair and
    camera noise spread their energy; a screen re-shot without visible moiré (defocused, far,
    a very fine pitch) scores like a face, so this stops only the replays that show it."""
    scores = []
    for number, face in tracked:
        grey = _around(pixels[number], face, MOIRE_CROP)
        if min(grey.shape) < 32:
            scores.append(0.0)
            continue
        grey = (grey - grey.mean()) * np.outer(np.hanning(grey.shape[0]), np.hanning(grey.shape[1]))
        spectrum = np.abs(np.fft.rfft2(grey))
        fy = np.abs(np.fft.fftfreq(grey.shape[0]))[:, None]
        fx = np.fft.rfftfreq(grey.shape[1])[None, :]
        radius = np.hypot(fy, fx)
        wanted = (radius > 0.08) & (radius < 0.45)
        wanted &= ~(_on_block_grid(fy, grey.shape[0]) | _on_block_grid(fx, grey.shape[1]))
        band = spectrum[wanted]
        scores.append(float(band.max() / max(float(np.median(band)), 1e-6)))
    return np.array(scores)


def _around(image: np.ndarray, face: Face, scale: float) -> np.ndarray:
    height, width = image.shape[:2]
    cx, cy = face.centre
    half = face.width * scale / 2
    crop = image[
        max(int(cy - half), 0) : min(int(cy + half), height),
        max(int(cx - half), 0) : min(int(cx + half), width),
    ].astype(np.float32)
    return crop.mean(axis=2) if crop.ndim == 3 else crop


def _on_block_grid(frequency: np.ndarray, size: int) -> np.ndarray:
    """Frequencies within 1.5 bins of a multiple of 1/8 cycle per pixel (JPEG's blocks)."""
    return np.abs(frequency * 8 - np.round(frequency * 8)) < 1.5 * 8 / size


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


def _fail(reason: Reason, **measures) -> LivenessResult:
    return LivenessResult(passed=False, reason=reason, measures=measures)
