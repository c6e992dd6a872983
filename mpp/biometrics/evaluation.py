"""Evaluation on the LFW protocol: pairs file, 10-fold accuracy, TAR at a fixed FAR, FMR and
FNMR at the operating threshold, and the failure-to-enrol rate. Used by `manage.py face_eval`
and bench/face.py.

Pairs format (LFW): first line "folds<TAB>pairs_per_fold"; then, per fold, pairs_per_fold
same-person lines "name i j" followed by pairs_per_fold different-person lines
"name1 i name2 j"; images at DIR/name/name_%04d.jpg.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embedding import CHIP_PADDING, DIMENSIONS, embed_chip
from .engine import MODEL_ID
from .images import load_image
from .matching import VERIFY_THRESHOLD
from .quality import ENROLMENT, EVALUATION, quality_check, quality_judge
from .reasons import FaceError

CACHE_VERSION = 1


@dataclass(frozen=True)
class Pair:
    left: Path
    right: Path
    same: bool
    fold: int


def pairs_read(path: Path | str, images: Path | str) -> list[Pair]:
    """Parse a pairs file; ValueError naming the line for anything malformed or missing."""
    images = Path(images)
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    try:
        folds, per_fold = (int(v) for v in lines[0])
    except (IndexError, ValueError) as exc:
        raise ValueError('line 1: expected "folds pairs-per-fold"') from exc
    if len(lines) - 1 != folds * per_fold * 2:
        raise ValueError(
            f"expected {folds * per_fold * 2} pairs after line 1, found {len(lines) - 1}"
        )
    pairs = []
    for number, fields in enumerate(lines[1:], 2):
        fold = (number - 2) // (2 * per_fold)
        try:
            if len(fields) == 3:
                name, i, j = fields
                pair = Pair(_image(images, name, i), _image(images, name, j), True, fold)
            elif len(fields) == 4:
                a, i, b, j = fields
                pair = Pair(_image(images, a, i), _image(images, b, j), False, fold)
            else:
                raise ValueError("expected 3 or 4 fields")
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from exc
        for image in (pair.left, pair.right):
            if not image.is_file():
                raise ValueError(f"line {number}: no image at {image}")
        pairs.append(pair)
    return pairs


def _image(images: Path, name: str, number: str) -> Path:
    return images / name / f"{name}_{int(number):04d}.jpg"


class EmbeddingCache:
    """Embeddings and quality measures keyed by the image's SHA-256 and the pipeline settings,
    in one .npz per setting. Only for evaluation sets: never point it at citizens' photos."""

    def __init__(self, directory: Path | str | None, *, flip: bool):
        self.flip = flip
        setting = f"{MODEL_ID}-pad{CHIP_PADDING}-flip{int(flip)}-v{CACHE_VERSION}"
        self.path = Path(directory) / f"embeddings-{setting}.npz" if directory else None
        self.entries: dict[str, tuple[np.ndarray | None, dict]] = {}
        if self.path and self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            for key, vector, measures in zip(
                data["keys"], data["vectors"], data["measures"], strict=True
            ):
                self.entries[str(key)] = (
                    None if np.isnan(vector[0]) else vector,
                    json.loads(str(measures)),
                )

    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.entries)
        nan = np.full(DIMENSIONS, np.nan, dtype=np.float32)
        vectors = np.array(
            [self.entries[k][0] if self.entries[k][0] is not None else nan for k in keys]
        )
        measures = np.array([json.dumps(self.entries[k][1]) for k in keys])
        temporary = self.path.with_suffix(".tmp.npz")
        np.savez(
            temporary,
            keys=np.array(keys),
            vectors=vectors.reshape(-1, DIMENSIONS),
            measures=measures,
        )
        os.replace(temporary, self.path)

    def embed(self, path: Path) -> tuple[np.ndarray | None, dict]:
        """(embedding or None, measures) for one image under the evaluation policy."""
        data = path.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        if key not in self.entries:
            self.entries[key] = _embed(data, flip=self.flip)
        return self.entries[key]


def _embed(data: bytes, *, flip: bool) -> tuple[np.ndarray | None, dict]:
    try:
        report = quality_check(load_image(data), policy=EVALUATION)
    except FaceError as error:
        return None, {"faces": 0, "error": error.reason.value}
    if not report.ok:
        return None, dict(report.measures)
    return embed_chip(report.chip, flip=flip), dict(report.measures)


def embeddings_for(
    paths: Iterable[Path],
    *,
    cache_dir: Path | str | None = None,
    flip: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Path, tuple[np.ndarray | None, dict]]:
    cache = EmbeddingCache(cache_dir, flip=flip)
    paths = sorted(set(paths))
    results = {}
    for done, path in enumerate(paths, 1):
        results[path] = cache.embed(path)
        if progress:
            progress(done, len(paths))
    cache.save()
    return results


def pairs_evaluate(
    pairs: list[Pair],
    embeddings: dict[Path, tuple[np.ndarray | None, dict]],
    *,
    threshold: float = VERIFY_THRESHOLD,
    far: float = 0.001,
) -> dict:
    """The figures for a pairs file. A pair with an image where no face was found counts as
    "different" (a genuine pair then counts as an error), as a deployed system would decide."""
    scores = np.array([_score(embeddings, pair) for pair in pairs])
    same = np.array([pair.same for pair in pairs])
    folds = np.array([pair.fold for pair in pairs])
    accuracies, thresholds = [], []
    for fold in np.unique(folds):
        test = folds == fold
        best = _best_threshold(scores[~test], same[~test])
        thresholds.append(best)
        accuracies.append(float(((scores[test] >= best) == same[test]).mean()))
    genuine, impostor = scores[same], scores[~same]
    far_threshold = _threshold_at_far(impostor, far)
    measures = [m for _, m in embeddings.values()]
    no_face = sum(1 for m in measures if not m.get("faces"))
    gate = {}
    for m in measures:
        for reason in quality_judge(m, ENROLMENT)[:1]:
            gate[reason.value] = gate.get(reason.value, 0) + 1
    return {
        "pairs": len(pairs),
        "genuine_pairs": int(same.sum()),
        "impostor_pairs": int((~same).sum()),
        "folds": len(accuracies),
        "accuracy": round(float(np.mean(accuracies)), 5),
        "accuracy_std": round(float(np.std(accuracies)), 5),
        "fold_thresholds_mean": round(float(np.mean(thresholds)), 4),
        "far_target": far,
        "tar_at_far": round(float((genuine >= far_threshold).mean()), 5),
        "threshold_at_far": round(float(far_threshold), 4),
        "threshold": threshold,
        "fmr": round(float((impostor >= threshold).mean()), 5),
        "fnmr": round(float((genuine < threshold).mean()), 5),
        "images": len(measures),
        "failure_to_enrol": round(no_face / max(len(measures), 1), 5),
        "failed_images": no_face,
        "enrolment_gate_rejections": round(sum(gate.values()) / max(len(measures), 1), 5),
        "enrolment_gate_reasons": dict(sorted(gate.items())),
    }


def _score(embeddings, pair: Pair) -> float:
    left, right = embeddings[pair.left][0], embeddings[pair.right][0]
    if left is None or right is None:
        return -1.0
    return float(np.dot(left, right))


def _best_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    ordered = np.unique(scores)
    candidates = np.concatenate(
        [[ordered[0] - 1e-6], (ordered[1:] + ordered[:-1]) / 2, [ordered[-1] + 1e-6]]
    )
    accuracy = [((scores >= t) == same).mean() for t in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def _threshold_at_far(impostor: np.ndarray, far: float) -> float:
    """The lowest threshold at which at most `far` of impostor scores are accepted."""
    ordered = np.sort(impostor)[::-1]
    allowed = int(np.floor(far * len(ordered)))
    if allowed >= len(ordered):
        return float(ordered[-1])
    return float(np.nextafter(ordered[allowed], np.inf))


__all__ = ["EmbeddingCache", "Pair", "embeddings_for", "pairs_evaluate", "pairs_read"]
