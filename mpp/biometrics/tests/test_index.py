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


def brute_force(vectors, keys, query, k, exclude=None, min_score=None):
    """The top `k` keys by their best template, computed independently of the index."""
    scores = vectors @ normalise(query).astype(np.float32)
    best: dict[int, float] = {}
    for row in np.argsort(-scores, kind="stable"):
        key = int(keys[row])
        if key != exclude and (min_score is None or scores[row] >= min_score):
            best.setdefault(key, float(scores[row]))
    return list(best.items())[:k]


def assert_same(found, expected):
    assert [c.key for c in found] == [key for key, _ in expected]
    assert [c.score for c in found] == pytest.approx([s for _, s in expected], abs=1e-5)


def test_the_fast_search_gives_the_brute_force_answer_on_random_templates():
    rng = np.random.default_rng(3)
    vectors = normalise(rng.standard_normal((20_000, DIMENSIONS))).astype(np.float32)
    keys = rng.integers(0, 15_000, len(vectors))  # some keys hold several templates
    index = TemplateIndex()
    index.add_many(keys, vectors)
    for number in range(60):
        query = rng.standard_normal(DIMENSIONS) if number % 2 else vectors[number] + 0.02
        exclude = int(keys[number]) if number % 3 == 0 else None
        expected = brute_force(vectors, keys, query, 10, exclude)
        assert_same(index.search(query, k=10, exclude=exclude), expected)
        assert_same(index.search_exhaustive(query, k=10, exclude=exclude), expected)
    assert index.fallbacks == 0  # the proof settles ordinary searches without the full scan


def test_the_fast_search_gives_the_brute_force_answer_on_real_templates(embeddings):
    real = np.stack([v for v, _ in embeddings.values() if v is not None]).astype(np.float32)
    rng = np.random.default_rng(4)
    # real faces among face-like padding (a Gaussian fitted to them), as a gallery looks
    padding = normalise(
        rng.multivariate_normal(real.mean(axis=0), np.cov(real.T) * 1.69, 5_000)
    ).astype(np.float32)
    vectors = np.concatenate([real, padding])
    keys = np.arange(len(vectors))
    index = TemplateIndex()
    for key, vector in zip(keys[:50], vectors[:50], strict=True):
        index.add(int(key), vector)  # one by one, as the gallery is loaded
    index.add_many(keys[50:], vectors[50:])
    for probe in real:
        assert_same(index.search(probe, k=10), brute_force(vectors, keys, probe, 10))
        threshold = 0.45
        assert_same(
            index.search(probe, k=10, min_score=threshold),
            brute_force(vectors, keys, probe, 10, min_score=threshold),
        )


def test_when_the_first_pass_cannot_prove_the_answer_the_full_scan_gives_it():
    rng = np.random.default_rng(5)
    centre = normalise(rng.standard_normal(DIMENSIONS))
    # 2,000 templates closer to each other than the 8-bit codes can tell apart
    vectors = normalise(centre + 0.002 * rng.standard_normal((2_000, DIMENSIONS)))
    keys = np.arange(len(vectors))
    index = TemplateIndex()
    index.add_many(keys, vectors)
    assert_same(index.search(centre, k=10), brute_force(vectors, keys, centre, 10))
    assert index.fallbacks == 1


def test_removing_keeps_the_codes_in_step_with_the_templates():
    rng = np.random.default_rng(6)
    vectors = normalise(rng.standard_normal((3_000, DIMENSIONS))).astype(np.float32)
    keys = np.arange(3_000) % 1_000  # three templates per key
    index = TemplateIndex()
    index.add_many(keys, vectors)
    for key in range(0, 1_000, 7):
        assert index.remove(key) == 3
    kept = keys % 7 != 0
    for query in vectors[:40]:
        expected = brute_force(vectors[kept], keys[kept], query, 10)
        assert_same(index.search(query, k=10), expected)


def test_a_template_wider_than_the_codes_widens_them_and_stays_exact():
    rng = np.random.default_rng(7)
    vectors = normalise(rng.standard_normal((1_000, DIMENSIONS))).astype(np.float32)
    index = TemplateIndex()
    index.add_many(np.arange(1_000), vectors)
    spike = np.zeros(DIMENSIONS, dtype=np.float32)
    spike[3] = 1.0  # one value far outside the range seen so far
    index.add(5_000, spike)
    assert index.search(spike, k=1)[0].key == 5_000
    both = np.concatenate([vectors, spike[None, :]])
    expected = brute_force(both, np.append(np.arange(1_000), 5_000), vectors[0], 10)
    assert_same(index.search(vectors[0], k=10), expected)


def test_changes_after_a_search_are_found_by_the_next_one():
    rng = np.random.default_rng(9)
    vectors = normalise(rng.standard_normal((3_000, DIMENSIONS))).astype(np.float32)
    index = TemplateIndex()
    index.add_many(np.arange(2_000), vectors[:2_000])
    assert index.search(vectors[2_500], k=1)[0].key != 2_500
    index.add_many(np.arange(2_000, 3_000), vectors[2_000:])  # on the same scale
    assert index.search(vectors[2_500], k=1)[0].key == 2_500
    index.remove(3)  # every later row moves up a place
    for query in vectors[::97]:
        kept = np.arange(3_000) != 3
        expected = brute_force(vectors[kept], np.arange(3_000)[kept], query, 10)
        assert_same(index.search(query, k=10), expected)


def test_a_query_with_one_large_value_is_bounded_by_its_own_coding_error():
    rng = np.random.default_rng(10)
    vectors = normalise(rng.standard_normal((5_000, DIMENSIONS))).astype(np.float32)
    index = TemplateIndex()
    index.add_many(np.arange(5_000), vectors)
    query = 0.01 * rng.standard_normal(DIMENSIONS)
    query[0] = 1.0  # its other values fall between the query's coarse code steps
    assert_same(index.search(query, k=10), brute_force(vectors, np.arange(5_000), query, 10))


def test_every_first_pass_score_is_within_its_bound_of_the_exact_score():
    rng = np.random.default_rng(11)
    vectors = normalise(rng.standard_normal((4_000, DIMENSIONS))).astype(np.float32)
    queries = normalise(rng.standard_normal((20, DIMENSIONS))).astype(np.float32)
    spiky = 0.01 * rng.standard_normal(DIMENSIONS)
    spiky[0] = 1.0
    queries = np.concatenate([queries, normalise(spiky)[None, :]]).astype(np.float32)
    # the worst templates for each query: those along its own coding error
    index = TemplateIndex()
    index.add_many(np.arange(4_000), vectors)
    scale = 127 / np.abs(queries).max(axis=1, keepdims=True)
    worst = normalise(queries - np.rint(queries * scale) / scale).astype(np.float32)
    gallery = np.concatenate([vectors, worst])
    index.add_many(np.arange(4_000, 4_000 + len(worst)), worst)
    for query in queries:
        scores, bound = index.first_pass(query)
        assert np.abs(gallery @ query - scores).max() <= bound
        assert bound < 0.1  # tight enough for the first pass to settle ordinary searches


def test_every_simd_level_of_the_first_pass_gives_the_same_exact_answer():
    import faiss

    config = faiss.SIMDConfig
    levels = [
        getattr(faiss, f"SIMDLevel_{name}")
        for name in ("NONE", "AVX2", "AVX512", "AVX512_VPOPCNT", "AVX512_SPR", "ARM_NEON")
        if hasattr(faiss, f"SIMDLevel_{name}")
    ]
    levels = [level for level in levels if config.is_simd_level_available(level)]
    rng = np.random.default_rng(15)
    vectors = normalise(rng.standard_normal((6_000, DIMENSIONS))).astype(np.float32)
    index = TemplateIndex()
    index.add_many(np.arange(6_000), vectors)
    queries = vectors[:8] + 0.05 * rng.standard_normal((8, DIMENSIONS))
    automatic = config.get_level()
    try:
        for level in levels:  # the byte kernels and the plain loop read the query alike
            config.set_level(level)
            for query in queries:
                expected = brute_force(vectors, np.arange(6_000), query, 10)
                assert_same(index.search(query, k=10), expected)
                scores, bound = index.first_pass(query)
                assert np.abs(vectors @ normalise(query) - scores).max() <= bound
                # exactly the integer products of the two codes, whatever the kernel
                unit = normalise(query).astype(np.float32)
                query_scale = 127 / np.abs(unit).max()
                template_scale = 127 / index._range
                stored = index._vectors[: len(index)]  # as normalised by the index
                products = np.rint(stored * template_scale) @ np.rint(unit * query_scale)
                assert scores * template_scale * query_scale == pytest.approx(products, abs=0.01)
    finally:
        config.set_level(automatic)
    assert len(levels) >= 1 and index.fallbacks == 0
