import json
from io import StringIO

import numpy as np
import pytest

from mpp.biometrics.evaluation import Pair, _threshold_at_far, pairs_evaluate, pairs_read

from .conftest import DATA, FACES, cache_dir


def test_the_shared_set_scores_at_least_99_percent_on_the_lfw_protocol(pairs, embeddings):
    report = pairs_evaluate(pairs, embeddings)
    assert report["folds"] == 10 and report["pairs"] == 600
    assert report["accuracy"] >= 0.99
    assert report["failure_to_enrol"] == 0.0
    assert report["fmr"] <= 0.01 and report["fnmr"] <= 0.01


def test_a_pair_with_an_image_without_a_face_counts_as_different(pairs, embeddings):
    broken = dict(embeddings)
    broken[pairs[0].left] = (None, {"faces": 0})
    report = pairs_evaluate(pairs, broken)
    assert report["failed_images"] == 1 and report["fnmr"] > 0


def test_tar_at_far_uses_the_threshold_that_lets_through_at_most_that_share_of_impostors():
    impostor = np.linspace(0.0, 0.999, 1000)
    threshold = _threshold_at_far(impostor, 0.001)
    assert (impostor >= threshold).sum() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ten\t30\n", "line 1"),
        ("1\t1\nJohn_Simm\t1\t2\n", "expected 2 pairs"),
        ("1\t1\nJohn_Simm\t1\t2\nJohn_Simm\t1\n", "line 3: expected 3 or 4 fields"),
        ("1\t1\nJohn_Simm\t1\t99\nJohn_Simm\t1\tJohn_Salley\t1\n", "line 2: no image"),
    ],
)
def test_a_malformed_pairs_file_names_the_line(tmp_path, text, message):
    path = tmp_path / "pairs.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        pairs_read(path, FACES)


def test_pairs_follow_the_lfw_layout():
    first = pairs_read(DATA / "pairs.txt", FACES)[0]
    assert isinstance(first, Pair) and first.same and first.fold == 0
    assert first.left.name.startswith(first.left.parent.name + "_")


def test_face_eval_prints_the_figures_as_json():
    from django.apps import apps

    if not apps.ready:
        pytest.skip("needs Django (the project's pytest run provides it)")
    from django.core.management import call_command

    out = StringIO()
    call_command(
        "face_eval",
        "--pairs",
        str(DATA / "pairs.txt"),
        "--images",
        str(FACES),
        "--cache",
        str(cache_dir()),
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["model"] == "mobilefacenet-expo1.0.24-arcface112"
    pairs = report["pairs"]
    assert pairs["accuracy"] >= 0.99 and pairs["folds"] == 10
    assert set(pairs) >= {"tar_at_far", "fmr", "fnmr", "failure_to_enrol"}
