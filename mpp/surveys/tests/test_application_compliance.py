"""Time compliance of multi-day services from the applications (deadline kept or not),
same-day services from the visits; only non-personal application columns are read."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mpp.citizens.models import Application, ApplicationStatus, Citizen
from mpp.registry.models import Mall
from mpp.registry.services import standard_publish
from mpp.surveys.compliance import (
    SOURCE_APPLICATIONS,
    SOURCE_VISITS,
    applications_time_totals,
    mall_scorecard,
    malls_summary,
    services_compliance,
)
from mpp.surveys.ikm import Period
from mpp.visits.models import DailyRollup

from .conftest import at, serve

S = ApplicationStatus
Q4 = Period.parse("2026-Q4")
NOW = at(date(2026, 12, 10), 12)


@pytest.fixture
def kk_in_days(quality, standard_fields):
    """Kartu Keluarga takes 5 working days from mid-2026 (standard v2)."""
    standard = standard_publish(
        service=quality.kk,
        **(
            standard_fields
            | {
                "effective_from": date(2026, 6, 1),
                "completion_time_value": 5,
                "completion_time_unit": "working_days",
            }
        ),
    )
    citizen = Citizen.objects.create(nik_masked="6202********0001", name_masked="S*** A***")

    def apply(*, due, status=S.IN_PROCESS, completed=None):
        return Application.objects.create(
            citizen=citizen,
            service=quality.kk,
            standard=standard,
            mall=quality.mall,
            agency=quality.kk.agency,
            status=status,
            submitted_at=due,
            due_at=due,
            completed_at=completed,
            sealed_data="sealed-not-read",
        )

    return apply


def test_multi_day_service_counts_deadlines_kept_by_its_applications(quality, kk_in_days):
    # In time: completed the day before its deadline; handed over later still counts.
    kk_in_days(
        due=at(date(2026, 11, 20), 0), status=S.HANDED_OVER, completed=at(date(2026, 11, 19), 10)
    )
    kk_in_days(
        due=at(date(2026, 11, 24), 0), status=S.COMPLETED, completed=at(date(2026, 11, 23), 10)
    )
    # Late: completed after the deadline, and still open past it.
    kk_in_days(
        due=at(date(2026, 11, 25), 0), status=S.COMPLETED, completed=at(date(2026, 11, 26), 10)
    )
    kk_in_days(due=at(date(2026, 11, 27), 0), status=S.NEEDS_DATA)
    # Not counted: deadline not reached yet (even if already completed), rejected, a draft,
    # a deadline ending the previous quarter's last day (= 1 October 00:00).
    kk_in_days(
        due=at(date(2026, 12, 15), 0), status=S.COMPLETED, completed=at(date(2026, 12, 1), 10)
    )
    kk_in_days(due=at(date(2026, 11, 20), 0), status=S.REJECTED)
    kk_in_days(due=None, status=S.DRAFT)
    kk_in_days(due=at(date(2026, 10, 1), 0), status=S.IN_PROCESS)
    # Visits to the KK counter say nothing about a product ready in five days.
    DailyRollup.objects.create(
        mall=quality.mall,
        service=quality.kk,
        agency=quality.kk.agency,
        local_date=date(2026, 11, 23),
        issued=9,
        served=9,
        served_within_standard=9,
    )
    serve(quality, day=date(2026, 11, 23), minutes=10)  # KTP, 30 minutes: same-day, in time

    rows = {
        r.service.slug: r
        for r in services_compliance(mall=quality.mall, period=Q4, today=NOW.date(), now=NOW)
    }
    kk, ktp = rows["kk"], rows["ktp-el"]
    assert (kk.time_source, kk.time_measured, kk.time_within, kk.time_share) == (
        SOURCE_APPLICATIONS,
        4,
        2,
        50.0,
    )
    assert kk.served == 9  # visitors still shown as usage
    assert kk.time_basis == "4 permohonan"
    assert (ktp.time_source, ktp.time_measured, ktp.time_share) == (SOURCE_VISITS, 1, 100.0)

    card = mall_scorecard(mall=quality.mall, period=Q4, now=NOW)
    assert card.performance["time_compliance_share"] == 60.0  # (2 + 1) / (4 + 1)
    assert card.usage["served"] == 10

    summary = malls_summary(
        malls=Mall.objects.filter(pk=quality.mall.pk), period=Q4, today=NOW.date(), now=NOW
    )
    assert summary[0]["time_share"] == 60.0 and summary[0]["served"] == 10


def test_a_deadline_ending_the_last_day_belongs_to_that_period(quality, kk_in_days):
    # Due by the end of 31 December = 1 January 00:00 (mall's zone): a Q4 deadline.
    kk_in_days(
        due=at(date(2027, 1, 1), 0), status=S.COMPLETED, completed=at(date(2026, 12, 30), 10)
    )
    later = at(date(2027, 1, 5), 9)
    totals = applications_time_totals(malls=[quality.mall], start=Q4.start, end=Q4.end, now=later)
    assert totals == {(quality.mall.pk, quality.kk.pk): {"measured": 1, "within": 1}}
    q1 = Period.parse("2027-Q1")
    assert (
        applications_time_totals(malls=[quality.mall], start=q1.start, end=q1.end, now=later) == {}
    )


def test_application_compliance_reads_no_personal_column(quality, kk_in_days):
    kk_in_days(
        due=at(date(2026, 11, 20), 0), status=S.COMPLETED, completed=at(date(2026, 11, 19), 10)
    )
    with CaptureQueriesContext(connection) as queries:
        totals = applications_time_totals(malls=[quality.mall], start=Q4.start, end=Q4.end, now=NOW)
    assert totals[(quality.mall.pk, quality.kk.pk)] == {"measured": 1, "within": 1}
    application_sql = [q["sql"] for q in queries.captured_queries if "application" in q["sql"]]
    assert len(application_sql) == 1
    sql = application_sql[0].lower()
    for column in ("sealed_data", "citizen_id", "citizens_citizen", "rejection_reason", "fields_"):
        assert column not in sql


def test_a_service_in_minutes_ignores_applications(quality, kk_in_days):
    """KTP-el's standard is in minutes: its share stays on the visits even if someone
    applied online."""
    rows = {
        r.service.slug: r
        for r in services_compliance(mall=quality.mall, period=Q4, today=NOW.date(), now=NOW)
    }
    assert rows["ktp-el"].time_source == SOURCE_VISITS
    assert rows["kk"].time_source == SOURCE_APPLICATIONS and rows["kk"].time_share is None
