"""Alignment and embeddings. Three models, chosen by id (a template records its model's id and is
only ever compared with embeddings of the same model):

- MobileFaceNet on ONet landmarks (default, `engine.MOBILEFACENET_ONET`): 192-d; MTCNN's ONet
  finds 5 landmarks (eye centres, nose tip, mouth corners) in dlib's face box, twice (the second
  time in the box ONet corrected), and a similarity transform of all 5 onto the ArcFace 112×112
  template warps the face; pixels scaled (x − 127.5) / 128. Chosen on LFW View 1
  (docs/decisions/0049).
- MobileFaceNet on dlib's landmarks (`engine.MOBILEFACENET`): the same network on a chip aligned
  by dlib's eye centres and nose base (docs/decisions/0014); kept for its templates and the
  comparison.
- dlib ResNet (`engine.DLIB_RESNET`): 128-d on dlib's 150×150 face chip; the first model.

Both embed the chip and its mirror image and average them (test-time augmentation); every
embedding is unit length, compared by cosine similarity.
"""

from __future__ import annotations

from dataclasses import dataclass

import dlib
import numpy as np
from PIL import Image

from . import engine
from .detection import Face

CHIP_SIZE = 150
CHIP_PADDING = 0.25
DLIB_DIMENSIONS = 128
MFN_DIMENSIONS = 192
MFN_SIZE = 112
# ArcFace's 112×112 template: eye centres (image-left, image-right) and, for dlib's nose-base
# point (below the tip the ArcFace template uses), a point tuned on LFW View 1 (DevTrain).
ARCFACE_EYES = np.array([[38.2946, 51.6963], [73.5318, 51.5014]])
NOSE_BASE = np.array([56.02, 78.0])
# The whole ArcFace template: eye centres, nose tip, mouth corners (image-left first).
ARCFACE_FIVE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ]
)
ONET_SIZE = 48


def face_chip(image: np.ndarray, face: Face) -> np.ndarray:
    """dlib's 150×150 chip around the 5 landmarks (the quality gate measures it)."""
    return dlib.get_face_chip(image, face.shape, size=CHIP_SIZE, padding=CHIP_PADDING)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale to unit length along the last axis (float32)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def embed_chip(chip: np.ndarray, *, flip: bool = True) -> np.ndarray:
    """The unit-length dlib ResNet embedding of a dlib chip (with its mirror image if `flip`)."""
    recognizer = engine.recognizer()
    if flip:
        mirrored = np.ascontiguousarray(chip[:, ::-1])
        vectors = np.array(recognizer.compute_face_descriptor([chip, mirrored]), dtype=np.float32)
        vector = vectors.mean(axis=0)
    else:
        vector = np.array(recognizer.compute_face_descriptor(chip), dtype=np.float32)
    return normalise(vector)


def similarity_transform(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 2×3 least-squares similarity (rotation, uniform scale, shift) taking source points
    onto target points (Umeyama's method without reflection)."""
    source, target = np.asarray(source, float), np.asarray(target, float)
    mean_s, mean_t = source.mean(axis=0), target.mean(axis=0)
    s, t = source - mean_s, target - mean_t
    covariance = t.T @ s / len(source)
    u, d, vt = np.linalg.svd(covariance)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rotation = u @ sign @ vt
    scale = np.trace(np.diag(d) @ sign) / max(s.var(axis=0).sum(), 1e-12)
    matrix = np.zeros((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = mean_t - matrix[:, :2] @ mean_s
    return matrix


def _warp(image: np.ndarray, source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 112×112 chip in which the source points land on the target points."""
    forward = np.vstack([similarity_transform(source, target), [0, 0, 1]])
    inverse = np.linalg.inv(forward)[:2].ravel()
    warped = Image.fromarray(image).transform(
        (MFN_SIZE, MFN_SIZE), Image.Transform.AFFINE, tuple(inverse), Image.Resampling.BILINEAR
    )
    return np.asarray(warped)


def arcface_chip(image: np.ndarray, face: Face) -> np.ndarray:
    """The face warped onto the ArcFace 112×112 template by dlib's eyes and nose base."""
    points = face.landmarks
    image_right_eye = (points[0] + points[1]) / 2
    image_left_eye = (points[2] + points[3]) / 2
    source = np.array([image_left_eye, image_right_eye, points[4]])
    target = np.array([ARCFACE_EYES[0], ARCFACE_EYES[1], NOSE_BASE])
    return _warp(image, source, target)


def _square(left: float, top: float, right: float, bottom: float) -> tuple[float, ...]:
    """The square box of the longer side around the same centre (ONet's input is square)."""
    side = max(right - left, bottom - top)
    x, y = (left + right) / 2, (top + bottom) / 2
    return (x - side / 2, y - side / 2, x + side / 2, y + side / 2)


def onet_step(image: np.ndarray, box: tuple[float, ...]) -> tuple[np.ndarray, tuple[float, ...]]:
    """ONet on one square box: the 5 landmarks (image-left eye, image-right eye, nose tip,
    image-left and image-right mouth corner) and the box ONet corrected, in image pixels."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    scale = (width / ONET_SIZE, 0, left, 0, height / ONET_SIZE, top)
    crop = Image.fromarray(image).transform(
        (ONET_SIZE, ONET_SIZE), Image.Transform.AFFINE, scale, Image.Resampling.BILINEAR
    )
    pixels = (np.asarray(crop, dtype=np.float32) - 127.5) / 128.0
    # MTCNN's networks were trained on column-major images (Caffe): x and y swapped
    batch = np.ascontiguousarray(pixels.transpose(1, 0, 2)[None])
    outputs = engine.onet().run(batch)
    marks = next(v for k, v in outputs.items() if "conv6-3" in k)[0]
    shift = next(v for k, v in outputs.items() if "conv6-2" in k)[0]
    points = np.stack([left + marks[:5] * width, top + marks[5:] * height], axis=1)
    corrected = (
        left + shift[0] * width,
        top + shift[1] * height,
        right + shift[2] * width,
        bottom + shift[3] * height,
    )
    return points.astype(np.float64), corrected


def onet_landmarks(image: np.ndarray, face: Face) -> np.ndarray:
    """ONet's 5 landmarks for a dlib face: a first pass on dlib's (tighter) box gives the box
    ONet was trained to see; the landmarks come from a second pass on that box."""
    _, corrected = onet_step(image, _square(face.left, face.top, face.right, face.bottom))
    points, _ = onet_step(image, _square(*corrected))
    return points


def onet_chip(image: np.ndarray, face: Face) -> np.ndarray:
    """The face warped onto the whole ArcFace 112×112 template by ONet's 5 landmarks."""
    return _warp(image, onet_landmarks(image, face), ARCFACE_FIVE)


@dataclass(frozen=True)
class FaceModel:
    """An embedding model: `id` (stored with templates), its dimension, its chip and network."""

    id: str
    dimensions: int

    def chip(self, image: np.ndarray, face: Face) -> np.ndarray:
        if self.id == engine.DLIB_RESNET:
            return face_chip(image, face)
        if self.id == engine.MOBILEFACENET:
            return arcface_chip(image, face)
        return onet_chip(image, face)

    def embed(self, chip: np.ndarray, *, flip: bool = True) -> np.ndarray:
        """Unit-length embedding of one chip made by `self.chip`."""
        if self.id == engine.DLIB_RESNET:
            return embed_chip(chip, flip=flip)
        network = engine.mobilefacenet()
        pixels = (chip.astype(np.float32) - 127.5) / 128.0
        # the network takes a batch of two: the chip and its mirror image in one pass
        batch = np.stack([pixels, pixels[:, ::-1]]).astype(np.float32)
        vectors = normalise(next(iter(network.run(batch).values())))
        return normalise(vectors.mean(axis=0) if flip else vectors[0])

    def embed_face(self, image: np.ndarray, face: Face, *, flip: bool = True) -> np.ndarray:
        return self.embed(self.chip(image, face), flip=flip)


MODELS = {
    engine.MOBILEFACENET_ONET: FaceModel(engine.MOBILEFACENET_ONET, MFN_DIMENSIONS),
    engine.MOBILEFACENET: FaceModel(engine.MOBILEFACENET, MFN_DIMENSIONS),
    engine.DLIB_RESNET: FaceModel(engine.DLIB_RESNET, DLIB_DIMENSIONS),
}
DIMENSIONS = MODELS[engine.MODEL_ID].dimensions


def model_get(model_id: str | None = None) -> FaceModel:
    """The model with this id (the default model when None); KeyError names unknown ids."""
    try:
        return MODELS[model_id or engine.MODEL_ID]
    except KeyError:
        raise KeyError(f"unknown face model {model_id!r}; known: {', '.join(MODELS)}") from None
