"""The report reads per-mall-day summaries for closed days: they must always agree with
the live rollups and reported counts, including after a past day changes."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from mpp.registry.models import Mall
from mpp.visits.models import DailyRollup, Ticket, TicketStatus
from mpp.visits.rollups import rollups_rebuild

from ..models import CountSource, DailySummary, ReportedDailyCount, SummaryDay
from ..report import ReportOptions, weekly_report_build
from ..services import daily_counts_upsert
from ..summaries import live_day_numbers, summaries_ensure
from ..weeks import IsoWeek
from .conftest import local, make_ticket, service_for, visits

pytestmark = pytest.mark.django_db

WEEK = IsoWeek(2025, 23)  # Monday 2 June – Sunday 8 June 2025
MONDAY = date(2025, 6, 2)
CODES = ["mpp-31", "mpp-6202", "mpp-7371", "mpp-9171"]
FIRST = WEEK.shifted(-3).monday


def visits_of(code: str, week=WEEK) -> int | None:
    # The running week too (some tests travel into it), as a provisional report.
    report = weekly_report_build(week=week, options=ReportOptions(current_ok=True))
    return {m["code"]: m for m in report["malls"]}[code]["visits"]


def raw_visits(code: str, week=WEEK) -> int:
    """Independent: raw tickets whose issue moment falls in the week in the mall's zone."""
    mall = Mall.objects.get(code=code)
    zone = ZoneInfo(mall.timezone_name)
    return sum(
        IsoWeek.of(t.issued_at.astimezone(zone).date()) == week
        for t in Ticket.objects.filter(mall=mall)
    )


def summary_numbers(first, last) -> dict:
    fields = ["issued", "served", "no_shows", "called", "wait_seconds_sum"]
    fields += ["service_timed", "service_seconds_sum", "standard_checked"]
    fields += ["served_within_standard"]
    return {
        (s.mall_id, s.local_date): (s.source, {name: getattr(s, name) for name in fields})
        for s in DailySummary.objects.filter(local_date__gte=first, local_date__lte=last)
    }


@pytest.fixture
def history():
    """Random raw visits over five weeks in four zones, plus reported counts for a mall
    on days with and without queue data."""
    rng = random.Random(4)
    start = datetime(2025, 5, 5, tzinfo=ZoneInfo("UTC"))
    for code in CODES:
        services = [service_for(Mall.objects.get(code=code), slug) for slug in ("ktp-el", "kk")]
        for _ in range(rng.randint(30, 60)):
            make_ticket(
                rng.choice(services),
                start + timedelta(minutes=rng.randint(0, 35 * 24 * 60)),
                status=rng.choice([TicketStatus.FINISHED] * 3 + [TicketStatus.NO_SHOW]),
                wait_minutes=rng.randint(0, 90),
                service_minutes=rng.randint(1, 30),
            )
    rollups_rebuild()
    sampit = Mall.objects.get(code="mpp-6202")
    for day in (MONDAY, MONDAY + timedelta(days=1), MONDAY - timedelta(days=8)):
        for source, issued in ((CountSource.COUNTS, 11), (CountSource.EVENTS, 17)):
            ReportedDailyCount.objects.create(
                mall=sampit, local_date=day, source=source, subject_key="service:x", issued=issued
            )
    DailyRollup.objects.filter(mall=sampit, local_date=MONDAY + timedelta(days=1)).delete()


def test_summaries_equal_the_live_rollups_and_counts_day_by_day(history):
    report = weekly_report_build(week=WEEK)
    assert summary_numbers(FIRST, WEEK.sunday) == live_day_numbers(FIRST, WEEK.sunday)
    assert SummaryDay.objects.filter(local_date__gte=FIRST).count() == 28
    rows = {m["code"]: m for m in report["malls"]}
    for code in ["mpp-31", "mpp-7371", "mpp-9171"]:
        assert rows[code]["visits"] == raw_visits(code)
    assert rows["mpp-6202"]["source"] == "counts+queue"


def test_a_past_day_rebuilt_from_tickets_is_seen_by_the_next_report(history):
    jayapura = Mall.objects.get(code="mpp-9171")
    before = visits_of("mpp-9171")
    assert before == raw_visits("mpp-9171")
    # Late-entered visits on a past Wednesday, then the queue's rollups rebuilt for it.
    wednesday = MONDAY + timedelta(days=2)
    visits(service_for(jayapura, "kk"), wednesday, 5)
    Ticket.objects.filter(mall=jayapura, local_date=MONDAY).delete()
    rollups_rebuild(since=MONDAY, until=wednesday)
    after = visits_of("mpp-9171")
    assert after == raw_visits("mpp-9171")
    # Every day of the window now carries the latest mark: the next check reads nothing old.
    top = DailyRollup.objects.order_by("-pk").values_list("pk", flat=True).first()
    marks = SummaryDay.objects.filter(local_date__gte=FIRST, local_date__lte=WEEK.sunday)
    assert set(marks.values_list("rollup_seen_id", flat=True)) == {top}
    assert summary_numbers(FIRST, WEEK.sunday) == live_day_numbers(FIRST, WEEK.sunday)


def test_a_late_change_to_a_past_rollup_row_is_caught_by_the_refresh_command(history):
    weekly_report_build(week=WEEK)
    row = DailyRollup.objects.filter(local_date=WEEK.sunday).first()
    DailyRollup.objects.filter(pk=row.pk).update(issued=row.issued + 3, served=row.served + 1)
    # An in-place change keeps the row's id: only the refresh (hourly --loop) sees it.
    assert summary_numbers(FIRST, WEEK.sunday) != live_day_numbers(FIRST, WEEK.sunday)
    with time_machine.travel(datetime(2025, 6, 10, 9, tzinfo=ZoneInfo("Asia/Jakarta"))):
        call_command("refresh_monitoring_summaries", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert summary_numbers(FIRST, WEEK.sunday) == live_day_numbers(FIRST, WEEK.sunday)
    call_command("refresh_monitoring_summaries", since="2025-05-01", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert summary_numbers(FIRST, WEEK.sunday) == live_day_numbers(FIRST, WEEK.sunday)


def test_counts_reported_for_a_summarised_day_show_at_once(history):
    makassar = Mall.objects.get(code="mpp-7371")
    service_for(makassar)
    before = visits_of("mpp-7371")
    # A day of the week on which Makassar had no queue data.
    queue_days = set(DailyRollup.objects.filter(mall=makassar).values_list("local_date", flat=True))
    day = next(d for d in WEEK.days() if d not in queue_days)
    daily_counts_upsert(
        mall=makassar,
        rows=[
            {"date": day.isoformat(), "service": "ktp-el", "issued": 9, "served": 9, "no_shows": 0}
        ],
    )
    assert visits_of("mpp-7371") == before + 9
    assert summary_numbers(FIRST, WEEK.sunday) == live_day_numbers(FIRST, WEEK.sunday)


def test_open_days_are_read_live_and_not_summarised():
    jakarta = Mall.objects.get(code="mpp-31")
    service = service_for(jakarta)
    wednesday = MONDAY + timedelta(days=2)
    with time_machine.travel(local(jakarta, wednesday, 15), tick=False):
        visits(service, MONDAY, 2)
        visits(service, wednesday, 3)
        rollups_rebuild()
        assert visits_of("mpp-31") == 5
        visits(service, wednesday, 4, hour=14)
        rollups_rebuild(since=wednesday)
        assert visits_of("mpp-31") == 9
        assert summaries_ensure(FIRST, WEEK.sunday) == wednesday
    assert not SummaryDay.objects.filter(local_date__gte=wednesday).exists()
