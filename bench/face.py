"""Benchmark the face pipeline (mpp.biometrics) on one core, new model and old side by side.

Usage: .venv/bin/python bench/face.py [--quick] [--search-only | --attacks-only]
           [--pairs PAIRS --images DIR]
           [--lfw DIR [--groups CSV] [--attacks N | --attacks-all] [--lfw-cache DIR]]

Prints Markdown tables: per-step latency for a 640×480 frame (p50) for MobileFaceNet and dlib's
ResNet, figures on the shared photographs, identification error rates at gallery sizes
10/100/1,000 (real people + synthetic padding), exact 1:N search over 1,000,000 templates of
each model's size; with --lfw (a folder holding LFW: images/, pairs.txt): View 2 for the new
model, FMR/FNMR per group (mpp/biometrics/data/lfw_groups.csv) for both models, what burst
fusion buys, and APCER/BPCER on the attack set built from the reserved identities' photos
(--attacks N identities per group, --attacks-all every one that qualifies; each rate with its
95 % Wilson interval, per group). Embeddings are cached in .cache/biometrics/ or --lfw-cache.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})

import faiss  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from mpp.biometrics import (  # noqa: E402
    DLIB_RESNET,
    IDENTIFY_MARGIN,
    IDENTIFY_THRESHOLD,
    MOBILEFACENET,
    MOBILEFACENET_ONET,
    VERIFY_THRESHOLD,
    Outcome,
    TemplateIndex,
    compare,
    engine,  # noqa: E402
    identify,
    load_image,
    model_get,
    thresholds_for,
)
from mpp.biometrics.detection import detect_faces  # noqa: E402
from mpp.biometrics.embedding import embed_chip, face_chip, normalise, onet_landmarks  # noqa: E402
from mpp.biometrics.evaluation import (  # noqa: E402
    ATTACKS,
    embeddings_for,
    fusion_evaluate,
    groups_evaluate,
    groups_read,
    pairs_evaluate,
    pairs_read,
    presentation_evaluate,
)

DATA = REPO / "mpp/biometrics/tests/data"
CACHE = REPO / ".cache/biometrics"
OLD_RAW_VERIFY = 0.557  # MobileFaceNet's raw-cosine verify threshold before decision 0042


def p50_ms(function, runs: int) -> float:
    return p50_wall_cpu(function, runs)[0]


def p50_wall_cpu(function, runs: int) -> tuple[float, float]:
    """(wall-clock p50, CPU-time p50) in ms. CPU time (this thread's) is what the step costs
    one core; on a shared machine the wall clock adds the time spent waiting for a core."""
    function()  # warm
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.thread_time()
        function()
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - started)
    return float(np.median(walls) * 1000), float(np.median(cpus) * 1000)


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def table(header: list[str], rows: list[list]) -> None:
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def latency(runs: int) -> None:
    progress("latency per step on one core")
    data = (DATA / "extra/kiosk_frame_640x480.jpg").read_bytes()
    image = load_image(data)
    small = image[::2, ::2].copy()  # a face too small for the first pass
    detector = engine.detector()
    detector(image, 0)  # load models
    face = detect_faces(image)[0]
    chip = face_chip(image, face)
    a, b = embed_chip(chip), embed_chip(chip[:, ::-1].copy())
    steps = [
        ("decode JPEG (640×480)", lambda: load_image(data)),
        ("detection, HOG first pass", lambda: detector.run(image, 0, 0.0)),
        (
            "detection, upsampled ×2 pass (only when the first finds nothing)",
            lambda: detector.run(image, 1, 0.0),
        ),
        ("detection of a 320×240 frame: both passes", lambda: detect_faces(small)),
        ("5-point landmarks", lambda: engine.predictor()(image, _rect(face))),
        ("alignment (face chip 150×150)", lambda: face_chip(image, face)),
        ("embedding, plain", lambda: embed_chip(chip, flip=False)),
        ("embedding + flipped chip (TTA, default)", lambda: embed_chip(chip, flip=True)),
        ("compare (1:1)", lambda: compare(a, b, model_id=DLIB_RESNET)),
    ]
    old, mfn = model_get(MOBILEFACENET), model_get(MOBILEFACENET_ONET)
    mchip = mfn.chip(image, face)
    steps += [
        ("MobileFaceNet (old): alignment by dlib's eyes + nose", lambda: old.chip(image, face)),
        ("MobileFaceNet: ONet landmarks, two passes (new)", lambda: onet_landmarks(image, face)),
        (
            "MobileFaceNet: alignment by ONet's 5 points, ONet included",
            lambda: mfn.chip(image, face),
        ),
        ("MobileFaceNet: embedding + flipped chip (one batch of 2)", lambda: mfn.embed(mchip)),
    ]
    va, vb = mfn.embed(mchip), mfn.embed(mchip[:, ::-1].copy())
    steps += [
        ("MobileFaceNet: compare (1:1), raw cosine", lambda: float(np.dot(va, vb))),
        ("MobileFaceNet: compare (1:1), AS-norm, 534-face cohort", lambda: compare(va, vb)),
    ]
    before = load_average()
    rows = [[name, *(f"{v:.1f}" for v in p50_wall_cpu(fn, runs))] for name, fn in steps]
    pipelines = (
        (DLIB_RESNET, "dlib ResNet (first model)"),
        (MOBILEFACENET, "MobileFaceNet, dlib alignment (old)"),
        (MOBILEFACENET_ONET, "MobileFaceNet, ONet alignment (new)"),
    )
    for model_id, label in pipelines:
        wall, cpu = p50_wall_cpu(lambda m=model_id: _pipeline(image, flip=True, model_id=m), runs)
        rows.append(
            [
                f"**total: detect + landmarks + align + embed (TTA) + compare, {label}**",
                f"**{wall:.1f}**",
                f"**{cpu:.1f}**",
            ]
        )
    print(f"Load average (1 / 5 / 15 min) before: {before}; after: {load_average()}.\n")
    table(["step (640×480 frame, one core)", "p50 ms wall clock", "p50 ms CPU time"], rows)


def _rect(face):
    import dlib

    return dlib.rectangle(face.left, face.top, face.right, face.bottom)


def _pipeline(image, *, flip, model_id=None):
    face = detect_faces(image)[0]
    vector = model_get(model_id).embed_face(image, face, flip=flip)
    return compare(vector, vector, model_id=model_id)


def accuracy(pairs_path: Path, images: Path) -> dict:
    pairs = pairs_read(pairs_path, images)
    paths = [p.left for p in pairs] + [p.right for p in pairs]
    rows, results = [], {}
    for flip in (False, True):
        progress(f"embedding {len(set(paths))} images (flip={flip}, cached after the first run)")
        embeddings = embeddings_for(paths, cache_dir=CACHE, flip=flip)
        report = pairs_evaluate(pairs, embeddings, threshold=VERIFY_THRESHOLD)
        every = all_pairs(embeddings)
        results[flip] = (embeddings, report)
        rows.append(
            [
                "flip TTA" if flip else "plain",
                f"{report['accuracy']:.2%} ± {report['accuracy_std']:.2%}",
                f"{report['tar_at_far']:.2%}",
                f"{report['fmr']:.2%} / {report['fnmr']:.2%}",
                f"{every['tar']:.2%}",
                f"{every['fmr']:.3%} / {every['fnmr']:.2%}",
                f"{every['dprime']:.2f}",
                f"{every['gap']:+.4f}",
                f"{report['failure_to_enrol']:.1%} ({report['failed_images']}/{report['images']})",
                f"{report['enrolment_gate_rejections']:.1%}",
            ]
        )
    shown = pairs_path.relative_to(REPO) if pairs_path.is_relative_to(REPO) else pairs_path
    print(
        f"Pairs file {shown}: "
        f"{report['genuine_pairs']} genuine + {report['impostor_pairs']} impostor pairs in "
        f"{report['folds']} folds. All pairs of its images: {every['genuine']} genuine, "
        f"{every['impostor']} impostor. Threshold {VERIFY_THRESHOLD} (cosine).\n"
    )
    table(
        [
            "embedding",
            "10-fold accuracy",
            "TAR@FAR=0.1% (pairs file)",
            "FMR / FNMR at threshold",
            "TAR@FAR=0.1% (all pairs)",
            "FMR / FNMR (all pairs)",
            "d′ (all pairs)",
            "worst genuine − best impostor",
            "failure to enrol",
            "enrolment gate refusals",
        ],
        rows,
    )
    return results[True][0]


def all_pairs(embeddings) -> dict:
    keys = [k for k, (v, _) in embeddings.items() if v is not None]
    vectors = np.stack([embeddings[k][0] for k in keys])
    names = np.array([k.parent.name for k in keys])
    upper = np.triu_indices(len(keys), 1)
    scores = (vectors @ vectors.T)[upper]
    same = (names[:, None] == names[None, :])[upper]
    genuine, impostor = scores[same], np.sort(scores[~same])[::-1]
    far_threshold = np.nextafter(impostor[int(0.001 * len(impostor))], np.inf)
    spread = np.sqrt((genuine.var() + impostor.var()) / 2)
    return {
        "genuine": len(genuine),
        "impostor": len(impostor),
        "tar": float((genuine >= far_threshold).mean()),
        "fmr": float((impostor >= VERIFY_THRESHOLD).mean()),
        "fnmr": float((genuine < VERIFY_THRESHOLD).mean()),
        "dprime": float((genuine.mean() - impostor.mean()) / spread),
        "gap": float(genuine.min() - impostor.max()),
    }


def identification(embeddings, trials: int) -> None:
    progress("identification with synthetic gallery padding")
    people: dict[str, list[np.ndarray]] = {}
    for path, (vector, _) in embeddings.items():
        if vector is not None:
            people.setdefault(path.parent.name, []).append(vector)
    names = sorted(n for n, v in people.items() if len(v) >= 2)
    everyone = np.stack([v for n in names for v in people[n]])
    owner = np.array([i for i, n in enumerate(names) for _ in people[n]])
    rng = np.random.default_rng(6)
    rows = []
    for gallery_size in (10, 100, 1000):
        for threshold, margin, label in (
            (VERIFY_THRESHOLD, 0.0, f"{VERIFY_THRESHOLD}, no margin"),
            (
                IDENTIFY_THRESHOLD,
                IDENTIFY_MARGIN,
                f"{IDENTIFY_THRESHOLD} + margin {IDENTIFY_MARGIN}",
            ),
        ):
            false_pos = impostor_probes = false_neg = genuine_probes = 0
            for _ in range(trials):
                order = rng.permutation(len(names))
                enrolled, outsiders = order[: len(names) // 2], order[len(names) // 2 :]
                enrolled = (
                    enrolled[: gallery_size - 1] if gallery_size <= len(enrolled) else enrolled
                )
                index = TemplateIndex()
                for person in enrolled:
                    index.add(int(person), people[names[person]][0])
                padding = gallery_size - len(enrolled)
                index.add_many(
                    np.arange(10_000, 10_000 + padding), synthetic(everyone, padding, rng)
                )
                for person in enrolled:
                    for probe in people[names[person]][1:]:
                        genuine_probes += 1
                        result = identify(index, probe, threshold=threshold, margin=margin)
                        false_neg += result.outcome != Outcome.MATCH or result.key != person
                for person in outsiders:
                    for probe in people[names[person]]:
                        impostor_probes += 1
                        result = identify(index, probe, threshold=threshold, margin=margin)
                        false_pos += result.outcome == Outcome.MATCH
            rows.append(
                [
                    f"{gallery_size:,}",
                    label,
                    f"{false_pos / impostor_probes:.2%} ({false_pos}/{impostor_probes})",
                    f"{false_neg / genuine_probes:.2%} ({false_neg}/{genuine_probes})",
                ]
            )
    print(
        f"{len(names)} real people; per trial about half are enrolled (their first photo) and "
        f"probed with their other photos, the rest probe as strangers; the gallery is padded to "
        f"its size with synthetic templates (drawn from a Gaussian fitted to the real embeddings). "
        f"{trials} trials per size. {padding_check(everyone, owner, rng)}\n"
    )
    table(
        [
            "gallery",
            "threshold (cosine)",
            "false-positive identification rate",
            "false-negative identification rate",
        ],
        rows,
    )


def synthetic(everyone, count, rng) -> np.ndarray:
    """Stand-in faces for gallery padding: draws from a Gaussian fitted to all real embeddings,
    widened ×1.3. Checked against real impostors in the printed note: their similarity to real
    people has a heavier top tail than real strangers have, so the padding errs on the hard side."""
    if count <= 0:
        return np.empty((0, everyone.shape[1]), dtype=np.float32)
    covariance = np.cov(everyone.T) * 1.3**2 + 1e-4 * np.eye(everyone.shape[1])
    return normalise(rng.multivariate_normal(everyone.mean(axis=0), covariance, count))


def padding_check(everyone, owner, rng) -> str:
    scores = everyone @ everyone.T
    strangers = scores[owner[:, None] != owner[None, :]]
    pads = synthetic(everyone, 2000, rng) @ everyone.T
    return (
        "Similarity to real people, mean / 99th / 99.9th percentile: real strangers "
        + " / ".join(f"{v:.3f}" for v in (strangers.mean(), *np.percentile(strangers, [99, 99.9])))
        + "; synthetic padding "
        + " / ".join(f"{v:.3f}" for v in (pads.mean(), *np.percentile(pads, [99, 99.9])))
        + "."
    )


# decision 0039's index (faiss 8-bit codes), measured beside the current one in the same run
BASELINE_INDEX = "f28d9a2"


def baseline_index(revision: str):
    """`TemplateIndex` as it was at `revision` (read from git), or None with the reason."""
    shown = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{revision}:mpp/biometrics/index.py"],
        capture_output=True,
        text=True,
    )
    if shown.returncode:
        return None, f"git show {revision} failed: {shown.stderr.strip()}"
    with tempfile.TemporaryDirectory(prefix="index-") as folder:
        path = Path(folder) / f"index_{revision}.py"
        path.write_text(shown.stdout)
        spec = importlib.util.spec_from_file_location("mpp.biometrics._index_baseline", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its relative imports and dataclasses need it there
        spec.loader.exec_module(module)
    return module.TemplateIndex, ""


def faiss_levels():
    """faiss's automatic SIMD level and AVX2 (when the CPU has more), as (name, set-it)."""
    config = faiss.SIMDConfig
    auto = config.get_level()
    levels = [(config.get_level_name(), lambda: config.set_level(auto))]
    if config.get_level_name() != "AVX2" and config.is_simd_level_available(faiss.SIMDLevel_AVX2):
        levels.append(("AVX2", lambda: config.set_level(faiss.SIMDLevel_AVX2)))
    return levels


def search(size: int, queries: int, real: dict | None) -> None:
    """Top-10 search over the same templates: every float32 template (the reference), the
    faiss 8-bit first pass of decision 0039 (the index at BASELINE_INDEX) and the integer
    first pass of decision 0050, each at the CPU's own SIMD level and at AVX2; on isotropic
    random templates and, for 192-d, on face-like ones (synthetic padding fitted to the real
    embeddings, probed with the real photos)."""
    faiss.omp_set_num_threads(1)
    Baseline, why_not = baseline_index(BASELINE_INDEX)
    faiss_at = faiss_levels()  # the first: the CPU's own level
    rng = np.random.default_rng(0)
    rows = []
    everyone = None
    if real:
        everyone = np.stack([v for v, _ in real.values() if v is not None])
    for dimensions, gallery in ((192, "face-like"), (192, "random"), (128, "random")):
        if gallery == "face-like" and everyone is None:
            continue
        progress(f"building indexes of {size:,} {gallery} templates of {dimensions}")
        index = TemplateIndex(capacity=size, dimensions=dimensions)
        baseline = Baseline(capacity=size, dimensions=dimensions) if Baseline else None
        blocks = [(np.arange(len(everyone)), everyone)] if gallery == "face-like" else []
        for start in range(len(blocks[0][0]) if blocks else 0, size, 100_000):
            count = min(100_000, size - start)
            block = (
                synthetic(everyone, count, rng)
                if gallery == "face-like"
                else rng.standard_normal((count, dimensions), dtype=np.float32)
            )
            blocks.append((np.arange(start, start + count), block))
        started = time.perf_counter()
        for keys, block in blocks:
            index.add_many(keys, block)
        build = time.perf_counter() - started
        if baseline is not None:
            started = time.perf_counter()
            for keys, block in blocks:
                baseline.add_many(keys, block)
            baseline_build = time.perf_counter() - started
        del blocks
        if gallery == "face-like":
            probes = everyone[rng.permutation(len(everyone))[:queries]]
        else:
            probes = normalise(rng.standard_normal((queries, dimensions)))
        label = f"{dimensions}, {gallery}"
        before = os.getloadavg()[0]
        if baseline is None:
            rows.append([label, f"decision 0039 (faiss 8-bit): not measured, {why_not}"] + [""] * 8)
        reference = None
        # one round per SIMD level (the CPU's own, then AVX2); within a round the searches
        # take turns probe by probe, so a change in the machine's speed touches them alike
        for round_number in range(len(faiss_at)):
            contenders = []
            if round_number == 0:
                contenders.append(("float32, every template", "NumPy", index.search_exhaustive))
            level, use = faiss_at[round_number]
            use()
            if baseline is not None:
                baseline.fallbacks = 0
                contenders.append(
                    (
                        f"0039: 8-bit uniform codes ({BASELINE_INDEX})",
                        f"faiss {level}",
                        baseline.search,
                    )
                )
            index.fallbacks = 0
            contenders.append(("0050: integer codes, coded query", f"faiss {level}", index.search))
            timings = _timed_in_turn([search for _, _, search in contenders], probes)
            if round_number == 0:
                reference = timings[0]
            for (search_label, level, search), timed in zip(contenders, timings, strict=True):
                if search == index.search_exhaustive:
                    memory, fallbacks, built = index.nbytes - index.codes_nbytes, None, build
                elif search == index.search:
                    memory, fallbacks, built = index.nbytes, index.fallbacks, build
                else:
                    memory, fallbacks, built = baseline.nbytes, baseline.fallbacks, baseline_build
                rows.append(
                    _search_row(
                        label,
                        search_label,
                        level,
                        timed,
                        None if search == index.search_exhaustive else reference,
                        memory,
                        fallbacks,
                        built,
                        before,
                    )
                )
        faiss_at[0][1]()
        del index, baseline
    print(
        f"1:N top-10 search over {size:,} templates, one thread on one core, {queries} probes; "
        "every search on the same templates in the same run. 'same hits' compares keys and "
        "scores (1e-5) with the float32 scan. 'build' is adding every template.\n"
    )
    table(
        [
            "dimensions, gallery",
            "search",
            "SIMD level",
            "memory",
            "p50 / p95 wall ms",
            "p50 CPU ms",
            "same hits as float32",
            "full-scan fallbacks",
            "build",
            "load (1 min) before / after",
        ],
        rows,
    )


def _search_row(label, search, level, timed, reference, nbytes, fallbacks, build, before):
    times, cpus, answers = timed
    same = (
        "reference"
        if reference is None
        else f"{sum(_same_hits(a, b) for a, b in zip(reference[2], answers, strict=True))}"
        f"/{len(answers)}"
    )
    return [
        label,
        search,
        level,
        f"{nbytes / 2**20:.0f} MiB",
        f"{np.median(times) * 1000:.1f} / {np.percentile(times, 95) * 1000:.1f}",
        f"{np.median(cpus) * 1000:.1f}",
        same,
        "—" if fallbacks is None else f"{fallbacks}",
        f"{build:.1f} s",
        f"{before:.1f} / {os.getloadavg()[0]:.1f}",
    ]


def _timed_in_turn(searches, probes) -> list[tuple[list, list, list]]:
    """`_timed` for several searches, each probe given to each search in turn (the order
    rotating from probe to probe)."""
    results = [([], [], []) for _ in searches]
    for number, probe in enumerate(probes):
        for turn in range(len(searches)):
            which = (number + turn) % len(searches)
            times, cpus, answers = results[which]
            started, cpu = time.perf_counter(), time.process_time()
            found = searches[which](probe, k=10)
            cpus.append(time.process_time() - cpu)
            times.append(time.perf_counter() - started)
            answers.append(found)
    return results


def _same_hits(a, b) -> bool:
    """Same keys in the same order, scores equal within float32 rounding (1e-5)."""
    return [c.key for c in a] == [c.key for c in b] and all(
        abs(x.score - y.score) <= 1e-5 for x, y in zip(a, b, strict=True)
    )


def _rss_mib() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, 100,000 templates")
    parser.add_argument("--search-only", action="store_true", help="only the 1:N search section")
    parser.add_argument("--attacks-only", action="store_true", help="only the attack set (--lfw)")
    parser.add_argument(
        "--lfw-only", action="store_true", help="only the LFW View 2 / group section (--lfw)"
    )
    parser.add_argument("--latency-only", action="store_true", help="only the per-step latency")
    parser.add_argument("--pairs", type=Path, default=DATA / "pairs.txt")
    parser.add_argument("--images", type=Path, default=DATA / "faces")
    parser.add_argument("--lfw", type=Path, help="LFW folder (images/, pairs.txt)")
    parser.add_argument("--groups", type=Path, default=REPO / "mpp/biometrics/data/lfw_groups.csv")
    parser.add_argument("--lfw-cache", type=Path, help="embedding cache for LFW")
    parser.add_argument("--attacks", type=int, default=0, help="attack-set identities per group")
    parser.add_argument(
        "--attacks-all", action="store_true", help="every reserved identity that qualifies"
    )
    args = parser.parse_args()
    print(f"# Face pipeline benchmark (one core, numpy {np.__version__})\n")
    if args.attacks_only:
        identities = groups_read(args.groups, args.lfw / "images")
        per_group = None if args.attacks_all else args.attacks or 20
        attack_set(identities, args.lfw_cache or CACHE, per_group=per_group)
        return
    if args.lfw_only:
        lfw(args.lfw, args.groups, args.lfw_cache or CACHE, attacks=args.attacks)
        return
    if args.latency_only:
        latency(runs=5 if args.quick else 30)
        return
    if args.search_only:
        pairs = pairs_read(args.pairs.resolve(), args.images.resolve())
        real = embeddings_for([p.left for p in pairs] + [p.right for p in pairs], cache_dir=CACHE)
        search(100_000 if args.quick else 1_000_000, 20 if args.quick else 100, real)
        return
    latency(runs=5 if args.quick else 30)
    embeddings = accuracy(args.pairs.resolve(), args.images.resolve())
    identification(embeddings, trials=5 if args.quick else 40)
    if args.lfw:
        lfw(args.lfw, args.groups, args.lfw_cache or CACHE, attacks=args.attacks)
    search(100_000 if args.quick else 1_000_000, 20 if args.quick else 100, embeddings)


def lfw(root: Path, groups: Path, cache: Path, *, attacks: int) -> None:
    images = root / "images"
    pairs = pairs_read(root / "pairs.txt", images)
    paths = [p.left for p in pairs] + [p.right for p in pairs]
    # the model before decision 0049 (dlib alignment; raw cosine before 0042, then AS-norm) and
    # the new one (ONet alignment, AS-norm), each on its own embeddings and thresholds
    scorings = [
        ("MobileFaceNet, dlib alignment, raw cosine", MOBILEFACENET, False, OLD_RAW_VERIFY),
        (
            "MobileFaceNet, dlib alignment + AS-norm (old)",
            MOBILEFACENET,
            True,
            thresholds_for(MOBILEFACENET).verify,
        ),
        (
            "MobileFaceNet, ONet alignment + AS-norm (new)",
            MOBILEFACENET_ONET,
            True,
            thresholds_for(MOBILEFACENET_ONET).verify,
        ),
    ]
    v2_rows = []
    for label, model_id, cohort, threshold in scorings:
        progress(f"LFW View 2 with {label}")
        embedded = embeddings_for(paths, cache_dir=cache, model_id=model_id)
        report = pairs_evaluate(
            pairs, embedded, model_id=model_id, cohort=cohort, threshold=threshold
        )
        v2_rows.append(
            [
                label,
                f"{report['accuracy']:.2%} ± {report['accuracy_std']:.2%}",
                f"{report['tar_at_far']:.2%}",
                f"{report['threshold_at_far']}",
                f"{report['fmr']:.3%} / {report['fnmr']:.2%} at {report['threshold']}",
                f"{report['failure_to_enrol']:.2%}",
            ]
        )
    print(
        f"LFW View 2 ({report['genuine_pairs']} + {report['impostor_pairs']} pairs, "
        f"{report['images']} images), dlib detection, each model's own alignment:\n"
    )
    table(
        [
            "scoring",
            "10-fold accuracy",
            "TAR at FAR 0.1%",
            "threshold at FAR 0.1%",
            "FMR / FNMR at operating threshold",
            "failure to enrol",
        ],
        v2_rows,
    )
    identities = groups_read(groups, images)
    group_paths = [p for i in identities for p in i.images]
    rows, fusion_rows = [], []
    reserved_fmr = {}
    group_scorings = [
        ("dlib ResNet (first model)", DLIB_RESNET, False, thresholds_for(DLIB_RESNET).verify),
        *scorings,
    ]
    for label, model_id, cohort, threshold in group_scorings:
        progress(f"groups with {label}")
        emb = embeddings_for(group_paths, cache_dir=cache, model_id=model_id)
        scoring = {"model_id": model_id, "cohort": cohort}
        for row in groups_evaluate(identities, emb, threshold=threshold, **scoring):
            at = {t["fmr_target"]: t for t in row["at_target"]}
            rows.append(
                [
                    label,
                    f"{row['group']} [{row['split']}]",
                    f"{row['identities']} ({row['identities_with_pairs']}) / {row['images']}",
                    f"{row['genuine_pairs']} / {row['impostor_pairs']}",
                    f"{row['fmr']:.3%} / {row['fnmr']:.2%} at {threshold}",
                    f"{at[0.001]['threshold']} (FNMR {at[0.001]['fnmr']:.2%})",
                    f"{at[0.0001]['threshold']} (FNMR {at[0.0001]['fnmr']:.2%})",
                ]
            )
            if row["split"] == "reserved":
                reserved_fmr[(label, row["group"])] = row["fmr"]
        for group in sorted({i.group for i in identities}):
            members = [i for i in identities if i.group == group and i.split == "reserved"]
            for f in fusion_evaluate(members, emb, threshold=threshold, **scoring):
                fusion_rows.append(
                    [
                        label,
                        group,
                        f["enrolment"],
                        f["probe"],
                        f"{f['identities']}",
                        f"{f['genuine']} / {f['impostor']}",
                        f"{f['fmr']:.3%} / {f['fnmr']:.2%}",
                        f"{f['fnmr_at_far']:.2%} (at {f['threshold_at_far']})",
                    ]
                )
    print(
        "\nBy group (labels: mpp/biometrics/data/lfw_groups.csv; dev = identities with ≤ 3 "
        "images, used for calibration; reserved = ≥ 4 images, first 10 each, for reporting "
        "only). Each model at its own operating (verify) threshold:\n"
    )
    table(
        [
            "scoring",
            "group [split]",
            "identities (with 2+) / images",
            "genuine / impostor pairs",
            "FMR / FNMR at operating threshold",
            "threshold for FMR 0.1% (FNMR)",
            "threshold for FMR 0.01% (FNMR)",
        ],
        rows,
    )
    for label, *_ in group_scorings:
        asian = reserved_fmr.get((label, "east_se_asian"), 0.0)
        western = reserved_fmr.get((label, "western"), 0.0)
        ratio = asian / western if western else float("inf") if asian else 1.0
        print(f"\nReserved-group FMR ratio (Asian / Western) for {label}: {ratio:.2f}")
    print(
        "\nBurst fusion on the reserved identities with ≥ 6 images (photos of one person "
        "fused 3 at a time, quality-weighted; impostors are the other identities of the same "
        "group):\n"
    )
    table(
        [
            "scoring",
            "group",
            "enrolment",
            "probe",
            "identities",
            "genuine / impostor",
            "FMR / FNMR at operating threshold",
            "FNMR at FMR 0.1%",
        ],
        fusion_rows,
    )
    if attacks:
        attack_set(identities, cache, per_group=attacks)


def wilson(successes: int, count: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion (sound at 0 of n, unlike the normal one)."""
    if count == 0:
        return 0.0, 1.0
    p = successes / count
    centre = (p + z * z / (2 * count)) / (1 + z * z / count)
    half = z * np.sqrt(p * (1 - p) / count + z * z / (4 * count * count)) / (1 + z * z / count)
    return max(0.0, centre - half), min(1.0, centre + half)


def _rate(errors: int, count: int) -> str:
    low, high = wilson(errors, count)
    return f"{errors / max(count, 1):.1%} ({errors}/{count}; {low:.1%}–{high:.1%})"


def attack_set(identities, cache: Path, *, per_group: int | None) -> None:
    """APCER / BPCER on the reserved identities' bursts, judged by the deployed rule, with the
    photos chosen by the previous pair rule (yaw of the original photo) and by the fourth
    round's (yaw measured on the camera frame, the challenge reached with a margin) in the same
    run; per group and in total, each rate with its 95 % Wilson interval. `per_group`: at
    most that many identities per group (None: every reserved identity that qualifies)."""
    instruments = {"pairs by the original's yaw (before)": False, "pairs by the frame's yaw": True}
    kinds = ("genuine", *ATTACKS)
    groups = sorted({i.group for i in identities})
    counts = {(label, g): {k: [0, 0] for k in kinds} for label in instruments for g in groups}
    notes = []
    for group in groups:
        members = [i for i in identities if i.group == group and i.split == "reserved"]
        emb = embeddings_for([p for i in members for p in i.images], cache_dir=cache)
        for label, on_frame in instruments.items():
            progress(f"attack set, {group}, {label}")
            result = presentation_evaluate(
                members,
                emb,
                limit=per_group,
                progress=lambda n: progress(f"  {n} identities"),
                on_frame=on_frame,
            )
            for kind, (passed, count) in result["counts"].items():
                counts[(label, group)][kind] = [passed, count]
            notes.append(
                f"{group}, {label}: {len(result['identities'])} identities; refusal reasons "
                + "; ".join(f"{k}: {v}" for k, v in result["reasons"].items())
            )
    for label in instruments:
        rows = []
        for kind in kinds:
            row = ["genuine head turn (synthesised)" if kind == "genuine" else kind]
            for group in [*groups, None]:
                judged = [counts[(label, g)][kind] for g in groups if group in (None, g)]
                passed, count = (sum(c[0] for c in judged), sum(c[1] for c in judged))
                errors = count - passed if kind == "genuine" else passed
                row.append(("BPCER " if kind == "genuine" else "APCER ") + _rate(errors, count))
            rows.append(row)
        print(f"\nAttack set from the reserved identities' photos, {label}, deployed rule:\n")
        table(["presentation", *groups, "both groups"], rows)
    for note in notes:
        print(f"\n- {note}")


if __name__ == "__main__":
    main()
