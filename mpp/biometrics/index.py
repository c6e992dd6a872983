"""Matching index for 1:N: an exact float32 matrix searched with one matrix-vector product.

Measured (bench/face.py, docs/decisions/0012 and 0014): 1,000,000 192-d templates take 768 MiB;
a top-10 search stays inside the 30 ms budget on one core, so no approximate index is used.
Keys are integers (a database primary key); a key may hold several templates, and results
carry each key once, with its best score.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .embedding import DIMENSIONS, normalise
from .matching import DUPLICATE_THRESHOLD, IDENTIFY_MARGIN, IDENTIFY_THRESHOLD


@dataclass(frozen=True)
class Candidate:
    key: int
    score: float


class TemplateIndex:
    """Exact cosine search over unit-length templates held in one growable float32 matrix."""

    def __init__(self, capacity: int = 1024, *, dimensions: int = DIMENSIONS):
        self.dimensions = dimensions
        self._vectors = np.empty((max(capacity, 1), dimensions), dtype=np.float32)
        self._keys = np.empty(max(capacity, 1), dtype=np.int64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        """Memory held by the matrix and keys (allocated capacity, not just the rows in use)."""
        return self._vectors.nbytes + self._keys.nbytes

    def add(self, key: int, template: np.ndarray) -> None:
        self.add_many(np.array([key]), np.asarray(template)[None, :])

    def add_many(self, keys: np.ndarray, templates: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        templates = np.asarray(templates, dtype=np.float32)
        if templates.shape[-1] != self.dimensions:
            raise ValueError(
                f"templates of {templates.shape[-1]} values, index holds {self.dimensions}"
            )
        templates = normalise(templates.reshape(-1, self.dimensions))
        if len(keys) != len(templates):
            raise ValueError("one key per template")
        self._reserve(self._size + len(keys))
        end = self._size + len(keys)
        self._vectors[self._size : end] = templates
        self._keys[self._size : end] = keys
        self._size = end

    def remove(self, key: int) -> int:
        """Remove every template of `key` (e.g. on deletion or re-enrolment); returns how many."""
        keep = self._keys[: self._size] != key
        removed = self._size - int(keep.sum())
        if removed:
            kept = int(keep.sum())
            self._vectors[:kept] = self._vectors[: self._size][keep]
            self._keys[:kept] = self._keys[: self._size][keep]
            self._size = kept
        return removed

    def search(
        self, query: np.ndarray, k: int = 10, *, exclude: int | None = None
    ) -> list[Candidate]:
        """The `k` best keys for one query, best first."""
        if self._size == 0 or k <= 0:
            return []
        scores = self._vectors[: self._size] @ normalise(query).astype(np.float32)
        keys = self._keys[: self._size]
        if exclude is not None:
            scores = np.where(keys == exclude, -np.inf, scores)
        wanted = min(self._size, 2 * k + 8)  # room for keys with several templates
        rows = np.argpartition(scores, -wanted)[-wanted:]
        rows = rows[np.argsort(-scores[rows])]
        results: dict[int, float] = {}
        for row in rows:
            if np.isfinite(scores[row]):
                results.setdefault(int(keys[row]), float(scores[row]))
            if len(results) == k:
                break
        return [Candidate(key, score) for key, score in results.items()]

    def _reserve(self, size: int) -> None:
        if size <= len(self._keys):
            return
        capacity = max(size, 2 * len(self._keys))
        vectors = np.empty((capacity, self.dimensions), dtype=np.float32)
        keys = np.empty(capacity, dtype=np.int64)
        vectors[: self._size] = self._vectors[: self._size]
        keys[: self._size] = self._keys[: self._size]
        self._vectors, self._keys = vectors, keys


class Outcome(StrEnum):
    MATCH = "match"
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Identification:
    outcome: Outcome
    candidate: Candidate | None
    runner_up: Candidate | None

    @property
    def key(self) -> int | None:
        return self.candidate.key if self.outcome == Outcome.MATCH else None


def identify(
    index: TemplateIndex,
    probe: np.ndarray,
    *,
    threshold: float = IDENTIFY_THRESHOLD,
    margin: float = IDENTIFY_MARGIN,
) -> Identification:
    """1:N over a *small* candidate set: a match only when the best key scores at least
    `threshold` and beats the second key by `margin`. The caller shows the masked name and
    the citizen confirms; never use it as the only check."""
    best, *rest = index.search(probe, k=2) or [None]
    runner_up = rest[0] if rest else None
    if best is None or best.score < threshold:
        return Identification(Outcome.NO_MATCH, best, runner_up)
    if runner_up is not None and best.score - runner_up.score < margin:
        return Identification(Outcome.AMBIGUOUS, best, runner_up)
    return Identification(Outcome.MATCH, best, runner_up)


def duplicate_candidates(
    index: TemplateIndex,
    template: np.ndarray,
    *,
    exclude: int | None = None,
    k: int = 10,
    threshold: float = DUPLICATE_THRESHOLD,
) -> list[Candidate]:
    """Enrolled keys whose face resembles `template` (other than `exclude`, the citizen being
    enrolled), best first, for an officer to review. Never an automatic decision."""
    return [c for c in index.search(template, k=k, exclude=exclude) if c.score >= threshold]
