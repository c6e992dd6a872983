"""Evaluate face recognition on an LFW-format pairs file (see mpp/biometrics/evaluation.py)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mpp.biometrics.evaluation import embeddings_for, pairs_evaluate, pairs_read
from mpp.biometrics.matching import VERIFY_THRESHOLD

ROWS = [
    ("pairs (genuine / impostor)", lambda r: f"{r['genuine_pairs']} / {r['impostor_pairs']}"),
    ("10-fold accuracy", lambda r: f"{r['accuracy']:.2%} ± {r['accuracy_std']:.2%}"),
    (
        "TAR at FAR",
        lambda r: (
            f"{r['tar_at_far']:.2%} at FAR={r['far_target']:.1%} "
            f"(threshold {r['threshold_at_far']})"
        ),
    ),
    ("FMR at threshold", lambda r: f"{r['fmr']:.3%} (threshold {r['threshold']})"),
    ("FNMR at threshold", lambda r: f"{r['fnmr']:.3%}"),
    ("failure to enrol (no face)", lambda r: f"{r['failure_to_enrol']:.2%} of {r['images']}"),
    (
        "enrolment quality gate refusals",
        lambda r: f"{r['enrolment_gate_rejections']:.2%} {r['enrolment_gate_reasons'] or ''}",
    ),
]


class Command(BaseCommand):
    help = (
        "Evaluate the face pipeline on an LFW-format pairs file: 10-fold accuracy, TAR at "
        "FAR, FMR/FNMR at the operating threshold, failure-to-enrol rate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pairs", type=Path, required=True, help="LFW pairs file")
        parser.add_argument(
            "--images", type=Path, required=True, help="folder with name/name_0001.jpg"
        )
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--far", type=float, default=0.001, help="FAR for TAR (0.001)")
        parser.add_argument("--threshold", type=float, default=VERIFY_THRESHOLD)
        parser.add_argument(
            "--no-flip", action="store_true", help="no flipped-chip test-time augmentation"
        )
        parser.add_argument(
            "--cache",
            type=Path,
            default=None,
            help="keep embeddings in this folder between runs (public evaluation sets only)",
        )

    def handle(self, *args, pairs, images, far, threshold, no_flip, cache, **options):
        if not pairs.is_file():
            raise CommandError(f"--pairs {pairs}: no such file")
        if not images.is_dir():
            raise CommandError(f"--images {images}: no such folder")
        try:
            parsed = pairs_read(pairs, images)
        except ValueError as exc:
            raise CommandError(f"{pairs}: {exc}") from exc
        as_json = options["json"]
        paths = [p.left for p in parsed] + [p.right for p in parsed]

        def progress(done, total):
            if not as_json and (done % 25 == 0 or done == total):
                self.stderr.write(f"embedded {done}/{total} images")

        embeddings = embeddings_for(paths, cache_dir=cache, flip=not no_flip, progress=progress)
        report = pairs_evaluate(parsed, embeddings, threshold=threshold, far=far)
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
            return
        width = max(len(label) for label, _ in ROWS)
        for label, value in ROWS:
            self.stdout.write(f"{label:<{width}}  {value(report)}")
