"""Liveness on DEV bursts only: every LFW identity with 2–3 images (never the reserved ones,
which have 4 or more), genuine synthesised turns over several sway seeds and every attack
type, each burst's verdict, reason and measures written one JSON line each.

Usage: .venv/bin/python bench/liveness_dev.py --lfw LFW --lfw-cache /work/cache/emb \
           [--seeds 0 1 2] [--kinds genuine ...] [--out FILE] [--workers 2]

The diagnosis of issue 12's liveness rounds is made on these bursts (docs/benchmarks.md);
the reserved figures come from bench/face.py --attacks-only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from mpp.biometrics.evaluation import (  # noqa: E402
    ATTACKS,
    Identity,
    embeddings_for,
    pose_triplet,
)

MAX_DEV_IMAGES = 3
ATTACK_SEEDS: set[int] = set()  # set from --attack-seeds (workers are forked)


def dev_identities(images: Path, groups: Path) -> list[Identity]:
    """Every LFW identity with 2–3 images; group from the labels CSV where it has one."""
    labelled = {}
    with groups.open(newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            labelled[row["name"]] = (row["group"], row["split"])
    out = []
    for folder in sorted(images.iterdir()):
        photos = tuple(sorted(folder.glob(f"{folder.name}_*.jpg")))
        if not 2 <= len(photos) <= MAX_DEV_IMAGES:
            continue
        group, split = labelled.get(folder.name, ("other", "dev"))
        assert split == "dev", folder.name  # ≤ 3 images is dev by the project's rule
        out.append(Identity(folder.name, group, "dev", photos))
    return out


def _judge(job):
    """All bursts of one identity and seed: a list of result rows."""
    from PIL import Image

    from mpp.biometrics import attacks
    from mpp.biometrics.liveness import Action, Challenge, liveness_check

    identity, triplet, yaw, seed, kinds = job
    if seed not in ATTACK_SEEDS:
        kinds = kinds & {"genuine"}
    front_path, half_path, turned_path = (Path(p) if p else None for p in triplet)
    front, turned = Image.open(front_path), Image.open(turned_path)
    if not (attacks.single_person(front) and attacks.single_person(turned)):
        return []
    challenge = Challenge(actions=(Action.TURN_LEFT if yaw > 0 else Action.TURN_RIGHT,))
    genuine = attacks.burst_turn(front, turned, seed=seed)
    if genuine is None:
        return []
    makers = {
        "genuine": lambda: genuine,
        "still photo": lambda: attacks.burst_still(front),
        "hand-held print": lambda: attacks.burst_print(front, seed=seed),
        "two-photo sequence": lambda: attacks.burst_sequence([front, turned], seed=seed),
        "screen replay of a turn": lambda: attacks.screen_replay(genuine, seed=seed),
    }
    if half_path is not None:
        makers["three-photo sequence"] = lambda: attacks.burst_sequence(
            [front, Image.open(half_path), turned], seed=seed
        )
    rows = []
    for kind, make in makers.items():
        if kind not in kinds:
            continue
        result = liveness_check(make(), challenge)
        rows.append(
            {
                "identity": identity.name,
                "group": identity.group,
                "seed": seed,
                "kind": kind,
                "photo_yaw": round(yaw, 3),
                "passed": result.passed,
                "reason": None if result.passed else str(result.reason),
                "measures": {k: v for k, v in result.measures.items() if not hasattr(v, "shape")},
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", type=Path, required=True)
    parser.add_argument("--groups", type=Path, default=REPO / "mpp/biometrics/data/lfw_groups.csv")
    parser.add_argument("--lfw-cache", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="+", default=["genuine", *ATTACKS])
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, one per burst")
    parser.add_argument("--attack-seeds", type=int, nargs="*", help="attacks only on these")
    parser.add_argument("--pair-rule", choices=["frame", "original"], default="frame")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    ATTACK_SEEDS.update(args.seeds if args.attack_seeds is None else args.attack_seeds)
    identities = dev_identities(args.lfw / "images", args.groups)
    emb = embeddings_for([p for i in identities for p in i.images], cache_dir=args.lfw_cache)
    jobs = []
    for identity in identities:
        triplet = pose_triplet(identity, emb, on_frame=args.pair_rule == "frame")
        if triplet is None:
            continue
        yaw = emb[triplet[2]][1]["yaw"]
        paths = tuple(str(p) if p else None for p in triplet)
        jobs += [(identity, paths, yaw, seed, set(args.kinds)) for seed in args.seeds]
    print(f"{len(jobs) // len(args.seeds)} dev identities with a pose triplet", flush=True)
    counts: dict[str, Counter] = {}
    with args.out.open("w") as out, ProcessPoolExecutor(args.workers) as pool:
        for rows in pool.map(_judge, jobs, chunksize=1):
            for row in rows:
                out.write(json.dumps(row) + "\n")
                counts.setdefault(row["kind"], Counter())[row["reason"] or "passed"] += 1
            out.flush()
    for kind, counter in counts.items():
        total = sum(counter.values())
        print(f"{kind}: {total} bursts; " + ", ".join(f"{k} {v}" for k, v in counter.items()))


if __name__ == "__main__":
    main()
