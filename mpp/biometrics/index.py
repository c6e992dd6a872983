"""Matching index for 1:N: exact cosine search, fast through an 8-bit integer first pass.

Every template is kept in float32 (the exact scores) and as 8-bit integer codes on one scale
for the whole index, in a FAISS scalar-quantizer index of signed "direct" codes (faiss-cpu,
MIT). The query is coded to integers on its own scale, so FAISS's byte kernels (AVX2, AVX-512;
a plain loop elsewhere) give each row's code product as an exact integer and keep the largest.
A search takes a shortlist of 8·k + 64 rows that way, scores it exactly, then *proves* that no
row outside it can enter the answer: a row's coded score differs from its exact score by at
most e_t + e_q·(1 + e_t), with e_t and e_q the lengths of the template's and the query's coding
errors (Cauchy-Schwarz; both are unit length), and the index keeps the largest e_t. When the
proof fails (rare), the whole float32 matrix is scanned as before. Results are therefore those
of the exhaustive float32 search (decision 0012, kept by decisions 0039 and 0050; the tests
compare them on random and real templates, at every SIMD level FAISS offers on the machine).

Measured (bench/face.py --search-only): 1,000,000 192-d templates take 744 MiB (float32, keys,
errors) + 183 MiB of codes; a top-10 search reads the codes once (decision 0050).
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
# The codes cover [-range, range] on one scale; the range grows in these steps (a value
# outside is clamped, which only enlarges that template's recorded error, never the answer).
RANGE_STEP = 1 / 32
CODE_MAX = 127  # symmetric int8 codes: −127 … 127, stored as bytes code + 128
CODE_ZERO = 128


@dataclass(frozen=True)
class Candidate:
    key: int
    score: float


class TemplateIndex:
    """Exact cosine search over unit-length templates (float32 matrix + 8-bit first pass)."""

    def __init__(self, capacity: int = 1024, *, dimensions: int = DIMENSIONS):
        self.dimensions = dimensions
        if dimensions * CODE_MAX * CODE_MAX >= 2**24:  # products must stay exact in float32
            raise ValueError(f"{dimensions} values are too many for exact int8 products")
        self._vectors = np.empty((max(capacity, 1), dimensions), dtype=np.float32)
        self._codes = self._quantizer()
        self._keys = np.empty(max(capacity, 1), dtype=np.int64)
        self._errors = np.empty(max(capacity, 1), dtype=np.float32)
        self._size = 0
        self._range = 0.0
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
        if widest > self._range:  # a wider scale: every code changes
            self._range = min(1.0, max(1, math.ceil(widest / RANGE_STEP)) * RANGE_STEP)
            self._error_max = 0.0
            self._codes = self._quantizer()
            start = 0
        for block in range(start, end, 65_536):
            self._encode(block, min(end, block + 65_536))

    def remove(self, key: int) -> int:
        """Remove every template of `key` (e.g. on deletion or re-enrolment); returns how many."""
        keep = self._keys[: self._size] != key
        removed = self._size - int(keep.sum())
        if removed:
            kept = int(keep.sum())
            for array in (self._vectors, self._keys, self._errors):
                array[:kept] = array[: self._size][keep]
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
        codes, query_scale, query_error = self._code_query(query)
        products, rows = self._codes.search(codes, wanted)
        rows = rows[0][rows[0] >= 0]
        found = self._best_keys(rows, self._vectors[rows] @ query, k, exclude)
        if wanted < self._size:
            floor = found[-1].score if len(found) == k else -np.inf
            if min_score is not None:
                floor = max(floor, min_score)
            # no row outside the shortlist has a larger product, so none scores above
            # that product's score + the coding error bound
            last = float(products[0][-1]) / (self._scale * query_scale)
            if last + self._coding_bound(query_error) >= floor:
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

    def first_pass(self, query: np.ndarray) -> tuple[np.ndarray, float]:
        """Every row's 8-bit score for `query`, from the kernel `search` uses, and the bound
        on how far each can be from its exact score (for checks and measurements)."""
        query = normalise(query).astype(np.float32)
        codes, query_scale, query_error = self._code_query(query)
        products, rows = self._codes.search(codes, self._size)
        scores = np.empty(self._size)
        scores[rows[0]] = products[0] / (self._scale * query_scale)
        return scores, self._coding_bound(query_error)

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

    @property
    def _scale(self) -> float:
        return CODE_MAX / self._range

    def _coding_bound(self, query_error: float) -> float:
        # q·t − q̂·t̂ = q·(t − t̂) + (q − q̂)·t̂, and |q| = 1, |t̂| ≤ 1 + e_t (Cauchy-Schwarz)
        return self._error_max + query_error * (1 + self._error_max) + ROUNDING_SLACK

    @staticmethod
    def _code(vectors: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        """int8 codes of `vectors` on `scale`, and the length of each one's coding error."""
        codes = np.clip(np.rint(vectors * scale), -CODE_MAX, CODE_MAX)
        return codes.astype(np.int8), np.linalg.norm(vectors - codes / scale, axis=1)

    def _code_query(self, query: np.ndarray) -> tuple[np.ndarray, float, float]:
        """The query's integer codes (as float32: FAISS's byte kernels read them as integers,
        its plain loop as floats, and both give the exact integer products), its scale, and
        the length of its coding error."""
        scale = CODE_MAX / max(float(np.abs(query).max()), 1e-12)
        codes, errors = self._code(query[None, :], scale)
        return codes.astype(np.float32), scale, float(errors[0])

    def _encode(self, start: int, end: int) -> None:
        codes, errors = self._code(self._vectors[start:end], self._scale)
        self._codes.add_sa_codes((codes.astype(np.int16) + CODE_ZERO).astype(np.uint8))
        self._errors[start:end] = errors
        self._error_max = max(self._error_max, float(errors.max()))

    def _quantizer(self) -> faiss.IndexScalarQuantizer:
        # signed "direct" codes: each byte b stands for the integer b − 128, no scaling
        return faiss.IndexScalarQuantizer(
            self.dimensions,
            faiss.ScalarQuantizer.QT_8bit_direct_signed,
            faiss.METRIC_INNER_PRODUCT,
        )

    def _reserve(self, size: int) -> None:
        if size <= len(self._keys):
            return
        capacity = max(size, 2 * len(self._keys))
        grown = []
        for array in (self._vectors, self._keys, self._errors):
            bigger = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
            bigger[: self._size] = array[: self._size]
            grown.append(bigger)
        self._vectors, self._keys, self._errors = grown


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
