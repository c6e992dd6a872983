"""The index exactly as PermenPANRB 14/2017 computes it, checked against hand computations."""

from decimal import Decimal
from fractions import Fraction

import pytest

from mpp.surveys.ikm import (
    METHOD_2004,
    Period,
    grade_for,
    ikm_combine,
    ikm_from_rows,
    ikm_from_sums,
    krejcie_morgan,
)


def spread(total: int, respondents: int, elements: int = 9) -> list[int]:
    """Element sums adding up to `total`, as even as possible."""
    base, extra = divmod(total, elements)
    sums = [base + (1 if i < extra else 0) for i in range(elements)]
    assert all(respondents <= s <= 4 * respondents for s in sums)
    return sums


def test_all_top_answers_give_100_and_grade_a():
    result = ikm_from_rows([[4] * 9, [4] * 9])
    assert result.ikm == Decimal("100.00")
    assert (result.grade.letter, result.grade.label) == ("A", "Sangat Baik")


def test_all_bottom_answers_give_25_and_grade_d():
    result = ikm_from_rows([[1] * 9])
    assert result.ikm == Decimal("25.00")
    assert (result.grade.letter, result.grade.label) == ("D", "Tidak Baik")


def test_a_hand_computed_example_keeps_exact_nrr_and_weights():
    # Three questionnaires; U1 scores 4, 3, 3 → NRR 10/3 = 3.3333; weighted 10/27.
    rows = [[4, 3, 3, 2, 4, 3, 4, 3, 2], [3, 3, 4, 4, 3, 3, 4, 3, 2], [3, 4, 3, 4, 3, 4, 4, 3, 3]]
    result = ikm_from_rows(rows)
    assert result.nrr[0] == Fraction(10, 3)
    assert result.nrr_display[0] == Decimal("3.3333")
    assert result.weighted[0] == Fraction(10, 27)
    assert result.weighted_display[0] == Decimal("0.3704")
    # Sum of all scores 88 over 27 answers: IKM = 88/27 × 25 = 81.481… → 81.48, grade B.
    assert result.ikm_exact == Fraction(88 * 25, 27)
    assert result.ikm == Decimal("81.48")
    assert (result.grade.letter, result.grade.label) == ("B", "Baik")
    assert [number for number, _ in result.lowest_elements(2)] == [9, 8]


@pytest.mark.parametrize(
    "respondents, total, ikm, letter",
    [
        # IKM = 25 × total / (9 × respondents), exact, then rounded half-up to 2 places.
        (38, 889, "64.99", "D"),  # 22225/342 = 64.9853…
        (5, 117, "65.00", "C"),  # exactly 65
        (26, 717, "76.60", "C"),  # 76.6025…
        (19, 524, "76.61", "B"),  # 76.6081…
        (19, 604, "88.30", "B"),  # 88.3040…
        (24, 763, "88.31", "A"),  # 88.3101…
    ],
)
def test_grade_boundaries(respondents, total, ikm, letter):
    result = ikm_from_sums(respondents=respondents, element_sums=spread(total, respondents))
    assert result.ikm == Decimal(ikm)
    assert result.grade.letter == letter


@pytest.mark.parametrize(
    "value, letter",
    [
        ("64.99", "D"),
        ("65.00", "C"),
        ("76.60", "C"),
        ("76.61", "B"),
        ("88.30", "B"),
        ("88.31", "A"),
        ("25.00", "D"),
        ("100.00", "A"),
    ],
)
def test_grade_table_of_the_regulation(value, letter):
    assert grade_for(Decimal(value)).letter == letter


def test_the_three_weight_modes_differ_as_hand_computed():
    sums = spread(763, 24)  # exact IKM 88.3101… → A
    exact = ikm_from_sums(respondents=24, element_sums=sums)
    three = ikm_from_sums(respondents=24, element_sums=sums, weight_mode="0.111")
    two = ikm_from_sums(respondents=24, element_sums=sums, weight_mode="0.11")
    # 763/24 × 0.111 × 25 = 88.2218… ; × 0.11 = 87.4270…
    assert (exact.ikm, exact.grade.letter) == (Decimal("88.31"), "A")
    assert (three.ikm, three.grade.letter) == (Decimal("88.22"), "B")
    assert (two.ikm, two.grade.letter) == (Decimal("87.43"), "B")
    full = [[4] * 9]
    assert ikm_from_rows(full, weight_mode="0.111").ikm == Decimal("99.90")
    assert ikm_from_rows(full, weight_mode="0.11").ikm == Decimal("99.00")


def test_unknown_weight_mode_is_refused():
    with pytest.raises(ValueError, match="weight mode"):
        ikm_from_rows([[4] * 9], weight_mode="0.1")


def test_legacy_2004_method_uses_14_elements_and_its_own_intervals():
    # Mean score 2.5 → 62.50, the top of C in 2004 (it would be D today).
    rows = [[2] * 7 + [3] * 7, [3] * 7 + [2] * 7]
    result = ikm_from_rows(rows, method=METHOD_2004)
    assert result.weighted[0] == Fraction(5, 2) * Fraction(1, 14)
    assert result.ikm == Decimal("62.50")
    assert (result.grade.letter, result.grade.label) == ("C", "Kurang Baik")
    assert grade_for(Decimal("62.50")).letter == "D"
    assert grade_for(Decimal("81.26"), METHOD_2004).letter == "A"
    assert grade_for(Decimal("43.75"), METHOD_2004).letter == "D"


def test_the_methods_are_never_mixed():
    with pytest.raises(ValueError, match="14 elements"):
        ikm_from_sums(respondents=1, element_sums=[4] * 9, method=METHOD_2004)
    with pytest.raises(ValueError, match="9 elements"):
        ikm_from_sums(respondents=1, element_sums=[4] * 14)


def test_no_questionnaires_gives_no_index_rather_than_zero():
    result = ikm_from_sums(respondents=0, element_sums=[0] * 9)
    assert result.ikm is None and result.grade is None


@pytest.mark.parametrize(
    "population, sample", [(100, 80), (1_000, 278), (10_000, 370), (0, 0), (10, 10)]
)
def test_krejcie_morgan_sample_sizes(population, sample):
    assert krejcie_morgan(population) == sample


def test_periods_parse_and_step_back():
    q1 = Period.parse("2026-q1")
    assert (q1.start.isoformat(), q1.end.isoformat()) == ("2026-01-01", "2026-04-01")
    assert str(q1.previous()) == "2025-Q4"
    s2 = Period.parse("2026-S2")
    assert (s2.start.month, s2.end.year) == (7, 2027)
    assert str(Period.parse("2025").previous()) == "2024"
    for bad in ["2026-Q5", "2026-X1", "abc", "2026-S3", "1999", "2101-Q1", "9" * 23]:
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_combining_units_adds_respondents_and_sums_not_indexes():
    small = ikm_from_rows([[4] * 9])  # 100.00 from one questionnaire
    large = ikm_from_rows([[2] * 9] * 3)  # 50.00 from three
    both = ikm_combine([small, large])
    assert both.respondents == 4
    assert both.ikm_exact == ikm_from_rows([[4] * 9] + [[2] * 9] * 3).ikm_exact
    assert str(both.ikm) == "62.50"  # not (100 + 50) / 2
    assert ikm_combine([]).respondents == 0 and ikm_combine([]).ikm is None
