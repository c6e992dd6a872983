"""Compliance with the standard and the pledge, counters against opening hours."""

from datetime import date

from mpp.registry.models import Closure, OpeningHours
from mpp.registry.services import pledge_publish, standard_publish
from mpp.surveys.compliance import (
    mall_scorecard,
    pledge_status,
    services_compliance,
    standard_missing,
)
from mpp.surveys.ikm import Period
from mpp.visits import services as queue
from mpp.visits.staffing import counters_staffing, empty_counters

from .conftest import at, serve

TUESDAY = date(2026, 11, 24)


def test_empty_counters_are_flagged_only_during_opening_hours(quality):
    # 07:50: the mall is not open yet; 08:10: within the grace period.
    assert empty_counters(mall=quality.mall, now=at(TUESDAY, 7, 50)) == []
    assert empty_counters(mall=quality.mall, now=at(TUESDAY, 8, 10)) == []
    alerts = empty_counters(mall=quality.mall, now=at(TUESDAY, 9))
    assert [(a.counter.number, a.reason) for a in alerts] == [("1", "closed"), ("2", "closed")]
    queue.counter_open(counter=quality.counter1, officer=quality.ani, now=at(TUESDAY, 9))
    alerts = empty_counters(mall=quality.mall, now=at(TUESDAY, 9, 5))
    assert [a.counter.number for a in alerts] == ["2"]
    queue.counter_pause(counter=quality.counter1, officer=quality.ani, now=at(TUESDAY, 10))
    assert [
        a.counter.number for a in empty_counters(mall=quality.mall, now=at(TUESDAY, 10, 10))
    ] == ["2"]
    alerts = empty_counters(mall=quality.mall, now=at(TUESDAY, 10, 30))
    assert [(a.counter.number, a.reason) for a in alerts] == [("1", "paused"), ("2", "closed")]
    # Sunday: closed all day; a holiday closure too.
    assert empty_counters(mall=quality.mall, now=at(date(2026, 11, 29), 10)) == []
    Closure.objects.create(mall=quality.mall, date=date(2026, 11, 25), reason="Libur")
    assert empty_counters(mall=quality.mall, now=at(date(2026, 11, 25), 10)) == []


def test_counter_staffing_counts_open_time_within_opening_hours(quality):
    queue.counter_open(counter=quality.counter1, officer=quality.ani, now=at(TUESDAY, 7))
    queue.counter_pause(counter=quality.counter1, officer=quality.ani, now=at(TUESDAY, 10))
    queue.counter_resume(counter=quality.counter1, officer=quality.ani, now=at(TUESDAY, 11))
    queue.counter_close(counter=quality.counter1, officer=quality.ani, now=at(TUESDAY, 15, 30))
    staffing = {
        s.counter.number: s
        for s in counters_staffing(
            mall=quality.mall, start=TUESDAY, end=date(2026, 11, 25), now=at(TUESDAY, 18)
        )
    }
    # Open 08–15 = 7 h; staffed 08–15 less a 1 h pause = 6 h.
    assert staffing["1"].scheduled_seconds == 7 * 3600
    assert staffing["1"].staffed_seconds == 6 * 3600
    assert staffing["1"].share == 85.7
    assert staffing["2"].share == 0


def test_time_compliance_and_sample_target_per_service(quality):
    serve(quality, day=date(2026, 9, 1), minutes=10)  # previous quarter: 1 visitor
    serve(quality, day=TUESDAY, minutes=10)  # within 30 minutes
    serve(quality, day=TUESDAY, start_hour=11, minutes=40)  # beyond 30 minutes
    rows = {
        r.service.slug: r
        for r in services_compliance(
            mall=quality.mall, period=Period.parse("2026-Q4"), today=TUESDAY
        )
    }
    ktp = rows["ktp-el"]
    assert (ktp.served, ktp.within, ktp.time_share) == (2, 1, 50.0)
    assert (ktp.visitors_previous, ktp.sample_target) == (1, 1)
    assert ktp.missing == []
    assert rows["skck"].time_share is None


def test_missing_public_components_are_named(quality):
    standard = quality.ktp.standards.get()
    standard.complaint_channel = " "
    standard.fee_amount = 50000
    standard.fee_note = ""
    assert standard_missing(standard) == ["fee", "complaint_channel"]
    assert len(standard_missing(None)) == 6


def test_pledge_must_be_signed_after_the_newest_standard(quality, standard_fields):
    assert pledge_status(mall=quality.mall, today=TUESDAY)["published"] is False
    pledge_publish(
        mall=quality.mall,
        text="Kami siap melayani.",
        signer_name="Kepala",
        signer_title="Koordinator",
        signed_on=date(2025, 2, 1),
    )
    assert pledge_status(mall=quality.mall, today=TUESDAY)["current"] is True
    standard_publish(service=quality.kk, **(standard_fields | {"effective_from": date(2026, 6, 1)}))
    status = pledge_status(mall=quality.mall, today=TUESDAY)
    assert status["published"] is True and status["current"] is False


def test_the_scorecard_shows_the_four_keys(quality):
    OpeningHours.objects.filter(mall=quality.mall).exists()
    serve(quality, day=TUESDAY)
    card = mall_scorecard(mall=quality.mall, period=Period.parse("2026-Q4"), now=at(TUESDAY, 16))
    assert card.integration["agencies"] == 2 and card.integration["services"] == 3
    assert card.integration["complete_standard_share"] == 100.0
    assert card.performance["time_compliance_share"] == 100.0
    assert card.usage["served"] == 1
    assert card.commitment["pledge_published"] is False
