import csv
import io
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from mpp.registry.models import Counter, Mall, MallStatus
from mpp.visits.models import Ticket, TicketStatus

from ..models import CountSource, ReportedDailyCount
from ..report import ReportOptions, weekly_report_build
from ..weeks import IsoWeek
from .conftest import local, make_ticket, service_for, visits

pytestmark = pytest.mark.django_db

WEEK = IsoWeek(2025, 23)  # Monday 2 June – Sunday 8 June 2025
MONDAY = date(2025, 6, 2)
# Four zones: Jakarta (WIB), Sampit (Asia/Pontianak), Makassar (WITA), Jayapura (WIT).
CODES = ["mpp-31", "mpp-6202", "mpp-7371", "mpp-9171", "mpp-7303"]


def by_code(report: dict) -> dict:
    return {m["code"]: m for m in report["malls"]}


def report_for(week=WEEK, **options) -> dict:
    return weekly_report_build(week=week, options=ReportOptions(**options))


def reported(mall, day, issued, *, source=CountSource.COUNTS, subject="service:x", **extra):
    return ReportedDailyCount.objects.create(
        mall=mall, local_date=day, source=source, subject_key=subject, issued=issued, **extra
    )


def test_the_report_matches_an_independent_count_of_raw_visits_in_four_zones(rebuild):
    rng = random.Random(23)
    malls = [Mall.objects.get(code=code) for code in CODES]
    start = datetime(2025, 5, 12, tzinfo=ZoneInfo("UTC"))  # covers W20..W24
    for mall in malls:
        service = service_for(mall)
        for _ in range(rng.randint(20, 60)):
            moment = start + timedelta(minutes=rng.randint(0, 35 * 24 * 60))
            status = rng.choice([TicketStatus.FINISHED] * 3 + [TicketStatus.NO_SHOW])
            make_ticket(
                service,
                moment,
                status=status,
                wait_minutes=rng.randint(0, 90),
                service_minutes=rng.randint(1, 30),
            )
    rebuild()

    # Independent: every raw ticket, its week computed from issued_at in the mall's zone.
    expected = defaultdict(lambda: defaultdict(int))
    for ticket in Ticket.objects.select_related("mall"):
        zone = ZoneInfo(ticket.mall.timezone_name)
        week = IsoWeek.of(ticket.issued_at.astimezone(zone).date())
        counts = expected[(ticket.mall.code, str(week))]
        counts["visits"] += 1
        counts["served"] += ticket.status == TicketStatus.FINISHED
        counts["no_shows"] += ticket.status == TicketStatus.NO_SHOW
        counts["wait"] += ticket.wait_seconds()
    report = report_for()
    rows = by_code(report)
    for code in CODES:
        mine, before = expected[(code, str(WEEK))], expected[(code, str(WEEK.previous()))]
        row = rows[code]
        assert row["visits"] == mine["visits"]
        assert row["served"] == mine["served"]
        assert row["no_shows"] == mine["no_shows"]
        assert row["avg_wait_minutes"] == round(mine["wait"] / mine["visits"] / 60, 1)
        assert row["change_pct"] == round(
            (mine["visits"] - before["visits"]) * 100 / before["visits"], 1
        )
    ranking = sorted(CODES, key=lambda c: (-expected[(c, str(WEEK))]["visits"], c))
    assert [m["code"] for m in report["malls"] if m["code"] in CODES] == ranking
    assert report["totals"]["visits"] == sum(expected[(c, str(WEEK))]["visits"] for c in CODES)


def test_a_sunday_evening_visit_in_jayapura_belongs_to_the_week_it_is_in_jayapura(rebuild):
    jayapura = Mall.objects.get(code="mpp-9171")
    service = service_for(jayapura)
    sunday = WEEK.sunday
    make_ticket(service, local(jayapura, sunday, 23, 30))  # 14:30 UTC Sunday: this week
    # Monday 00:30 in Jayapura is still Sunday 22:30 in Jakarta, but it is next week there.
    make_ticket(service, local(jayapura, sunday + timedelta(days=1), 0, 30))
    rebuild()
    assert by_code(report_for())["mpp-9171"]["visits"] == 1
    assert by_code(report_for(WEEK.next()))["mpp-9171"]["visits"] == 1


def test_equal_visits_share_a_rank_and_order_stably_by_code(rebuild):
    for code in ["mpp-7371", "mpp-6202", "mpp-31"]:
        visits(service_for(Mall.objects.get(code=code)), MONDAY, 5)
    rebuild()
    first, second = report_for(), report_for()
    ranks = {m["code"]: m["rank"] for m in first["malls"] if m["rank"]}
    assert ranks == {"mpp-31": 1, "mpp-6202": 1, "mpp-7371": 1}
    assert all(m["rank_tied"] for m in first["malls"] if m["rank"])
    assert [m["code"] for m in first["malls"]] == [m["code"] for m in second["malls"]]
    # Per capita: the smallest population ranks first for equal visits.
    per_capita = {m["code"]: m["rank_per_capita"] for m in first["malls"] if m["rank"]}
    assert per_capita == {"mpp-6202": 1, "mpp-7371": 2, "mpp-31": 3}


def test_ranks_follow_competition_ranking_1224(rebuild):
    for count, code in zip(
        [9, 7, 7, 3], ["mpp-31", "mpp-6202", "mpp-7371", "mpp-9171"], strict=True
    ):
        visits(service_for(Mall.objects.get(code=code)), MONDAY, count)
    rebuild()
    ranks = {m["code"]: m["rank"] for m in report_for()["malls"] if m["rank"]}
    assert ranks == {"mpp-31": 1, "mpp-6202": 2, "mpp-7371": 2, "mpp-9171": 4}


@pytest.mark.parametrize("section", ["highest", "top20", "lowest"])
def test_every_mall_tied_at_a_cut_off_is_listed_and_marked(rebuild, section):
    counts = {"mpp-31": 9, "mpp-6202": 5, "mpp-7371": 5, "mpp-9171": 1}
    for code, count in counts.items():
        visits(service_for(Mall.objects.get(code=code)), MONDAY, count)
    rebuild()
    # A cut-off of 2 falls inside the 5-5 tie (from either end).
    report = report_for(lowest=2, highest=2, top=2)
    codes = [m["code"] for m in report[section]]
    assert len(codes) == 3
    assert {"mpp-6202", "mpp-7371"} <= set(codes)
    assert sorted(report["cutoff_ties"][section]) == ["mpp-6202", "mpp-7371"]


def test_a_cut_off_between_different_values_lists_no_tie(rebuild):
    for count, code in zip([9, 7, 5], ["mpp-31", "mpp-6202", "mpp-7371"], strict=True):
        visits(service_for(Mall.objects.get(code=code)), MONDAY, count)
    rebuild()
    report = report_for(highest=2)
    assert [m["code"] for m in report["highest"]] == ["mpp-31", "mpp-6202"]
    assert report["cutoff_ties"]["highest"] == []


def test_a_week_not_yet_started_is_refused_with_the_latest_complete_week_named():
    coming = IsoWeek.current().next()
    with pytest.raises(ValidationError) as error:
        report_for(coming)
    message = error.value.message_dict["week"][0]
    assert str(coming) in message and str(IsoWeek.last_complete()) in message


def test_the_running_week_needs_asking_and_is_marked_provisional_with_its_days():
    running = IsoWeek.current()
    with pytest.raises(ValidationError):
        report_for(running)
    report = report_for(running, current_ok=True)
    assert report["provisional"] is True
    assert 1 <= report["days_covered"] <= 7
    assert report["totals"]["change_pct"] is None
    assert report["quiet"] == []
    final = report_for()
    assert final["provisional"] is False and final["days_covered"] == 7


def test_a_mall_without_data_is_named_and_never_counted_as_zero(rebuild):
    visits(service_for(Mall.objects.get(code="mpp-6202")), MONDAY, 3)
    reported(Mall.objects.get(code="mpp-7371"), MONDAY, 0)  # an explicit zero is data
    rebuild()
    report = report_for()
    rows = by_code(report)
    jakarta = rows["mpp-31"]
    assert jakarta["status"] == "no_data"
    assert jakarta["visits"] is None and jakarta["rank"] is None
    assert "mpp-31" in [m["code"] for m in report["no_data"]]
    assert "mpp-31" not in [m["code"] for m in report["lowest"]]
    assert rows["mpp-7371"]["visits"] == 0 and rows["mpp-7371"]["rank"] == 2
    assert [m["code"] for m in report["lowest"]] == ["mpp-7371", "mpp-6202"]
    assert report["totals"]["malls_with_data"] == 2
    assert report["totals"]["malls_no_data"] == report["totals"]["malls"] - 2


def test_an_empty_week_lists_every_open_mall_as_missing():
    report = report_for()
    assert report["lowest"] == report["highest"] == report["top20"] == []
    assert len(report["no_data"]) == len(report["malls"]) > 200
    assert report["totals"]["visits"] == 0


def test_malls_not_yet_open_planned_or_closed_are_left_out():
    Mall.objects.filter(code="mpp-31").update(status=MallStatus.PLANNED)
    Mall.objects.filter(code="mpp-6202").update(
        status=MallStatus.CLOSED, closed_on=date(2025, 5, 30)
    )
    codes = {m["code"] for m in report_for()["malls"]}
    assert "mpp-9404" not in codes  # Mimika: inaugurated 24 Sep 2025, after the week
    assert "mpp-31" not in codes and "mpp-6202" not in codes
    assert "mpp-9171" in codes


def test_a_mall_below_half_the_median_of_similar_population_is_quiet(rebuild):
    # Five malls of 400–500 thousand people: four with 20 visits, Sampit with 5.
    for code in ["mpp-9171", "mpp-7313", "mpp-7309", "mpp-7304"]:
        visits(service_for(Mall.objects.get(code=code)), MONDAY, 20)
    visits(service_for(Mall.objects.get(code="mpp-6202")), MONDAY, 5)
    rebuild()
    report = report_for()
    sampit = by_code(report)["mpp-6202"]
    assert sampit["status"] == "quiet" and sampit["quiet_reasons"] == ["below_peers"]
    assert [m["code"] for m in report["quiet"]] == ["mpp-6202"]
    assert by_code(report_for(quiet_share=0.2))["mpp-6202"]["status"] == "ok"


def test_a_mall_falling_three_weeks_in_a_row_is_quiet(rebuild):
    service = service_for(Mall.objects.get(code="mpp-31"))
    for weeks_back, count in [(3, 8), (2, 6), (1, 4), (0, 3)]:
        visits(service, MONDAY - timedelta(weeks=weeks_back), count)
    rebuild()
    jakarta = by_code(report_for())["mpp-31"]
    assert jakarta["quiet_reasons"] == ["falling"]
    assert jakarta["change_pct"] == -25.0
    # Flat for one week breaks the run.
    visits(service, MONDAY + timedelta(days=1), 1)
    rebuild()
    assert by_code(report_for())["mpp-31"]["status"] == "ok"


def test_new_malls_carry_their_rank_over_recent_weeks(rebuild):
    makassar = Mall.objects.get(code="mpp-7371")  # inaugurated 12 Dec 2024
    jakarta = Mall.objects.get(code="mpp-31")
    for weeks_back in range(4):
        visits(service_for(jakarta), MONDAY - timedelta(weeks=weeks_back), 10)
        visits(
            service_for(makassar), MONDAY - timedelta(weeks=weeks_back), 8 + 2 * (3 - weeks_back)
        )
    rebuild()
    report = report_for()
    new = {m["code"]: m for m in report["new_malls"]}
    assert "mpp-7371" in new and "mpp-31" not in new
    assert new["mpp-7371"]["status"] == "new"
    assert new["mpp-7371"]["recent_ranks"] == [
        {"week": "2025-W20", "rank": 2},
        {"week": "2025-W21", "rank": 1},  # 10 and 10: a shared first place
        {"week": "2025-W22", "rank": 1},
        {"week": "2025-W23", "rank": 1},
    ]
    # A year later the same mall is no longer new.
    assert by_code(report_for(IsoWeek(2026, 2)))["mpp-7371"]["is_new"] is False


def test_reported_counts_fill_days_without_rollups_and_counts_beat_events(rebuild):
    sampit = Mall.objects.get(code="mpp-6202")
    visits(service_for(sampit), MONDAY, 4)
    rebuild()
    reported(sampit, MONDAY, 100)  # same day as the queue's rollups: ignored
    reported(sampit, MONDAY + timedelta(days=1), 7)
    reported(sampit, MONDAY + timedelta(days=1), 50, source=CountSource.EVENTS)
    reported(sampit, MONDAY + timedelta(days=2), 9, source=CountSource.EVENTS, served=9)
    row = by_code(report_for())["mpp-6202"]
    assert row["visits"] == 4 + 7 + 9
    assert row["days_with_data"] == 3
    assert row["source"] == "counts+events+queue"


def test_visits_per_counter_and_per_thousand_use_open_counters_and_population(rebuild):
    sampit = Mall.objects.get(code="mpp-6202")
    visits(service_for(sampit), MONDAY, 10)
    Counter.objects.create(mall=sampit, number="1")
    Counter.objects.create(mall=sampit, number="2")
    Counter.objects.create(mall=sampit, number="3", is_active=False)
    rebuild()
    row = by_code(report_for())["mpp-6202"]
    assert row["open_counters"] == 2 and row["visits_per_counter"] == 5.0
    assert row["visits_per_1000"] == round(10 * 1000 / 454515, 3)


def test_the_province_summary_adds_up_its_malls(rebuild):
    visits(service_for(Mall.objects.get(code="mpp-7371")), MONDAY, 6)
    visits(service_for(Mall.objects.get(code="mpp-7303")), MONDAY, 4)
    rebuild()
    sulsel = next(p for p in report_for()["provinces"] if p["code"] == "73")
    assert sulsel["visits"] == 10 and sulsel["malls_with_data"] == 2
    assert sulsel["malls_no_data"] == sulsel["malls"] - 2


def test_lowest_and_highest_sections_honour_n(rebuild):
    for count, code in enumerate(CODES, start=1):
        visits(service_for(Mall.objects.get(code=code)), MONDAY, count)
    rebuild()
    report = report_for(lowest=2, highest=3)
    assert [m["code"] for m in report["lowest"]] == ["mpp-31", "mpp-6202"]
    assert [m["code"] for m in report["highest"]] == ["mpp-7303", "mpp-9171", "mpp-7371"]
    assert len(report["top20"]) == 5


@pytest.mark.parametrize("text", ["2025-W54", "2025-W53", "2025-23", "W23", "", "2025-W00"])
def test_a_week_that_does_not_exist_is_refused_naming_the_week(text):
    with pytest.raises(ValidationError) as error:
        IsoWeek.parse(text)
    assert "week" in error.value.message_dict


def test_week_53_exists_in_years_that_have_it():
    assert IsoWeek.parse("2026-W53").monday == date(2026, 12, 28)


def test_the_last_complete_week_is_the_one_before_jakartas_current_week():
    monday_morning = datetime(2025, 6, 9, 1, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert IsoWeek.last_complete(monday_morning) == WEEK
    sunday_night = datetime(2025, 6, 8, 23, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert IsoWeek.last_complete(sunday_night) == WEEK.previous()


def test_the_report_carries_service_quality_per_mall_and_nationally():
    from mpp.surveys.services import complaint_file, survey_submit

    from ..exports import report_csv_data

    sampit, jakarta = Mall.objects.get(code="mpp-6202"), Mall.objects.get(code="mpp-31")
    service = service_for(sampit)
    for score in (3, 4):  # NRR 3.5 on every element → IKM 87.50, grade B
        survey_submit(
            scores={f"u{i}": score for i in range(1, 10)},
            channel="kiosk",
            mall=sampit,
            service=service,
            now=local(sampit, MONDAY + timedelta(days=1), 10),
        )
    survey_submit(  # after the week: not in it
        scores={f"u{i}": 1 for i in range(1, 10)},
        channel="kiosk",
        mall=sampit,
        service=service,
        now=local(sampit, MONDAY + timedelta(days=8), 10),
    )
    complaint_file(
        mall=sampit,
        category="time",
        description="Antrean terlalu lama sekali.",
        channel="web",
        now=local(sampit, MONDAY, 9),
    )
    report = report_for()
    malls = by_code(report)
    assert (malls["mpp-6202"]["ikm"], malls["mpp-6202"]["ikm_grade"]) == ("87.50", "B")
    assert malls["mpp-6202"]["ikm_respondents"] == 2
    assert malls["mpp-6202"]["complaints_received"] == 1
    assert malls[jakarta.code]["ikm"] is None and malls[jakarta.code]["ikm_respondents"] == 0
    quality = report["quality"]
    assert (quality["period"], quality["period_start"]) == ("2025-Q2", "2025-04-01")
    assert (quality["ikm"], quality["ikm_grade_label"]) == ("87.50", "Baik")
    assert quality["complaints_received"] == 1
    assert [m["code"] for m in report["lowest_ikm"]] == ["mpp-6202"]  # the only one rated
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(report_csv_data(report)))}
    assert rows["mpp-6202"]["ikm"] == "87.50" and rows[jakarta.code]["ikm"] == ""
    assert report_for(quality=False)["quality"] is None


def test_quality_figures_are_kept_per_week_unless_turned_off(
    settings, django_assert_max_num_queries
):
    from mpp.surveys.services import survey_submit

    sampit = Mall.objects.get(code="mpp-6202")
    service = service_for(sampit)

    def rate(score):
        survey_submit(
            scores={f"u{i}": score for i in range(1, 10)},
            channel="kiosk",
            mall=sampit,
            service=service,
            now=local(sampit, MONDAY + timedelta(days=1), 10),
        )

    rate(4)
    assert by_code(report_for())["mpp-6202"]["ikm"] == "100.00"
    rate(1)  # kept: the same week's report does not query service quality again
    with django_assert_max_num_queries(8):
        assert by_code(report_for())["mpp-6202"]["ikm"] == "100.00"
    settings.MONITORING_QUALITY_CACHE_SECONDS = 0
    from django.core.cache import cache

    cache.clear()
    assert by_code(report_for())["mpp-6202"]["ikm"] == "62.50"
    rate(4)
    assert by_code(report_for())["mpp-6202"]["ikm"] == "75.00"  # recomputed every time
