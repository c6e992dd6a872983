"""The satisfaction index (IKM) exactly as PermenPANRB 14/2017 defines it, the 2004 method
(Kepmenpan 25/2004) for old reports, the Krejcie & Morgan sample size, and report periods.

Pure Python: no database. Every intermediate value is a `Fraction`, so nothing is rounded
before the end; the published IKM is rounded half-up to two decimals and the grade is read
from that published figure (see docs/decisions/0007-ikm-exact-arithmetic.md).
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

METHOD_2017 = "2017"
METHOD_2004 = "2004"

ELEMENTS = {METHOD_2017: 9, METHOD_2004: 14}

# The weight of each element. "exact" is 1/9 as the regulation defines it; "0.111" and
# "0.11" reproduce what many regions type by hand, for comparison only.
WEIGHT_MODES = ["exact", "0.111", "0.11"]


def weight_for(method: str, mode: str = "exact") -> Fraction:
    if mode not in WEIGHT_MODES:
        raise ValueError(f"unknown weight mode {mode!r}; use one of {', '.join(WEIGHT_MODES)}")
    if mode == "exact":
        return Fraction(1, ELEMENTS[method])
    return Fraction(mode)


@dataclass(frozen=True)
class Grade:
    letter: str
    label: str  # Indonesian label as the regulation prints it
    low: Decimal
    high: Decimal


# Interval tables on the 25–100 scale (the IKM after conversion).
GRADES = {
    METHOD_2017: [
        Grade("D", "Tidak Baik", Decimal("25.00"), Decimal("64.99")),
        Grade("C", "Kurang Baik", Decimal("65.00"), Decimal("76.60")),
        Grade("B", "Baik", Decimal("76.61"), Decimal("88.30")),
        Grade("A", "Sangat Baik", Decimal("88.31"), Decimal("100.00")),
    ],
    METHOD_2004: [
        Grade("D", "Tidak Baik", Decimal("25.00"), Decimal("43.75")),
        Grade("C", "Kurang Baik", Decimal("43.76"), Decimal("62.50")),
        Grade("B", "Baik", Decimal("62.51"), Decimal("81.25")),
        Grade("A", "Sangat Baik", Decimal("81.26"), Decimal("100.00")),
    ],
}

TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def to_decimal(value: Fraction, places: Decimal = TWO_PLACES) -> Decimal:
    """Round a fraction half-up (the way a calculator or a report shows it)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    # Decimal division has 28 significant digits: plenty for 2 or 4 places on 25–100.
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def grade_for(ikm: Decimal | Fraction, method: str = METHOD_2017) -> Grade | None:
    """The grade of a published IKM (two decimals). Values below 25 (only possible with
    the rounded weights) fall in D; none when there is no value."""
    if ikm is None:
        return None
    value = to_decimal(ikm) if isinstance(ikm, Fraction) else ikm.quantize(TWO_PLACES)
    table = GRADES[method]
    for grade in table:
        if value <= grade.high:
            return grade
    return table[-1]


@dataclass
class IkmResult:
    """The index of one unit and period: what the standard report prints."""

    method: str
    weight_mode: str
    respondents: int
    element_sums: list[int]
    index_raw: Fraction | None = None  # sum of weighted NRR, 1–4
    ikm_exact: Fraction | None = None  # × 25

    # The per-element figures are computed when a page or report shows them: a national
    # table of 500 malls needs only the index, and exact fractions are not free.
    @property
    def nrr(self) -> list[Fraction]:
        """Per-element mean (NRR), exact; empty without respondents."""
        if self.respondents <= 0:
            return []
        return [Fraction(s, self.respondents) for s in self.element_sums]

    @property
    def weighted(self) -> list[Fraction]:
        """NRR × weight, exact."""
        weight = weight_for(self.method, self.weight_mode)
        return [nrr * weight for nrr in self.nrr]

    @property
    def ikm(self) -> Decimal | None:
        return None if self.ikm_exact is None else to_decimal(self.ikm_exact)

    @property
    def grade(self) -> Grade | None:
        return grade_for(self.ikm, self.method)

    @property
    def nrr_display(self) -> list[Decimal]:
        return [to_decimal(v, FOUR_PLACES) for v in self.nrr]

    @property
    def weighted_display(self) -> list[Decimal]:
        return [to_decimal(v, FOUR_PLACES) for v in self.weighted]

    def lowest_elements(self, count: int = 3) -> list[tuple[int, Fraction]]:
        """(element number, NRR) of the weakest elements: what to improve first."""
        ranked = sorted(enumerate(self.nrr, start=1), key=lambda pair: (pair[1], pair[0]))
        return ranked[:count]

    def as_dict(self) -> dict:
        grade = self.grade
        return {
            "method": self.method,
            "weights": self.weight_mode,
            "respondents": self.respondents,
            "nrr": [str(v) for v in self.nrr_display],
            "weighted_nrr": [str(v) for v in self.weighted_display],
            "ikm": None if self.ikm is None else str(self.ikm),
            "grade": grade.letter if grade else None,
            "label": grade.label if grade else None,
        }


def ikm_from_sums(
    *,
    respondents: int,
    element_sums: list[int],
    method: str = METHOD_2017,
    weight_mode: str = "exact",
) -> IkmResult:
    """The IKM from the number of filled questionnaires and the sum of scores per element
    (what one SQL aggregate returns)."""
    if len(element_sums) != ELEMENTS[method]:
        raise ValueError(
            f"the {method} method has {ELEMENTS[method]} elements, got {len(element_sums)}"
        )
    weight = weight_for(method, weight_mode)
    result = IkmResult(method, weight_mode, respondents, [int(s or 0) for s in element_sums])
    if respondents <= 0:
        return result
    # Σ (sᵢ/n × w) = w × Σsᵢ / n exactly: one fraction instead of nine plus their sum.
    result.index_raw = weight * Fraction(sum(result.element_sums), respondents)
    result.ikm_exact = result.index_raw * 25
    return result


def ikm_combine(results, *, weight_mode: str = "exact") -> IkmResult:
    """The index of several units together (a province from its malls, the nation): the
    respondents and the score sums add up, so this is exact, not an average of indexes."""
    results = list(results)
    method = results[0].method if results else METHOD_2017
    return ikm_from_sums(
        respondents=sum(r.respondents for r in results),
        element_sums=[sum(r.element_sums[i] for r in results) for i in range(ELEMENTS[method])],
        method=method,
        weight_mode=weight_mode,
    )


def ikm_from_rows(
    rows: list[list[int]], *, method: str = METHOD_2017, weight_mode: str = "exact"
) -> IkmResult:
    """The IKM of questionnaires given as lists of scores (already validated)."""
    count = ELEMENTS[method]
    sums = [sum(row[i] for row in rows) for i in range(count)]
    return ikm_from_sums(
        respondents=len(rows), element_sums=sums, method=method, weight_mode=weight_mode
    )


# --- sample size ---------------------------------------------------------------------------

CHI_SQUARE = Fraction("3.841")  # one degree of freedom, 95 %
PROPORTION = Fraction(1, 2)
MARGIN = Fraction(5, 100)


def krejcie_morgan(population: int) -> int:
    """Sample size for a population of `population` (Krejcie & Morgan 1970), rounded up:
    s = χ²·N·P(1−P) / (d²·(N−1) + χ²·P(1−P))."""
    if population <= 0:
        return 0
    pq = PROPORTION * (1 - PROPORTION)
    size = CHI_SQUARE * population * pq / (MARGIN**2 * (population - 1) + CHI_SQUARE * pq)
    return min(population, math.ceil(size))


# --- periods -------------------------------------------------------------------------------

PERIOD_KINDS = {"quarter": 3, "semester": 6, "year": 12}


@dataclass(frozen=True)
class Period:
    """A reporting period: quarter (Q1–Q4), semester (S1–S2) or year; `end` is exclusive."""

    kind: str
    year: int
    number: int = 1

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2026', '2026-S1', '2026-Q3' (case-insensitive)."""
        text = (text or "").strip().upper()
        try:
            if "-" not in text:
                period = cls("year", int(text), 1)
            else:
                year, part = text.split("-", 1)
                period = cls({"Q": "quarter", "S": "semester"}[part[0]], int(year), int(part[1:]))
        except (ValueError, KeyError, IndexError):
            raise ValueError(
                _("Unknown period %(text)s: write 2026, 2026-S1 or 2026-Q3.") % {"text": text}
            ) from None
        number_ok = 1 <= period.number <= 12 // PERIOD_KINDS[period.kind]
        if not number_ok or not 2000 <= period.year <= 2100:
            raise ValueError(_("Unknown period %(text)s.") % {"text": text})
        return period

    @classmethod
    def containing(cls, day: date, kind: str = "quarter") -> "Period":
        months = PERIOD_KINDS[kind]
        return cls(kind, day.year, (day.month - 1) // months + 1)

    @property
    def start(self) -> date:
        months = PERIOD_KINDS[self.kind]
        return date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> date:
        months = PERIOD_KINDS[self.kind]
        month = self.number * months + 1
        return date(self.year + 1, 1, 1) if month > 12 else date(self.year, month, 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Period":
        return Period.containing(self.start - timedelta(days=1), self.kind)

    def __str__(self) -> str:
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-{'Q' if self.kind == 'quarter' else 'S'}{self.number}"

    def label(self) -> str:
        if self.kind == "year":
            return str(_("Year %(year)s") % {"year": self.year})
        if self.kind == "semester":
            return str(_("Semester %(n)s %(year)s") % {"n": self.number, "year": self.year})
        return str(_("Quarter %(n)s %(year)s") % {"n": self.number, "year": self.year})
