"""Matching index for 1:N: exact cosine search, fast through an 8-bit first pass.

Every template is kept twice: in float32 (the exact scores) and as 8-bit codes in a FAISS
scalar-quantizer index (a quarter of the bytes to read per query; faiss-cpu, MIT). A search
scans the codes for a shortlist, scores the shortlist exactly, and then *proves* that no
template outside the shortlist can enter the answer: a template's 8-bit score differs from its
exact score by at most the length of its quantization error (Cauchy-Schwarz, the query being
unit length), and the index keeps the largest such error. When the proof fails (rare: the
shortlist is 8·k + 64 rows), the whole float32 matrix is scanned as before. Results are therefore
those of the exhaustive float32 search (decision 0012, kept by decision 0039; the test compares
them on random and real templates).

Measured (bench/face.py --search-only): 1,000,000 192-d templates take 744 MiB (float32, keys,
errors) + 183 MiB of codes; a top-10 search costs ~2.7× less CPU than the float32 scan.
Keys are integers (a database primary key); a key may hold several templates, and results
carry each key once, with its best score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import faiss
import numpy as np

from .embedding import DIMENSIONS, normalise
from .matching import DUPLICATE_THRESHOLD, IDENTIFY_MARGIN, IDENTIFY_THRESHOLD

# Scores are float32 sums of ~200 products: a margin far above their rounding (~1e-5).
ROUNDING_SLACK = 1e-4
# The 8-bit codes cover [-range, range] per value; the range grows in these steps (a value
# outside is clamped, which only enlarges that template's recorded error, never the answer).
RANGE_STEP = 1 / 32


@dataclass(frozen=True)
class Candidate:
    key: int
    score: float


class TemplateIndex:
    """Exact cosine search over unit-length templates (float32 matrix + 8-bit first pass)."""

    def __init__(self, capacity: int = 1024, *, dimensions: int = DIMENSIONS):
        self.dimensions = dimensions
        self._vectors = np.empty((max(capacity, 1), dimensions), dtype=np.float32)
        self._keys = np.empty(max(capacity, 1), dtype=np.int64)
        self._errors = np.empty(max(capacity, 1), dtype=np.float32)
        self._size = 0
        self._range = 0.0
        self._codes = self._quantizer(RANGE_STEP)
        self._error_max = 0.0
        self.fallbacks = 0  # searches the proof could not settle (answered by the full scan)

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        """Memory held by the matrix, keys and errors (allocated capacity) and the 8-bit codes."""
        own = self._vectors.nbytes + self._keys.nbytes + self._errors.nbytes
        return own + self.codes_nbytes

    @property
    def codes_nbytes(self) -> int:
        """Memory held by the 8-bit codes alone."""
        return self._codes.ntotal * self._codes.code_size

    def add(self, key: int, template: np.ndarray) -> None:
        self.add_many(np.array([key]), np.asarray(template)[None, :])

    def add_many(self, keys: np.ndarray, templates: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        templates = np.asarray(templates, dtype=np.float32)
        if templates.shape[-1] != self.dimensions:
            raise ValueError(
                f"templates of {templates.shape[-1]} values, index holds {self.dimensions}"
            )
        templates = normalise(templates.reshape(-1, self.dimensions)).astype(np.float32)
        if len(keys) != len(templates):
            raise ValueError("one key per template")
        if not len(keys):
            return
        self._reserve(self._size + len(keys))
        start, end = self._size, self._size + len(keys)
        self._vectors[start:end] = templates
        self._keys[start:end] = keys
        self._size = end
        widest = float(np.abs(templates).max())
        if widest > self._range:
            self._encode_all(min(1.0, math.ceil(widest / RANGE_STEP) * RANGE_STEP))
        else:
            self._encode(start, end)

    def remove(self, key: int) -> int:
        """Remove every template of `key` (e.g. on deletion or re-enrolment); returns how many."""
        keep = self._keys[: self._size] != key
        removed = self._size - int(keep.sum())
        if removed:
            kept = int(keep.sum())
            self._vectors[:kept] = self._vectors[: self._size][keep]
            self._keys[:kept] = self._keys[: self._size][keep]
            self._errors[:kept] = self._errors[: self._size][keep]
            self._codes.remove_ids(faiss.IDSelectorArray(np.flatnonzero(~keep).astype(np.int64)))
            self._size = kept
            self._error_max = float(self._errors[:kept].max()) if kept else 0.0
        return removed

    def search(
        self,
        query: np.ndarray,
        k: int = 10,
        *,
        exclude: int | None = None,
        min_score: float | None = None,
    ) -> list[Candidate]:
        """The `k` best keys for one query, best first (only those scoring at least
        `min_score`, when given); the same answer as `search_exhaustive`."""
        if self._size == 0 or k <= 0:
            return []
        query = normalise(query).astype(np.float32)
        wanted = min(self._size, 8 * k + 64)
        approximate, rows = self._codes.search(query[None, :], wanted)
        rows = rows[0][rows[0] >= 0]
        found = self._best_keys(rows, self._vectors[rows] @ query, k, exclude)
        if wanted < self._size:
            floor = found[-1].score if len(found) == k else -np.inf
            if min_score is not None:
                floor = max(floor, min_score)
            # no row outside the shortlist scores above its 8-bit score + its error
            if float(approximate[0][-1]) + self._error_max + ROUNDING_SLACK >= floor:
                self.fallbacks += 1
                return self.search_exhaustive(query, k, exclude=exclude, min_score=min_score)
        return [c for c in found if min_score is None or c.score >= min_score]

    def search_exhaustive(
        self,
        query: np.ndarray,
        k: int = 10,
        *,
        exclude: int | None = None,
        min_score: float | None = None,
    ) -> list[Candidate]:
        """The same answer by scoring every float32 template (the reference, and the fallback)."""
        if self._size == 0 or k <= 0:
            return []
        scores = self._vectors[: self._size] @ normalise(query).astype(np.float32)
        wanted = min(self._size, 2 * k + 8)  # room for keys with several templates
        rows = np.argpartition(scores, -wanted)[-wanted:]
        found = self._best_keys(rows, scores[rows], k, exclude)
        if len(found) < k and wanted < self._size:  # the excluded key filled the room
            found = self._best_keys(np.arange(self._size), scores, k, exclude)
        return [c for c in found if min_score is None or c.score >= min_score]

    def _best_keys(
        self, rows: np.ndarray, scores: np.ndarray, k: int, exclude: int | None
    ) -> list[Candidate]:
        keys = self._keys[rows]
        results: dict[int, float] = {}
        for position in np.lexsort((rows, -scores)):  # ties: the earlier template first
            key = int(keys[position])
            if key != exclude:
                results.setdefault(key, float(scores[position]))
                if len(results) == k:
                    break
        return [Candidate(key, score) for key, score in results.items()]

    def _quantizer(self, value_range: float) -> faiss.IndexScalarQuantizer:
        codes = faiss.IndexScalarQuantizer(
            self.dimensions, faiss.ScalarQuantizer.QT_8bit_uniform, faiss.METRIC_INNER_PRODUCT
        )
        bounds = np.full((2, self.dimensions), value_range, dtype=np.float32)
        bounds[0] *= -1
        codes.train(bounds)  # uniform min-max: codes span exactly [-range, range]
        return codes

    def _encode(self, start: int, end: int) -> None:
        vectors = self._vectors[start:end]
        codes = self._codes.sa_encode(vectors)
        decoded = self._codes.sa_decode(codes)
        self._errors[start:end] = np.linalg.norm(vectors - decoded, axis=1)
        self._codes.add_sa_codes(codes)
        self._error_max = max(self._error_max, float(self._errors[start:end].max()))

    def _encode_all(self, value_range: float) -> None:
        self._range = value_range
        self._codes = self._quantizer(value_range)
        self._error_max = 0.0
        for start in range(0, self._size, 65536):
            self._encode(start, min(self._size, start + 65536))

    def _reserve(self, size: int) -> None:
        if size <= len(self._keys):
            return
        capacity = max(size, 2 * len(self._keys))
        vectors = np.empty((capacity, self.dimensions), dtype=np.float32)
        keys = np.empty(capacity, dtype=np.int64)
        errors = np.empty(capacity, dtype=np.float32)
        vectors[: self._size] = self._vectors[: self._size]
        keys[: self._size] = self._keys[: self._size]
        errors[: self._size] = self._errors[: self._size]
        self._vectors, self._keys, self._errors = vectors, keys, errors


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
    return index.search(template, k=k, exclude=exclude, min_score=threshold)
