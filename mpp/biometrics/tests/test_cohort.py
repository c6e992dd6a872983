"""Cohort score normalisation (AS-norm, mpp/biometrics/cohort.py, decision 0042): the vendored
cohort is checked like a model file, `compare` scores with it, and evaluation leaves a pair's
own identities out of the cohort so LFW development faces are not scored against themselves."""

import shutil

import numpy as np
import pytest

from mpp.biometrics import ModelFileError, compare, engine, models_check
from mpp.biometrics.cohort import TOP, Cohort, cohort_for
from mpp.biometrics.embedding import normalise


@pytest.fixture(scope="module")
def cohort():
    return cohort_for(engine.MODEL_ID)


def unit(rng, size=192):
    return normalise(rng.normal(size=size).astype(np.float32))


def test_the_vendored_cohort_passes_its_checksum_and_holds_dev_identities_only(cohort):
    models_check()
    assert cohort.vectors.shape == (534, 192) and len(cohort.owners) == 534
    assert np.allclose(np.linalg.norm(cohort.vectors, axis=1), 1.0, atol=1e-4)
    # every row is an LFW identity of the labels file's dev split (≤ 3 images), none reserved
    from pathlib import Path

    labels = Path(engine.__file__).parent / "data" / "lfw_groups.csv"
    split = {line.split(",")[0]: line.split(",")[3] for line in labels.read_text().splitlines()[1:]}
    assert {split[name] for name in set(cohort.owners)} == {"dev"}


@pytest.mark.parametrize("name", sorted(engine.COHORT_FILES))
def test_a_missing_or_altered_cohort_file_is_a_clear_error_naming_its_script(tmp_path, name):
    with pytest.raises(ModelFileError) as caught:
        engine.model_path(name, directory=tmp_path)
    assert "missing" in str(caught.value) and "scripts/face_cohort.py" in str(caught.value)
    copy = tmp_path / name
    shutil.copyfile(engine.MODELS_DIR / name, copy)
    data = bytearray(copy.read_bytes())
    data[-3] ^= 1
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelFileError) as caught:
        engine.model_path(name, directory=tmp_path)
    assert "SHA-256" in str(caught.value) and engine.COHORT_FILES[name] in str(caught.value)


def test_compare_scores_with_as_norm_against_the_cohort(cohort):
    rng = np.random.default_rng(1)
    a, b = unit(rng), unit(rng)
    raw = float(a @ b)

    def stats(v):  # an independent computation of the formula in cohort.py
        top = np.sort(cohort.vectors @ v)[::-1][:TOP]
        return top.mean(), top.std()

    (ma, sa), (mb, sb) = stats(a), stats(b)
    z = 0.5 * ((raw - ma) / sa + (raw - mb) / sb)
    expected = cohort.scale[0] + cohort.scale[1] * z
    assert compare(a, b).score == pytest.approx(expected, abs=1e-4)


def test_the_same_cosine_counts_for_less_between_faces_that_resemble_many_people(cohort):
    """The point of the normalisation: a raw 0.5 between two faces in a crowded part of the
    face space (near many cohort faces) is weaker evidence than 0.5 between unusual faces."""
    rng = np.random.default_rng(2)
    crowded = normalise(cohort.vectors.mean(axis=0))
    unusual = normalise(rng.normal(size=192).astype(np.float32))

    def partner(v, cosine):
        other = unit(rng)
        other = normalise(other - (other @ v) * v)
        return normalise(cosine * v + np.sqrt(1 - cosine**2) * other)

    near = compare(crowded, partner(crowded, 0.5)).score
    far = compare(unusual, partner(unusual, 0.5)).score
    assert near < far


def test_evaluation_leaves_both_identities_of_a_pair_out_of_the_cohort():
    rng = np.random.default_rng(3)
    vectors = np.stack([unit(rng, 16) for _ in range(40)])
    owners = [f"p{i // 2}" for i in range(40)]  # 20 people, 2 rows each
    cohort = Cohort.of(vectors, owners, top=5)
    faces = vectors[[0, 2]]  # p0's first face and p1's first face, both in the cohort
    matrix = cohort.matrix(faces, owners=["p0", "p1"])
    keep = np.array([o not in ("p0", "p1") for o in owners])
    by_hand = Cohort(vectors[keep], np.array(owners)[keep], 5, cohort.scale)
    mu, sd = by_hand.stats(faces)
    raw = float(faces[0] @ faces[1])
    expected = by_hand.normalise(raw, (mu[0], sd[0]), (mu[1], sd[1]))
    assert matrix[0, 1] == pytest.approx(expected) and matrix[1, 0] == pytest.approx(expected)
    # without the exclusion the faces meet themselves (score 1.0) in their own statistics
    mu_all, _ = cohort.stats(faces)
    assert mu_all[0] > mu[0]


def test_a_cohort_needs_more_faces_than_it_averages_and_one_owner_per_row():
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="more than top"):
        Cohort.of(np.stack([unit(rng) for _ in range(5)]), list("abcde"), top=5)
    with pytest.raises(ValueError, match="one owner"):
        Cohort.of(np.stack([unit(rng) for _ in range(8)]), list("abc"), top=5)
