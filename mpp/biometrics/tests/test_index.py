import numpy as np
import pytest

from mpp.biometrics import (
    Outcome,
    TemplateIndex,
    duplicate_candidates,
    identify,
)
from mpp.biometrics.embedding import DIMENSIONS, normalise


@pytest.fixture
def random_index():
    rng = np.random.default_rng(1)
    vectors = normalise(rng.standard_normal((500, DIMENSIONS)))
    index = TemplateIndex(capacity=8)  # grows as templates are added
    index.add_many(np.arange(500), vectors)
    return index, vectors


def test_search_returns_the_same_top_10_as_brute_force(random_index):
    index, vectors = random_index
    query = vectors[7] + 0.05
    found = index.search(query, k=10)
    expected = np.argsort(-(vectors @ normalise(query)))[:10]
    assert [c.key for c in found] == expected.tolist()
    assert found[0].score >= found[-1].score


def test_a_key_with_several_templates_is_listed_once_with_its_best_score(random_index):
    index, vectors = random_index
    index.add(7, vectors[7])
    found = index.search(vectors[7], k=5)
    assert [c.key for c in found].count(7) == 1
    assert found[0].key == 7 and found[0].score == pytest.approx(1.0, abs=1e-5)


def test_removing_a_key_removes_all_its_templates(random_index):
    index, vectors = random_index
    index.add(7, vectors[7])
    assert index.remove(7) == 2
    assert len(index) == 499
    assert 7 not in [c.key for c in index.search(vectors[7], k=10)]


def test_an_empty_index_finds_nothing():
    assert TemplateIndex().search(np.ones(DIMENSIONS), k=10) == []
    assert identify(TemplateIndex(), np.ones(DIMENSIONS)).outcome == Outcome.NO_MATCH


def test_identification_names_the_person_among_real_faces(embedding_of):
    index = TemplateIndex()
    for key, name in enumerate(["John_Simm", "John_Salley", "Joe_Biden", "Rose_Leslie"]):
        index.add(key, embedding_of(name, 1))
    result = identify(index, embedding_of("John_Salley", 2))
    assert result.outcome == Outcome.MATCH and result.key == 1


def test_identification_refuses_someone_not_enrolled(embedding_of):
    index = TemplateIndex()
    for key, name in enumerate(["John_Simm", "John_Salley", "Joe_Biden"]):
        index.add(key, embedding_of(name, 1))
    result = identify(index, embedding_of("Rose_Leslie", 1))
    assert result.outcome == Outcome.NO_MATCH and result.key is None


def test_identification_is_ambiguous_when_two_keys_are_too_close(embedding_of):
    index = TemplateIndex()
    index.add(1, embedding_of("John_Salley", 1))
    index.add(2, embedding_of("John_Salley", 3))  # the same person enrolled twice
    result = identify(index, embedding_of("John_Salley", 2), margin=0.5)
    assert result.outcome == Outcome.AMBIGUOUS and result.key is None


def test_duplicate_check_lists_the_same_face_under_another_key(embedding_of):
    index = TemplateIndex()
    index.add(10, embedding_of("Rose_Leslie", 1))  # the citizen being enrolled
    index.add(20, embedding_of("Rose_Leslie", 2))  # same face, another NIK
    index.add(30, embedding_of("Joe_Biden", 1))
    found = duplicate_candidates(index, embedding_of("Rose_Leslie", 1), exclude=10)
    assert [c.key for c in found] == [20]
