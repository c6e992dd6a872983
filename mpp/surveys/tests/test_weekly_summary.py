"""The figures the weekly report takes from service quality."""

from datetime import date

import pytest

from mpp.registry.models import Mall
from mpp.surveys.compliance import scorecards_summary_for_week
from mpp.surveys.services import complaint_file, complaint_update, survey_submit

from .conftest import GOOD, at, serve

MONDAY, SUNDAY = date(2026, 11, 23), date(2026, 11, 29)
AFTER = at(date(2026, 11, 30), 9)


def rate(q, day: date, score: int):
    return survey_submit(
        scores={f"u{i}": score for i in range(1, 10)},
        channel="kiosk",
        mall=q.mall,
        service=q.ktp,
        now=at(day, 10),
    )


def complain(q, day: date):
    return complaint_file(
        mall=q.mall,
        category="time",
        description="Antrean terlalu lama sekali.",
        channel="web",
        now=at(day, 9),
    )


@pytest.fixture
def week(quality, mall_jakarta):
    serve(quality, day=date(2026, 11, 24), minutes=10)  # Tuesday; counter 1 stays open
    rate(quality, date(2026, 10, 5), 3)
    survey_submit(scores=GOOD, channel="kiosk", mall=quality.mall, service=quality.kk,
                  now=at(date(2026, 11, 25), 10))  # fmt: skip
    rate(quality, date(2026, 9, 30), 1)  # previous quarter
    rate(quality, date(2026, 11, 30), 1)  # after the week
    answered = complain(quality, date(2026, 10, 1))
    complaint_update(
        complaint=answered,
        by=quality.ani,
        status="answered",
        message="Sudah kami tambah petugas.",
        now=at(date(2026, 10, 6), 9),
    )
    complain(quality, date(2026, 11, 2))  # open past its deadline
    complain(quality, date(2026, 11, 24))  # not due yet
    return scorecards_summary_for_week(
        week_start=MONDAY,
        week_end=SUNDAY,
        malls=Mall.objects.filter(pk__in=[quality.mall.pk, mall_jakarta.pk]),
        now=AFTER,
    )


def test_weekly_summary_per_mall(week, quality):
    assert (week["period"], week["period_start"]) == ("2026-Q4", "2026-10-01")
    sampit = next(m for m in week["malls"] if m["mall"] == quality.mall.code)
    # Quarter so far: one all-3 and one all-4 questionnaire → NRR 3.5 → 87.50, B.
    assert (sampit["ikm"], sampit["grade"], sampit["respondents"]) == ("87.50", "B", 2)
    assert sampit["complaints_received"] == 3
    assert sampit["complaints_answered_in_time_share"] == 50.0
    assert (sampit["time_measured"], sampit["time_compliance_share"]) == (1, 100.0)
    # Counter 1 staffed Tuesday 09–15 and Wednesday–Saturday 08–15 = 34 h of 2 × 6 × 7 h.
    assert sampit["counters_staffed_share"] == 40.5


def test_weekly_summary_without_data_and_national(week, mall_jakarta):
    jakarta = next(m for m in week["malls"] if m["mall"] == mall_jakarta.code)
    assert jakarta["ikm"] is None and jakarta["respondents"] == 0
    assert jakarta["time_compliance_share"] is None
    assert jakarta["complaints_answered_in_time_share"] is None
    national = week["national"]
    assert (national["ikm"], national["respondents"]) == ("87.50", 2)
    assert national["complaints_received"] == 3
    assert national["time_compliance_share"] == 100.0


def test_weekly_summary_stays_a_fixed_number_of_queries(quality, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        data = scorecards_summary_for_week(week_start=MONDAY, week_end=SUNDAY, now=AFTER)
    assert len(data["malls"]) == Mall.objects.open().count()


def test_weekly_summary_refuses_a_reversed_week(db):
    with pytest.raises(ValueError):
        scorecards_summary_for_week(week_start=SUNDAY, week_end=MONDAY)
