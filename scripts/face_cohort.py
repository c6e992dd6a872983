"""Build (or check) the score-normalisation cohort in mpp/biometrics/models/ (cohort.py).

    python scripts/face_cohort.py --lfw /path/lfw/images [--cache DIR]          # write the files
    python scripts/face_cohort.py --lfw /path/lfw/images --check                # compare only
    python scripts/face_cohort.py --lfw ... --model mobilefacenet-expo1.0.24-arcface112  # another

The model is the default one of new templates unless --model names another with a cohort
(engine.COHORTS gives its two file names).

The cohort is the MobileFaceNet embedding (flip TTA, as deployed) of every image of the
*development* identities (split "dev": ≤ 3 images in LFW) of mpp/biometrics/data/lfw_groups.csv,
East/Southeast Asian and Western-named alike, in the file's order, images by number; images
where no face is found are left out. Reserved identities are never in it. LFW comes from the
public umass-vis-lfw repository. Two files: the vectors (.npy, float32) and the identity of each
row (.txt, one LFW name per line). After writing, put the printed SHA-256 values into
mpp/biometrics/engine.py (COHORT_FILES). Floating point may differ in the last bits on another
CPU, so --check reports the largest difference from the vendored vectors instead of hashes.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mpp.biometrics.engine import COHORTS, MODEL_ID, MODELS_DIR  # noqa: E402
from mpp.biometrics.evaluation import embeddings_for, groups_read  # noqa: E402

LABELS = ROOT / "mpp/biometrics/data/lfw_groups.csv"


def build(images: Path, cache: Path | None, model_id: str) -> tuple[np.ndarray, list[str]]:
    identities = [i for i in groups_read(LABELS, images) if i.split == "dev"]
    paths = [p for i in identities for p in i.images]
    embeddings = embeddings_for(paths, cache_dir=cache, flip=True, model_id=model_id)
    vectors, owners = [], []
    for identity in identities:
        for path in identity.images:
            vector = embeddings[path][0]
            if vector is not None:
                vectors.append(vector)
                owners.append(identity.name)
    return np.stack(vectors).astype(np.float32), owners


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", type=Path, required=True, help="LFW images folder")
    parser.add_argument("--cache", type=Path, help="embedding cache (public data only)")
    parser.add_argument("--out", type=Path, default=MODELS_DIR)
    parser.add_argument("--check", action="store_true", help="compare with the vendored files")
    parser.add_argument("--model", default=MODEL_ID, choices=sorted(COHORTS))
    args = parser.parse_args()
    if not args.lfw.is_dir():
        parser.error(f"--lfw {args.lfw}: no such folder")
    vectors_name, owners_name = COHORTS[args.model]
    vectors, owners = build(args.lfw, args.cache, args.model)
    if args.check:
        old = np.load(MODELS_DIR / vectors_name, allow_pickle=False)
        old_owners = (MODELS_DIR / owners_name).read_text().split()
        if old.shape != vectors.shape or old_owners != owners:
            print(f"DIFFERENT: {old.shape} vs {vectors.shape}, owners equal {old_owners == owners}")
            return 1
        print(f"{len(owners)} rows, largest difference {np.abs(old - vectors).max():.2e}")
        return 0 if np.abs(old - vectors).max() < 1e-3 else 1
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / vectors_name, vectors, allow_pickle=False)
    (args.out / owners_name).write_text("".join(f"{name}\n" for name in owners))
    groups = len(set(owners))
    print(f"{len(owners)} vectors of {groups} development identities, {vectors.shape[1]}-d")
    for name in (vectors_name, owners_name):
        print(f'    "{name}": "{sha256(args.out / name)}",')
    return 0


if __name__ == "__main__":
    sys.exit(main())
