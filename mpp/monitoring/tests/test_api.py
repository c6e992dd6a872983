from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from mpp.registry.models import Mall
from mpp.visits.models import Device

from ..models import CountSource, ReportedDailyCount, VisitEvent
from ..report import ReportOptions, weekly_report_build
from ..services import system_token_issue, system_token_revoke
from ..weeks import IsoWeek
from .conftest import fake_rollups, service_for

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sampit_system(mall_sampit, mall_manager_sampit):
    service_for(mall_sampit, "ktp-el")
    service_for(mall_sampit, "skck", "polri-skck")
    device, token = system_token_issue(mall=mall_sampit, name="SIMPEL", by=mall_manager_sampit)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.device = device
    return client


def count_row(**extra):
    return {
        "date": "2025-06-09",
        "service": "ktp-el",
        "issued": 12,
        "served": 10,
        "no_shows": 2,
    } | extra


def test_analysts_read_the_weekly_report_others_are_refused(
    client, ministry_analyst, mall_manager_sampit
):
    fake_rollups(["mpp-6202", "mpp-31"], IsoWeek(2025, 23).days(), lambda i, c: 3 + i)
    url = "/api/v1/reports/weekly/2025-W23/"
    assert client.get(url).status_code == 403
    client.force_login(mall_manager_sampit)
    assert client.get(url).status_code == 403
    client.force_login(ministry_analyst)
    data = client.get(url, {"lowest": 1}).json()
    assert data["week"] == "2025-W23"
    assert [m["code"] for m in data["top20"]] == ["mpp-31", "mpp-6202"]
    assert [m["code"] for m in data["lowest"]] == ["mpp-6202"]
    assert data == weekly_report_build(week=IsoWeek(2025, 23), options=None) | {
        "generated_at": data["generated_at"],
        "lowest": data["lowest"],
        "lowest_per_capita": data["lowest_per_capita"],
        "parameters": data["parameters"],
    }


def test_a_week_that_does_not_exist_is_a_400_naming_the_week(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get("/api/v1/reports/weekly/2025-W53/")
    assert response.status_code == 400 and "week" in response.json()


def test_daily_counts_are_upserted_and_a_replay_changes_nothing(sampit_system, mall_sampit):
    rows = [
        count_row(avg_wait_minutes="7.5"),
        count_row(service="", agency="polri-skck", issued=4, served=4, no_shows=0),
    ]
    response = sampit_system.post("/api/v1/ingest/daily-counts", {"rows": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"mall": "mpp-6202", "stored": 2, "days_with_queue_data": []}
    first = list(ReportedDailyCount.objects.values().order_by("subject_key"))
    sampit_system.post("/api/v1/ingest/daily-counts", {"rows": rows}, format="json")
    again = list(ReportedDailyCount.objects.values().order_by("subject_key"))
    assert [dict(r, updated_at=None) for r in again] == [dict(r, updated_at=None) for r in first]
    ktp = ReportedDailyCount.objects.get(subject_key="service:ktp-el")
    assert (ktp.issued, ktp.called, ktp.wait_seconds_sum) == (12, 10, 4500)
    # A correction replaces the day.
    sampit_system.post(
        "/api/v1/ingest/daily-counts", {"rows": [count_row(issued=15)]}, format="json"
    )
    assert ReportedDailyCount.objects.get(subject_key="service:ktp-el").issued == 15
    assert ReportedDailyCount.objects.count() == 2


def test_a_bad_row_rejects_the_batch_naming_row_and_field(sampit_system):
    rows = [
        count_row(),
        count_row(date="2025-06-08", issued=-1),
        count_row(date="2025-06-30"),
        count_row(date="2025-06-07", service="unknown"),
        count_row(date="2025-06-06", served=20),
    ]
    response = sampit_system.post("/api/v1/ingest/daily-counts", {"rows": rows}, format="json")
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(2, "issued"), (3, "date"), (4, "service"), (5, "served")}
    assert ReportedDailyCount.objects.count() == 0


def test_ingest_needs_a_live_system_token(sampit_system, mall_manager_sampit):
    anonymous = APIClient()
    assert anonymous.post(
        "/api/v1/ingest/daily-counts", {"rows": [count_row()]}, format="json"
    ).status_code in (401, 403)
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert (
        wrong.post(
            "/api/v1/ingest/daily-counts", {"rows": [count_row()]}, format="json"
        ).status_code
        == 401
    )
    system_token_revoke(device=sampit_system.device, by=mall_manager_sampit)
    assert (
        sampit_system.post(
            "/api/v1/ingest/daily-counts", {"rows": [count_row()]}, format="json"
        ).status_code
        == 401
    )
    assert Device.objects.get().revoked_at is not None


def event(key, **extra):
    return {
        "key": key,
        "service": "ktp-el",
        "status": "served",
        "issued_at": "2025-06-09T08:00:00+07:00",
        "called_at": "2025-06-09T08:10:00+07:00",
        "started_at": "2025-06-09T08:10:00+07:00",
        "finished_at": "2025-06-09T08:16:00+07:00",
    } | extra


def test_visit_events_are_stored_once_and_counted_per_day(sampit_system, mall_sampit):
    batch = [
        event("a"),
        event("b", status="no_show", started_at=None, finished_at=None),
        event("c", issued_at="2025-06-08T23:30:00+07:00"),
    ]
    first = sampit_system.post("/api/v1/ingest/visits", {"events": batch}, format="json").json()
    assert first == {"mall": "mpp-6202", "received": 3, "inserted": 3, "duplicates": 0}
    replay = sampit_system.post("/api/v1/ingest/visits", {"events": batch}, format="json").json()
    assert replay["inserted"] == 0 and replay["duplicates"] == 3
    assert VisitEvent.objects.count() == 3
    monday = ReportedDailyCount.objects.get(source=CountSource.EVENTS, local_date=date(2025, 6, 9))
    assert (monday.issued, monday.served, monday.no_shows) == (2, 1, 1)
    assert (monday.called, monday.wait_seconds_sum, monday.service_seconds_sum) == (2, 1200, 360)
    # Sunday 23:30 in Sampit counts for the week before.
    report = weekly_report_build(week=IsoWeek(2025, 23))
    assert next(m for m in report["malls"] if m["code"] == "mpp-6202")["visits"] == 1


def test_a_bad_event_rejects_the_batch(sampit_system):
    batch = [
        event("a"),
        event("b", issued_at="2025-06-09 08:00"),
        event("c", service="nope"),
        event("d", issued_at="2025-07-01T08:00:00+07:00", called_at=None),
        event("a"),
    ]
    response = sampit_system.post("/api/v1/ingest/visits", {"events": batch}, format="json")
    assert response.status_code == 400
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(2, "issued_at"), (3, "service"), (4, "issued_at"), (5, "key")}
    assert VisitEvent.objects.count() == 0


def test_open_data_lists_every_mall_with_aggregates_only(client):
    fake_rollups(["mpp-6202"], IsoWeek(2025, 23).days(), lambda i, c: 2)
    rows = client.get("/api/v1/open-data/weekly/2025-W23/").json()
    sampit = next(r for r in rows if r["code"] == "mpp-6202")
    assert sampit["visits"] == 14 and set(sampit) == {
        "week",
        "code",
        "name",
        "regency_code",
        "province",
        "visits",
        "served",
        "visits_per_1000",
    }
    assert any(r["visits"] is None for r in rows)


def test_report_day_mall_query_count_is_bounded(django_assert_max_num_queries, ministry_analyst):
    fake_rollups(["mpp-6202", "mpp-31", "mpp-7371"], IsoWeek(2025, 23).days(), lambda i, c: 2)
    ReportedDailyCount.objects.create(
        mall=Mall.objects.get(code="mpp-9171"),
        local_date=date(2025, 6, 3),
        source=CountSource.COUNTS,
        subject_key="service:x",
        issued=3,
    )
    visits_only = ReportOptions(quality=False)
    with django_assert_max_num_queries(24):  # the first report summarises twelve weeks
        weekly_report_build(week=IsoWeek(2025, 23), options=visits_only)
    with django_assert_max_num_queries(8):  # 5, and 3 for the twelve-week national trend
        weekly_report_build(week=IsoWeek(2025, 23), options=visits_only)
    # Service quality adds grouped queries, never one per mall.
    with django_assert_max_num_queries(20):
        weekly_report_build(week=IsoWeek(2025, 23))


def test_an_analyst_reads_and_sets_their_subscription(
    client, ministry_analyst, mall_manager_sampit
):
    url = "/api/v1/reports/subscription/"
    client.force_login(mall_manager_sampit)
    assert client.get(url).status_code == 403
    client.force_login(ministry_analyst)
    assert client.get(url).json() == {"is_active": False, "since": None, "deliveries": []}
    response = client.put(url, {"is_active": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["is_active"] is True
    response = client.put(url, {"is_active": "maybe"}, content_type="application/json")
    assert response.status_code == 400 and "is_active" in response.json()


def test_ingest_requests_are_limited_per_system_token(sampit_system, settings):
    settings.INGEST_REQUESTS_PER_MINUTE = 3
    statuses = [
        sampit_system.post(
            "/api/v1/ingest/daily-counts", {"rows": [count_row()]}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_open_data_files_name_their_license_and_have_dcat_metadata_beside_them(client):
    csv_file = client.get("/monitoring/open-data/2025-W23.csv")
    assert (
        'rel="license"' in csv_file["Link"]
        and "creativecommons.org/licenses/by/4.0" in (csv_file["Link"])
    )
    assert "2025-W23.metadata.json" in csv_file["Link"]
    meta = client.get("/monitoring/open-data/2025-W23.metadata.json").json()
    assert meta["@type"] == "dcat:Dataset"
    assert meta["dct:license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["dct:temporal"]["dcat:startDate"] == "2025-06-02"
    assert meta["dct:temporal"]["dcat:endDate"] == "2025-06-08"
    assert meta["dct:publisher"]["foaf:name"]
    assert [f["name"] for f in meta["fields"]] == list(
        csv_file.content.decode().splitlines()[0].split(",")
    )
    assert {d["dcat:mediaType"] for d in meta["dcat:distribution"]} == {
        "text/csv",
        "application/json",
    }
    page = client.get("/monitoring/open-data/").content.decode()
    assert "CC BY 4.0" in page
