"""Simulated camera bursts from real photographs, for measuring liveness (APCER / BPCER per
ISO/IEC 30107-3 terms) without a camera: bench/face.py, the tests and `docs/biometrics.md`.

Genuine: `burst_turn` — a person facing the camera, then turning their head, as a continuous
16-frame burst. No video of real head turns ships with the project, so the turn is *synthesised*
from two real photos of one person (frontal, turned; the turned one aligned onto the frontal
one by its landmarks): each in-between frame warps both photos to
landmarks interpolated between the two poses (a smooth radial-basis warp of the 5 landmarks)
and cross-dissolves them, with a pixel or two of natural sway. It stands in for a live person;
it is not one.

Attacks (presentation attack instruments built from the same photos):
- `burst_still`: one photo as the whole burst (a frozen camera or a photo fixed to the lens);
- `burst_print`: a print held up and moved, tilted, brought closer;
- `burst_sequence`: two or three photos shown one after another (frontal, [half-turned,] turned);
- `screen_replay`: any burst re-shot from a screen (down-sampled, gamma, moiré, re-encoded).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .detection import detect_faces

WIDTH, HEIGHT = 640, 480
FACE_SIDE = 300  # the photo's side on the canvas (LFW's 250 px photos hold a ~110 px face)


def canvas_of(photo: Image.Image, *, dx: float = 0, dy: float = 0, scale: float = 1.0):
    """A 640×480 camera frame: the photo in front of a plain wall."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), (118, 118, 112))
    side = round(FACE_SIDE * scale)
    resized = photo.convert("RGB").resize((side, side), Image.Resampling.BILINEAR)
    frame.paste(resized, (round(WIDTH / 2 - side / 2 + dx), round(HEIGHT / 2 - side / 2 + dy)))
    return np.asarray(frame)


def jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _landmarks(image: np.ndarray) -> np.ndarray | None:
    faces = detect_faces(image)
    return faces[0].landmarks if faces else None


def _control(points: np.ndarray) -> np.ndarray:
    border = [(x, y) for x in (0, WIDTH / 2, WIDTH - 1) for y in (0, HEIGHT / 2, HEIGHT - 1)]
    border.remove((WIDTH / 2, HEIGHT / 2))
    return np.vstack([points, np.array(border, dtype=float)])


def _warp(image: np.ndarray, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """`image` warped so that its points `source` land on `target`: a Gaussian radial-basis
    displacement field, sampled on a 16-px mesh and applied by Pillow's mesh transform."""
    src, dst = _control(source), _control(target)
    sigma = 90.0

    def kernel(a, b):
        return np.exp(-(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)) / (2 * sigma**2))

    weights = np.linalg.solve(kernel(dst, dst) + 1e-6 * np.eye(len(dst)), src - dst)
    step = 16
    mesh = []
    for y in range(0, HEIGHT, step):
        for x in range(0, WIDTH, step):
            box = (x, y, min(x + step, WIDTH), min(y + step, HEIGHT))
            corners = np.array(
                [(box[0], box[1]), (box[0], box[3]), (box[2], box[3]), (box[2], box[1])], float
            )
            quad = corners + kernel(corners, dst) @ weights
            mesh.append((box, tuple(quad.ravel())))
    warped = Image.fromarray(image).transform(
        (WIDTH, HEIGHT), Image.Transform.MESH, mesh, Image.Resampling.BILINEAR
    )
    return np.asarray(warped)


def _shift(image: np.ndarray, dx: float, dy: float) -> np.ndarray:
    moved = Image.fromarray(image).transform(
        (WIDTH, HEIGHT), Image.Transform.AFFINE, (1, 0, -dx, 0, 1, -dy), Image.Resampling.BILINEAR
    )
    return np.asarray(moved)


def turn_sequence(
    frontal: Image.Image, turned: Image.Image, steps: list[float], *, seed: int = 0
) -> list[np.ndarray] | None:
    """Camera frames (RGB arrays) at each step t of a head turn, 0 = the frontal photo, 1 =
    the turned one, in between both warped to interpolated landmarks and cross-dissolved;
    each frame swayed by a pixel or two. None when a face is not found in either photo."""
    a, b = canvas_of(frontal), canvas_of(turned)
    la, lb = _landmarks(a), _landmarks(b)
    if la is None or lb is None:
        return None
    # the turned photo moved and scaled so the head stays where it was (a head turning does not
    # jump across the frame): a least-squares similarity of its 5 landmarks onto the frontal's
    from .embedding import similarity_transform

    forward = np.vstack([similarity_transform(lb, la), [0, 0, 1]])
    inverse = np.linalg.inv(forward)[:2].ravel()
    b = np.asarray(
        Image.fromarray(b).transform(
            (WIDTH, HEIGHT), Image.Transform.AFFINE, tuple(inverse), Image.Resampling.BILINEAR
        )
    )
    lb = lb @ forward[:2, :2].T + forward[:2, 2]
    rng = np.random.default_rng(seed)
    out = []
    for t in steps:
        target = (1 - t) * la + t * lb
        if t <= 0.0:
            mixed = a
        elif t >= 1.0:
            mixed = b
        else:
            mixed = ((1 - t) * _warp(a, la, target) + t * _warp(b, lb, target)).astype(np.uint8)
        out.append(_shift(mixed, *rng.normal(0, 1.2, 2)))
    return out


def burst_turn(
    frontal: Image.Image, turned: Image.Image, *, frames: int = 16, seed: int = 0
) -> list[bytes] | None:
    """A genuine-like burst: 4 frames facing the camera, a smooth turn over 8, 4 held turned
    (None when a face is not found in either photo)."""
    hold = frames // 4
    steps = frames - 2 * hold
    ts = [0.0] * hold + [(i + 1) / (steps + 1) for i in range(steps)] + [1.0] * hold
    sequence = turn_sequence(frontal, turned, ts, seed=seed)
    return None if sequence is None else [jpeg(frame) for frame in sequence]


def frame_yaw(photo: Image.Image) -> float | None:
    """The yaw (detection.Pose) of the subject's face as the camera frame shows the photo
    (`canvas_of`): what liveness reads, which can differ by 0.02–0.04 from the yaw read on the
    250-px original (issue 12, liveness fourth round). None when no face is found."""
    faces = detect_faces(canvas_of(photo))
    return faces[0].pose().yaw if faces else None


def single_person(photo: Image.Image) -> bool:
    """True when the photo, as placed on the camera frame, shows one face only (LFW photos often
    hold other people, too small to be found in the 250-px original)."""
    return len(detect_faces(canvas_of(photo))) == 1


def burst_still(photo: Image.Image, *, frames: int = 16) -> list[bytes]:
    return [jpeg(canvas_of(photo))] * frames


def burst_print(photo: Image.Image, *, frames: int = 16, seed: int = 0) -> list[bytes]:
    """A print held in the hand: drifting, tilted about the vertical axis up to ~50° (a
    horizontal squeeze), slightly rotated and brought a little closer."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(frames):
        frame = Image.new("RGB", (WIDTH, HEIGHT), (118, 118, 112))
        squeeze = 1.0 - 0.35 * abs(np.sin(i / 3))
        scale = 1.0 + 0.15 * i / frames
        w, h = int(FACE_SIDE * scale * squeeze), int(FACE_SIDE * scale)
        held = photo.convert("RGB").resize((w, h)).rotate(float(rng.uniform(-3, 3)))
        frame.paste(held, (WIDTH // 2 - w // 2 + int(4 * i), HEIGHT // 2 - h // 2))
        out.append(jpeg(np.asarray(frame)))
    return out


def burst_sequence(
    photos: list[Image.Image], *, frames: int = 16, seed: int = 0, sway: float = 3.0
) -> list[bytes]:
    """Photos shown one after another (equal shares of the burst), each held by hand (a few
    pixels of sway): the two- and three-photo attacks."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(frames):
        photo = photos[min(i * len(photos) // frames, len(photos) - 1)]
        dx, dy = rng.normal(0, sway, 2)
        out.append(jpeg(canvas_of(photo, dx=dx, dy=dy)))
    return out


def screen_replay(burst: list[bytes], *, seed: int = 0, moire: float = 6.0) -> list[bytes]:
    """A burst re-shot from a screen: lower resolution, a display gamma and colour cast, a
    faint moiré of the pixel grid (`moire`: its amplitude in grey levels; 0 for a screen
    filmed without it), stronger compression."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    moire = moire * np.sin(xs * 0.9 + ys * 0.35 + rng.uniform(0, 6))[..., None]
    out = []
    for data in burst:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        small = image.resize((WIDTH // 2, HEIGHT // 2), Image.Resampling.BILINEAR)
        pixels = np.asarray(small.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR), float)
        pixels = 255.0 * (pixels / 255.0) ** 0.8 * np.array([0.95, 1.0, 1.08]) + moire
        out.append(jpeg(np.clip(pixels, 0, 255).astype(np.uint8), quality=70))
    return out


__all__ = [
    "burst_print",
    "burst_sequence",
    "burst_still",
    "burst_turn",
    "canvas_of",
    "frame_yaw",
    "screen_replay",
    "single_person",
    "turn_sequence",
]
