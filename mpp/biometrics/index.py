"""Matching index for 1:N: exact cosine search, fast through an 8-bit integer first pass.

Every template is kept in float32 (the exact scores) and, for the first pass, as 8-bit
integer codes on one scale for the whole index, packed for NumKong's int8 dot-product kernels
(numkong, Apache-2.0; integer SIMD chosen at run time: AVX2, AVX-512 VNNI, Arm NEON/SVE). The
query is coded on its own scale, so each code product is an exact integer and the rows rank by
it. A search scans the codes in blocks for a shortlist of 8·k + 64 rows, scores the shortlist
exactly, then *proves* that no row outside it can enter the answer: a row's coded score differs
from its exact score by at most e_t + e_q·(1 + e_t), with e_t and e_q the lengths of the
template's and the query's coding errors (Cauchy-Schwarz; both are unit length), and the index
keeps the largest e_t. When the proof fails (rare), the whole float32 matrix is scanned as
before. Results are therefore those of the exhaustive float32 search (decision 0012, kept by
decisions 0039 and 0050; the tests compare them on random and real templates).

Measured (bench/face.py --search-only): 1,000,000 192-d templates take 744 MiB (float32, keys,
errors) + 183 MiB of codes; a top-10 search reads the codes once (decision 0050).
Keys are integers (a database primary key); a key may hold several templates, and results
carry each key once, with its best score.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from enum import StrEnum

import numkong
import numpy as np

from .embedding import DIMENSIONS, normalise
from .matching import DUPLICATE_THRESHOLD, IDENTIFY_MARGIN, IDENTIFY_THRESHOLD

# Scores are float32 sums of ~200 products: a margin far above their rounding (~1e-5).
ROUNDING_SLACK = 1e-4
# The codes cover [-range, range] on one scale; the range grows in these steps (a value
# outside is clamped, which only enlarges that template's recorded error, never the answer).
RANGE_STEP = 1 / 32
CODE_MAX = 127  # symmetric int8 codes: −127 … 127
# Rows per packed block: the scan keeps each block's products in cache and skips rows below
# the shortlist's running floor; a change re-packs only the blocks it touches.
BLOCK_ROWS = 32_768


def numkong_kernels() -> tuple[str, ...]:
    """NumKong's enabled kernel levels: the packed layout belongs to them."""
    return tuple(name for name, enabled in numkong.get_capabilities().items() if enabled)


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
        # per block: packed codes (None until packed again), its products buffer, its max error
        self._blocks: list[numkong.PackedMatrix | None] = []
        self._products: list[numkong.Tensor | None] = []
        self._block_errors: list[float] = []
        self._packing = threading.Lock()
        self._packed_for: tuple[str, ...] = ()
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
        """Memory held by the packed 8-bit codes and their products buffers."""
        self._pack()
        codes = sum(block.nbytes for block in self._blocks if block is not None)
        return codes + sum(np.asarray(out).nbytes for out in self._products if out is not None)

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
            self._range = min(1.0, math.ceil(widest / RANGE_STEP) * RANGE_STEP)
            start = 0
        self._stale_from(start)

    def remove(self, key: int) -> int:
        """Remove every template of `key` (e.g. on deletion or re-enrolment); returns how many."""
        keep = self._keys[: self._size] != key
        removed = self._size - int(keep.sum())
        if removed:
            kept = int(keep.sum())
            first = int(np.argmin(keep))  # rows from the first removed one on move up
            self._vectors[:kept] = self._vectors[: self._size][keep]
            self._keys[:kept] = self._keys[: self._size][keep]
            self._size = kept
            self._stale_from(first)
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
        self._pack()
        codes, query_scale, query_error = self._code_query(query)
        rows, products = self._shortlist(codes, wanted)
        found = self._best_keys(rows, self._vectors[rows] @ query, k, exclude)
        if wanted < self._size:
            floor = found[-1].score if len(found) == k else -np.inf
            if min_score is not None:
                floor = max(floor, min_score)
            # no row outside the shortlist has a larger product, so none scores above
            # that product's score + the coding error bound
            last = float(products.min()) / (self._scale * query_scale)
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

    def _code(self, vectors: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        """int8 codes of `vectors` on `scale`, and the length of each one's coding error."""
        codes = np.clip(np.rint(vectors * scale), -CODE_MAX, CODE_MAX).astype(np.int8)
        errors = np.linalg.norm(vectors - codes.astype(np.float32) / scale, axis=1)
        return codes, errors

    def _code_query(self, query: np.ndarray) -> tuple[np.ndarray, float, float]:
        scale = CODE_MAX / max(float(np.abs(query).max()), 1e-12)
        codes, errors = self._code(query[None, :], scale)
        return codes, scale, float(errors[0])

    def first_pass(self, query: np.ndarray) -> tuple[np.ndarray, float]:
        """Every row's 8-bit score for `query` and the bound on how far each can be from
        its exact score (what `search` relies on; for checks and measurements)."""
        query = normalise(query).astype(np.float32)
        self._pack()
        codes, query_scale, query_error = self._code_query(query)
        products = []
        for number, block in enumerate(self._blocks):
            numkong.dots_packed(codes, block, out=self._products[number])
            products.append(np.asarray(self._products[number])[0].copy())
        scores = np.concatenate(products).astype(np.float64) / (self._scale * query_scale)
        return scores, self._coding_bound(query_error)

    def _coding_bound(self, query_error: float) -> float:
        # q·t − q̂·t̂ = q·(t − t̂) + (q − q̂)·t̂, and |q| = 1, |t̂| ≤ 1 + e_t (Cauchy-Schwarz)
        error_max = max(self._block_errors)
        return error_max + query_error * (1 + error_max) + ROUNDING_SLACK

    def _shortlist(self, query_codes: np.ndarray, wanted: int) -> tuple[np.ndarray, np.ndarray]:
        """The `wanted` rows with the largest code products (ties at the edge: any of them)
        and those products, block by block: only rows reaching the running floor are kept."""
        rows = np.empty(0, dtype=np.int64)
        products = np.empty(0, dtype=np.int32)
        floor = np.iinfo(np.int32).min
        for number, block in enumerate(self._blocks):
            out = self._products[number]
            numkong.dots_packed(query_codes, block, out=out)
            block_products = np.asarray(out)[0]
            hits = np.flatnonzero(block_products >= floor)
            if not len(hits):
                continue
            rows = np.concatenate((rows, hits + number * BLOCK_ROWS))
            products = np.concatenate((products, block_products[hits]))
            if len(rows) > wanted:
                best = np.argpartition(products, -wanted)[-wanted:]
                rows, products = rows[best], products[best]
                floor = int(products.min())
        return rows, products

    def _stale_from(self, row: int) -> None:
        """Mark the blocks from the one holding `row` on for packing again."""
        blocks = -(-self._size // BLOCK_ROWS)
        first = row // BLOCK_ROWS
        del self._blocks[blocks:], self._products[blocks:], self._block_errors[blocks:]
        for number in range(first, blocks):
            if number < len(self._blocks):
                self._blocks[number] = None
            else:
                self._blocks.append(None)
                self._products.append(None)
                self._block_errors.append(0.0)

    def _pack(self) -> None:
        """Code and pack the blocks changed since the last search (adds are cheap; the next
        search pays for them once)."""
        with self._packing:
            kernels = numkong_kernels()
            if kernels != self._packed_for:  # each kernel level packs its own layout
                self._packed_for = kernels
                self._blocks = [None] * len(self._blocks)
            for number, block in enumerate(self._blocks):
                if block is not None:
                    continue
                start = number * BLOCK_ROWS
                end = min(self._size, start + BLOCK_ROWS)
                codes, errors = self._code(self._vectors[start:end], self._scale)
                self._errors[start:end] = errors
                self._block_errors[number] = float(errors.max())
                self._blocks[number] = numkong.dots_pack(codes)
                out = self._products[number]
                if out is None or np.asarray(out).shape[1] != end - start:
                    self._products[number] = numkong.empty((1, end - start), dtype="int32")

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
