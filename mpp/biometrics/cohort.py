"""Cohort score normalisation (AS-norm) for 1:1 verification.

A raw cosine score means different things for different faces: MobileFaceNet puts East and
Southeast Asian faces closer together than Western ones, so one raw threshold accepted ~80×
more Asian impostors than Western ones (docs/decisions/0042). AS-norm (adaptive symmetric
normalisation) measures how close each face already is to a fixed cohort of other people's
faces and expresses the score in those terms:

    s' = ½ ((s − μa) / σa + (s − μb) / σb)

where μa, σa are the mean and standard deviation of a's `top` highest scores against the
cohort (likewise for b). A face that resembles many people (high μ) needs a higher raw score.
The cohort is a model artefact: the embeddings of LFW *development* identities (≤ 3 images,
East/Southeast Asian and Western-named in equal numbers), vendored in models/ with a SHA-256
checked at load (engine.COHORT_FILES) and rebuilt by scripts/face_cohort.py.

So that thresholds stay numbers between −1 and 1 like every other face threshold (and the
FACE_THRESHOLDS setting), s' is reported on the cohort's cosine scale: c = m + d·s', with m and
d the mean of the cohort's own μ and σ (a fixed affine map: the same decisions as s').
1:N search (identify, duplicate review) stays on raw cosine: it is exact (decision 0039).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from . import engine

TOP = 100  # cohort scores per face (chosen on the dev identities: 25–400 all gave ratio ~1)


@dataclass(frozen=True)
class Cohort:
    """`vectors`: N×d unit embeddings of the cohort; `owners`: an identity label per row (used
    only by evaluation, to leave a face's own identity out when it is itself in the cohort)."""

    vectors: np.ndarray = field(repr=False)
    owners: np.ndarray = field(repr=False)
    top: int = TOP
    scale: tuple[float, float] = (0.0, 1.0)

    @classmethod
    def of(cls, vectors: np.ndarray, owners, *, top: int = TOP) -> Cohort:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        owners = np.asarray(owners)
        if vectors.ndim != 2 or len(vectors) != len(owners):
            raise ValueError("cohort: one owner per vector row needed")
        if len(vectors) <= top:
            raise ValueError(f"cohort: {len(vectors)} vectors, need more than top={top}")
        plain = cls(vectors, owners, top, (0.0, 1.0))
        mu, sigma = plain.stats(vectors, exclude=owners)
        return cls(vectors, owners, top, (float(mu.mean()), float(sigma.mean())))

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1])

    def stats(self, faces: np.ndarray, *, exclude=None) -> tuple[np.ndarray, np.ndarray]:
        """(μ, σ) of each face's `top` highest cohort scores. `exclude` (evaluation on the
        cohort's own data set): per face, an owner label or a tuple of them whose cohort rows
        are left out: its own identity and, for a pair, the other face's, since in use neither
        the citizen nor the person claiming to be them is in the cohort."""
        faces = np.atleast_2d(np.asarray(faces, dtype=np.float32))
        scores = faces @ self.vectors.T
        if exclude is not None:
            labels = np.asarray(exclude, dtype=self.owners.dtype if self.owners.size else str)
            labels = labels.reshape(len(faces), -1)
            for column in labels.T:
                scores[column[:, None] == self.owners[None, :]] = -np.inf
        top = -np.partition(-scores, self.top - 1, axis=1)[:, : self.top]
        return top.mean(axis=1), np.maximum(top.std(axis=1), 1e-6)

    def normalise(self, raw, stats_a, stats_b) -> np.ndarray:
        """AS-norm of raw scores, on the cohort's cosine scale (see the module docstring)."""
        (mu_a, sd_a), (mu_b, sd_b) = stats_a, stats_b
        z = 0.5 * ((raw - mu_a) / sd_a + (raw - mu_b) / sd_b)
        return self.scale[0] + self.scale[1] * z

    def score(self, a: np.ndarray, b: np.ndarray) -> float:
        """The normalised score of two unit embeddings of the cohort's model."""
        a = np.asarray(a, dtype=np.float32)
        b = np.asarray(b, dtype=np.float32)
        mu, sd = self.stats(np.stack([a, b]))
        return float(self.normalise(float(a @ b), (mu[0], sd[0]), (mu[1], sd[1])))

    def matrix(self, faces: np.ndarray, owners=None, *, chunk: int = 4096) -> np.ndarray:
        """Normalised scores of every pair of `faces`. With `owners` (evaluation), each pair's
        two identities are left out of both faces' cohort statistics (see `stats`)."""
        faces = np.asarray(faces, dtype=np.float32)
        raw = faces @ faces.T
        if owners is None:
            mu, sd = self.stats(faces)
            return self.normalise(raw, (mu[:, None], sd[:, None]), (mu[None, :], sd[None, :]))
        owners = np.asarray(owners)
        out = np.empty_like(raw)
        rows, columns = np.triu_indices(len(faces))
        for begin in range(0, len(rows), chunk):
            a, b = rows[begin : begin + chunk], columns[begin : begin + chunk]
            both = np.stack([owners[a], owners[b]], axis=1)
            stats_a = self.stats(faces[a], exclude=both)
            stats_b = self.stats(faces[b], exclude=both)
            values = self.normalise(raw[a, b], stats_a, stats_b)
            out[a, b] = values
            out[b, a] = values
        return out


_lock = threading.Lock()


@cache
def cohort_for(model_id: str) -> Cohort | None:
    """The vendored cohort of a model (None: that model's scores are raw cosine). The files'
    SHA-256 is checked (engine.ModelFileError when missing or altered)."""
    names = engine.COHORTS.get(model_id)
    if names is None:
        return None
    vectors_name, owners_name = names
    with _lock:
        vectors = np.load(engine.model_path(vectors_name), allow_pickle=False)
        owners = engine.model_path(owners_name).read_text().split()
    return Cohort.of(vectors, owners)


__all__ = ["TOP", "Cohort", "cohort_for"]
