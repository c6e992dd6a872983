"""Evaluate face recognition on an LFW-format pairs file and/or by group (a labels CSV), and
calibrate operating thresholds (see mpp/biometrics/evaluation.py, docs/biometrics.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mpp.biometrics.cohort import cohort_for
from mpp.biometrics.embedding import MODELS, model_get
from mpp.biometrics.engine import ModelFileError
from mpp.biometrics.evaluation import (
    embeddings_for,
    groups_evaluate,
    groups_read,
    pairs_evaluate,
    pairs_read,
    thresholds_calibrate,
)
from mpp.citizens.services.faces import face_thresholds

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
        "Evaluate the face pipeline: on an LFW-format pairs file (10-fold accuracy, TAR at "
        "FAR, FMR/FNMR at the operating threshold, failure-to-enrol) and/or by group from a "
        "labels CSV (FMR/FNMR per group and the threshold for a target FMR per group); "
        "--calibrate GROUP prints operating thresholds from that group's dev identities."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pairs", type=Path, help="LFW pairs file")
        parser.add_argument(
            "--images", type=Path, required=True, help="folder with name/name_0001.jpg"
        )
        parser.add_argument(
            "--groups", type=Path, help="labels CSV: name,group,images,split (dev|reserved)"
        )
        parser.add_argument(
            "--model",
            default=None,
            choices=sorted(MODELS),
            help="embedding model (default: the one new templates use)",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--far", type=float, default=0.001, help="FAR for TAR (0.001)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="operating threshold (default: this deployment's verify threshold)",
        )
        parser.add_argument(
            "--target-fmr",
            type=float,
            action="append",
            default=None,
            help="FMR to find a per-group threshold for (repeatable; 0.001 and 0.0001)",
        )
        parser.add_argument(
            "--calibrate",
            metavar="GROUP",
            help="print FACE_THRESHOLDS from the dev identities of GROUP (verify at FMR 0.1%%, "
            "identify at 0.01%%)",
        )
        parser.add_argument(
            "--no-flip", action="store_true", help="no flipped-chip test-time augmentation"
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help="raw cosine scores instead of the cohort-normalised 1:1 score (as before "
            "decision 0042; give --threshold for a raw threshold)",
        )
        parser.add_argument(
            "--cache",
            type=Path,
            default=None,
            help="keep embeddings in this folder between runs (public evaluation sets only)",
        )

    def handle(
        self, *args, pairs, images, groups, model, far, threshold, no_flip, cache, raw, **opt
    ):
        if not pairs and not groups:
            raise CommandError("give --pairs, --groups or both")
        if pairs and not pairs.is_file():
            raise CommandError(f"--pairs {pairs}: no such file")
        if groups and not groups.is_file():
            raise CommandError(f"--groups {groups}: no such file")
        if not images.is_dir():
            raise CommandError(f"--images {images}: no such folder")
        if opt["calibrate"] and not groups:
            raise CommandError("--calibrate needs --groups")
        model_id = model_get(model).id
        if raw and threshold is None:
            # the deployment's verify threshold is on the normalised score, not on cosine
            raise CommandError("--raw needs --threshold (a threshold on raw cosine scores)")
        if threshold is None:
            threshold = face_thresholds(model_id).verify
        try:
            parsed = pairs_read(pairs, images) if pairs else []
        except ValueError as exc:
            raise CommandError(f"{pairs}: {exc}") from exc
        try:
            identities = groups_read(groups, images) if groups else []
        except ValueError as exc:
            raise CommandError(f"{groups}: {exc}") from exc
        as_json = opt["json"]
        paths = [p.left for p in parsed] + [p.right for p in parsed]
        paths += [path for identity in identities for path in identity.images]

        def progress(done, total):
            if not as_json and (done % 100 == 0 or done == total):
                self.stderr.write(f"embedded {done}/{total} images")

        try:
            embeddings = embeddings_for(
                paths, cache_dir=cache, flip=not no_flip, model_id=model_id, progress=progress
            )
        except ModelFileError as error:
            raise CommandError(str(error)) from error
        scoring = {"cohort": not raw, "model_id": model_id}
        try:
            cohort_for(model_id)
        except ModelFileError as error:
            raise CommandError(str(error)) from error
        report = {"model": model_id, "normalised": bool(not raw and cohort_for(model_id))}
        if parsed:
            report["pairs"] = pairs_evaluate(
                parsed, embeddings, threshold=threshold, far=far, **scoring
            )
        if identities:
            targets = tuple(opt["target_fmr"] or (0.001, 0.0001))
            report["groups"] = groups_evaluate(
                identities, embeddings, threshold=threshold, target_fmrs=targets, **scoring
            )
        if opt["calibrate"]:
            try:
                report["calibration"] = thresholds_calibrate(
                    identities, embeddings, group=opt["calibrate"], **scoring
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self._print(report)

    def _print(self, report):
        scoring = "cohort-normalised 1:1 (AS-norm)" if report["normalised"] else "raw cosine"
        self.stdout.write(f"model: {report['model']}; scores: {scoring}")
        if "pairs" in report:
            width = max(len(label) for label, _ in ROWS)
            for label, value in ROWS:
                self.stdout.write(f"{label:<{width}}  {value(report['pairs'])}")
        for row in report.get("groups", []):
            targets = "; ".join(
                f"FMR {t['fmr_target']:.2%} at threshold {t['threshold']} "
                f"(FNMR {t['fnmr']:.2%}, {t['allowed_impostors']} impostor pairs allowed)"
                for t in row["at_target"]
            )
            self.stdout.write(
                f"group {row['group']} [{row['split']}]: {row['identities']} identities "
                f"({row['identities_with_pairs']} with 2+ images), {row['images']} images, "
                f"{row['genuine_pairs']} genuine / {row['impostor_pairs']} impostor pairs\n"
                f"  at threshold {row['threshold']}: FMR {row['fmr']:.3%}  "
                f"FNMR {row['fnmr']:.2%}\n  {targets}"
            )
        if "calibration" in report:
            c = report["calibration"]
            self.stdout.write(
                f"calibration from group {c['group']} [dev]: {c['identities']} identities, "
                f"{c['genuine_pairs']} genuine / {c['impostor_pairs']} impostor pairs\n"
                f"  verify {c['verify']} ({'normalised' if c['normalised'] else 'cosine'}, "
                f"FMR 0.1%, FNMR there {c['verify_fnmr']:.2%}); "
                f"identify {c['identify']} (FMR 0.01%, FNMR there {c['identify_fnmr']:.2%}); "
                f"duplicate review from {c['duplicate']} (both cosine: 1:N)\n"
                f'  FACE_THRESHOLDS={{"verify": {c["verify"]}, "identify": {c["identify"]}, '
                f'"duplicate": {c["duplicate"]}}}'
            )
