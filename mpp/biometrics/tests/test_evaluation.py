import json
from io import StringIO

import numpy as np
import pytest

from mpp.biometrics.evaluation import (
    Pair,
    _threshold_at_far,
    embeddings_for,
    pairs_evaluate,
    pairs_read,
)

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


@pytest.mark.lfw
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
    assert report["model"] == "mobilefacenet-expo1.0.24-onet5"
    pairs = report["pairs"]
    assert pairs["accuracy"] >= 0.99 and pairs["folds"] == 10
    assert set(pairs) >= {"tar_at_far", "fmr", "fnmr", "failure_to_enrol"}


# --- by group (issue 12) ------------------------------------------------------------------

LABELS = """name,group,images,split
Deepface_Person_02,a,3,dev
Deepface_Person_03,a,2,dev
Deepface_Person_04,a,2,dev
Deepface_Person_05,a,2,dev
John_Simm,a,11,reserved
John_Salley,a,11,reserved
John_Savage,b,11,reserved
John_Schneider,b,11,reserved
John_Shimkus,b,11,reserved
Kit_Harington,b,3,dev
Rose_Leslie,b,2,dev
"""


@pytest.fixture
def labels(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text(LABELS)
    return path


@pytest.mark.lfw
def test_groups_are_reported_with_their_sizes_and_a_threshold_for_a_target_fmr(labels):
    from mpp.biometrics import VERIFY_THRESHOLD
    from mpp.biometrics.evaluation import groups_evaluate, groups_read

    identities = groups_read(labels, FACES)
    paths = [p for i in identities for p in i.images]
    embeddings = embeddings_for(paths, cache_dir=cache_dir())
    rows = {
        (r["group"], r["split"]): r
        for r in groups_evaluate(identities, embeddings, threshold=VERIFY_THRESHOLD)
    }
    assert set(rows) == {("a", "dev"), ("a", "reserved"), ("b", "dev"), ("b", "reserved")}
    reserved = rows[("b", "reserved")]
    # three men with 10 photos each (first 10 kept): 3 × 45 genuine, 3 × 100 impostor pairs
    assert reserved["identities"] == 3 and reserved["images"] == 30
    assert reserved["genuine_pairs"] == 135 and reserved["impostor_pairs"] == 300
    # the real model on real photos: the impostors are refused, the genuine pairs accepted
    assert reserved["fmr"] == 0.0 and reserved["fnmr"] <= 0.05
    target = reserved["at_target"][0]
    assert target["fmr_target"] == 0.001 and target["allowed_impostors"] == 0


def test_a_bad_labels_file_names_the_row(tmp_path):
    from mpp.biometrics.evaluation import groups_read

    bad = tmp_path / "bad.csv"
    bad.write_text("name,group,images,split\nJohn_Simm,a,11,test\n")
    with pytest.raises(ValueError, match="row 2: split must be dev or reserved"):
        groups_read(bad, FACES)
    bad.write_text("name,group,images,split\nNobody_Here,a,1,dev\n")
    with pytest.raises(ValueError, match="row 2: no images for Nobody_Here"):
        groups_read(bad, FACES)


@pytest.mark.lfw
def test_face_eval_prints_groups_and_the_calibrated_thresholds(labels):
    from django.apps import apps

    if not apps.ready:
        pytest.skip("needs Django (the project's pytest run provides it)")
    from django.core.management import call_command

    out = StringIO()
    call_command(
        "face_eval",
        "--images",
        str(FACES),
        "--groups",
        str(labels),
        "--cache",
        str(cache_dir()),
        "--calibrate",
        "a",
        stdout=out,
    )
    text = out.getvalue()
    assert "group a [dev]: 4 identities" in text and "group b [reserved]: 3 identities" in text
    assert "FACE_THRESHOLDS=" in text


def test_calibration_sets_verify_on_the_normalised_score_and_1n_thresholds_on_cosine(labels):
    """Decision 0042: 1:1 verification compares cohort-normalised scores, the exact 1:N search
    ranks raw cosine; each threshold is set on the score it is used with."""
    from mpp.biometrics.evaluation import (
        group_scores,
        groups_read,
        thresholds_calibrate,
    )

    identities = groups_read(labels, FACES)
    embeddings = embeddings_for([p for i in identities for p in i.images], cache_dir=cache_dir())
    normalised = thresholds_calibrate(identities, embeddings, group="b")
    raw = thresholds_calibrate(identities, embeddings, group="b", cohort=False)
    assert normalised["normalised"] and not raw["normalised"]
    assert normalised["identify"] == raw["identify"]
    assert normalised["duplicate"] == raw["duplicate"]
    assert normalised["verify"] != raw["verify"]
    dev = [i for i in identities if i.group == "b" and i.split == "dev"]
    _, impostor = group_scores(dev, embeddings)
    assert raw["verify"] == pytest.approx(float(impostor.max()), abs=1e-3)  # 1 pair: its max


def test_face_eval_says_which_score_it_reports(labels):
    from django.apps import apps

    if not apps.ready:
        pytest.skip("needs Django (the project's pytest run provides it)")
    from django.core.management import call_command

    common = ["--images", str(FACES), "--groups", str(labels), "--cache", str(cache_dir())]
    out = StringIO()
    call_command("face_eval", *common, "--json", stdout=out)
    assert json.loads(out.getvalue())["normalised"] is True
    out = StringIO()
    call_command("face_eval", *common, "--raw", "--threshold", "0.557", stdout=out)
    assert "scores: raw cosine" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--raw needs --threshold"):
        call_command("face_eval", *common, "--raw", stdout=StringIO())


def _simm(*numbers: int):
    from mpp.biometrics.evaluation import Identity

    from .conftest import face_path

    paths = tuple(face_path("John_Simm", n) for n in numbers)
    return Identity("John_Simm", "western", "dev", paths), embeddings_for(paths)


def test_the_genuine_turn_is_made_of_the_pair_that_turns_furthest_on_the_camera_frame():
    """Issue 12, liveness fourth round: the photos of a synthesised genuine turn are chosen by
    the yaw the camera frame shows (0002: -0.01, 0004: +0.01, 0008: +0.11, 0007: +0.18), so
    the turn is the largest one that reaches the challenge with a margin; the photo about
    half-way is the three-photo attack's middle one."""
    from mpp.biometrics.evaluation import pose_triplet

    identity, embeddings = _simm(2, 4, 7, 8)
    front, half, turned = pose_triplet(identity, embeddings)
    assert (front.name, turned.name) == ("John_Simm_0002.jpg", "John_Simm_0007.jpg")
    assert half is not None and half.name == "John_Simm_0008.jpg"


def test_a_pair_that_turns_short_of_the_challenge_is_no_genuine_turn():
    """A turned photo at +0.11 on the frame cannot reach the challenge's 0.15: a person so
    simulated stops short of what they were asked, whatever the liveness rule."""
    from mpp.biometrics.evaluation import pose_triplet

    identity, embeddings = _simm(4, 8)
    assert pose_triplet(identity, embeddings) is None
