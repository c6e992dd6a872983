"""Ingest refuses nonsense: implausible numbers, oversized bodies, a key reused for another
visit; it says which source the report uses when queue data and counts meet; a mall with no
agency registered can still send its totals."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from rest_framework.test import APIClient

from mpp.registry.models import Mall, Tenancy
from mpp.visits.rollups import rollups_rebuild

from ..models import ReportedDailyCount, VisitEvent
from ..report import weekly_report_build
from ..services import system_token_issue
from ..weeks import IsoWeek
from .conftest import service_for, visits

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
MONDAY = date(2025, 6, 9)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def system_client(mall, user) -> APIClient:
    _device, token = system_token_issue(mall=mall, name="SIMPEL", by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def sampit(mall_sampit, mall_manager_sampit):
    service_for(mall_sampit, "ktp-el")
    return system_client(mall_sampit, mall_manager_sampit)


def row(**extra):
    return (
        {"date": "2025-06-09", "service": "ktp-el", "issued": 12, "served": 10}
        | {"no_shows": 2}
        | extra
    )


def post_counts(client, rows):
    return client.post("/api/v1/ingest/daily-counts", {"rows": rows}, format="json")


def event(key, **extra):
    return {
        "key": key,
        "service": "ktp-el",
        "status": "served",
        "issued_at": "2025-06-09T08:00:00+07:00",
        "called_at": "2025-06-09T08:10:00+07:00",
    } | extra


def post_events(client, events):
    return client.post("/api/v1/ingest/visits", {"events": events}, format="json")


def test_implausible_counts_are_refused_naming_the_field_and_the_bound(sampit):
    response = post_counts(
        sampit,
        [
            row(issued=1_000_000_000_000, served=0, no_shows=0),
            row(date="2025-06-08", avg_wait_minutes=5000),
        ],
    )
    assert response.status_code == 400
    errors = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert set(errors) == {(1, "issued"), (2, "avg_wait_minutes")}
    assert "20000" in errors[(1, "issued")]
    assert ReportedDailyCount.objects.count() == 0


@override_settings(INGEST_BOUNDS={"issued": 50})
def test_the_bounds_are_a_setting(sampit):
    assert post_counts(sampit, [row(issued=51, served=0, no_shows=0)]).status_code == 400
    assert post_counts(sampit, [row(issued=50, served=0, no_shows=0)]).status_code == 200


def test_an_event_waiting_longer_than_the_bound_is_refused(sampit):
    response = post_events(sampit, [event("a", called_at="2025-06-09T23:59:00+07:00")])
    assert response.status_code == 200
    response = post_events(sampit, [event("b", called_at="2025-06-11T08:00:00+07:00")])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "called_at"


@override_settings(INGEST_MAX_BODY_BYTES=2_000)
def test_a_body_over_the_limit_is_a_json_413_with_the_limit(sampit):
    events = [event(f"k{i}") for i in range(100)]
    response = sampit.post(
        "/api/v1/ingest/visits", json.dumps({"events": events}), content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["limit_bytes"] == 2_000
    assert VisitEvent.objects.count() == 0


def test_a_27_mb_body_is_a_json_413_at_the_default_limit(sampit):
    body = b'{"events": [' + b'{"key": "x"},' * 2_100_000 + b'{"key": "y"}]}'
    assert len(body) > 27_000_000
    response = sampit.post("/api/v1/ingest/visits", body, content_type="application/json")
    assert response.status_code == 413 and "limit_bytes" in response.json()


def test_the_same_key_with_other_content_is_a_409_naming_the_key(sampit):
    assert post_events(sampit, [event("a"), event("b")]).status_code == 200
    assert post_events(sampit, [event("a"), event("b")]).json()["duplicates"] == 2
    changed = post_events(sampit, [event("a"), event("b", status="no_show"), event("c")])
    assert changed.status_code == 409
    assert changed.json()["keys"] == ["b"] and "b" in changed.json()["detail"]
    assert VisitEvent.objects.count() == 2  # "c" was not stored either


def test_counts_for_a_day_with_queue_data_say_the_queue_wins_by_default(sampit, mall_sampit):
    visits(service_for(mall_sampit), MONDAY, 3)
    rollups_rebuild()
    reply = post_counts(sampit, [row()]).json()
    assert reply["days_with_queue_data"] == ["2025-06-09"]
    assert reply["report_uses"] == "queue" and reply["note"]
    report = weekly_report_build(week=IsoWeek(2025, 24), options=_current())
    assert _visits(report, "mpp-6202") == 3


@override_settings(MONITORING_QUEUE_COUNTS_WINNER="counts")
def test_counts_can_be_set_to_win_over_queue_data(sampit, mall_sampit):
    visits(service_for(mall_sampit), MONDAY, 3)
    rollups_rebuild()
    reply = post_counts(sampit, [row()]).json()
    assert reply["report_uses"] == "counts"
    report = weekly_report_build(week=IsoWeek(2025, 24), options=_current())
    assert _visits(report, "mpp-6202") == 12


def test_a_mall_without_agencies_reports_mall_level_totals(mall_manager_sampit):
    mall = Mall.objects.get(code="mpp-9171")
    Tenancy.objects.filter(mall=mall).delete()
    client = system_client(mall, mall_manager_sampit)
    rows = [{"date": "2025-06-09", "issued": 40, "served": 35, "no_shows": 5}]
    reply = post_counts(client, rows)
    assert reply.status_code == 200, reply.json()
    stored = ReportedDailyCount.objects.get(mall=mall)
    assert stored.subject_key == "mall" and stored.issued == 40
    report = weekly_report_build(week=IsoWeek(2025, 24), options=_current())
    assert _visits(report, "mpp-9171") == 40


def test_a_day_is_either_a_mall_total_or_per_service_never_both(sampit, mall_sampit):
    total = {"date": "2025-06-09", "issued": 40, "served": 35, "no_shows": 5}
    response = post_counts(sampit, [row(), total])
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 2
    # Across batches the later one replaces the earlier kind for that day.
    post_counts(sampit, [row()])
    post_counts(sampit, [total])
    assert list(ReportedDailyCount.objects.values_list("subject_key", "issued")) == [("mall", 40)]


def test_a_day_and_service_sent_twice_and_unknown_subjects_are_named_by_row(sampit):
    response = post_counts(
        sampit, [row(), row(), row(service="no-such"), row(service="", agency="no-agency")]
    )
    assert response.status_code == 400
    errors = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert set(errors) == {(2, "date"), (3, "service"), (4, "agency")}
    assert "1" in errors[(2, "date")] and "no-such" in errors[(3, "service")]
    assert "no-agency" in errors[(4, "agency")]
    assert ReportedDailyCount.objects.count() == 0


def _current():
    from ..report import ReportOptions

    return ReportOptions(current_ok=True, quality=False)


def _visits(report, code):
    return next(m for m in report["malls"] if m["code"] == code)["visits"]
