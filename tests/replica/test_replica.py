"""The read replica, against a real PostgreSQL hot standby (`.ci/standby.sh start`, then
DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<the primary's database>): the
report, dashboards, open data and exports read the standby; a page that just wrote reads
its own write from the primary; the web keeps serving when the standby is down; /readyz
shows the lag and the report says how old its data is. Skipped without a replica."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from mpp.accounts.models import Role
from mpp.core import replica
from mpp.monitoring.report import weekly_report_build
from mpp.monitoring.tests.conftest import fake_rollups
from mpp.monitoring.weeks import IsoWeek

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_REPLICA_URL"), reason="DATABASE_REPLICA_URL is not set"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]
MALLS = ["mpp-31", "mpp-6202", "mpp-7371", "mpp-9171"]


def replica_caught_up(timeout: float = 10.0) -> None:
    """Wait until the standby has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while True:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.02)


@pytest.fixture
def week_with_visits(transactional_db):
    call_command("load_reference_data", skip_villages=True, stdout=StringIO())
    week = IsoWeek.last_complete()
    fake_rollups(MALLS, week.previous().days() + week.days(), lambda i, code: 20 + 7 * i)
    analyst = make_user("analyst", Role.MINISTRY_ANALYST)
    replica._down_until = 0.0
    replica_caught_up()
    return week, analyst


def test_the_report_pages_and_files_read_the_standby(client, week_with_visits):
    week, analyst = week_with_visits
    client.force_login(analyst)
    client.get(f"/monitoring/weeks/{week}/")  # the first view summarises the week (primary)
    # and a mall's first view stores its days' hour summaries (a write: that request reads
    # its own write from the primary); later views read both from the standby.
    client.get(f"/monitoring/weeks/{week}/malls/mpp-6202/")
    replica_caught_up()
    pages = [
        f"/monitoring/weeks/{week}/",
        f"/monitoring/weeks/{week}/map/",
        f"/monitoring/weeks/{week}/provinces/62/",
        f"/monitoring/weeks/{week}/malls/mpp-6202/",
        f"/monitoring/weeks/{week}/report.csv",
        f"/monitoring/open-data/{week}.json",
        f"/api/v1/reports/weekly/{week}/",
        f"/api/v1/open-data/weekly/{week}/",
    ]
    for page in pages:
        with (
            CaptureQueriesContext(connections["replica"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get(page, secure=True)
        assert response.status_code == 200, page
        assert response["X-Data-Source"] == "replica", page
        read_tables = [q["sql"] for q in on_replica.captured_queries if "monitoring_" in q["sql"]]
        assert read_tables, f"{page}: no report table was read on the standby"
        assert not [q for q in on_primary.captured_queries if "monitoring_dailysummary" in q["sql"]]
    response = client.get(f"/monitoring/weeks/{week}/", secure=True)
    assert response["X-Data-Source"] == "replica"
    page = response.content.decode()
    assert (
        'data-testid="data-as-of"' in page and "Data per" in page and "dari replika baca" in page
    ), page[:3000]


def test_the_standby_gives_the_same_report_as_the_primary(week_with_visits):
    week, _ = week_with_visits
    on_primary = weekly_report_build(week=week)
    replica_caught_up()
    with CaptureQueriesContext(connections["replica"]) as on_replica, replica.reading_replica():
        from_standby = weekly_report_build(week=week)
    assert on_replica.captured_queries
    on_primary.pop("generated_at"), from_standby.pop("generated_at")
    assert from_standby == on_primary
    assert from_standby["totals"]["visits"] > 0


def test_a_page_that_just_wrote_reads_its_own_write_from_the_primary(client, week_with_visits):
    week, analyst = week_with_visits
    client.force_login(analyst)
    # Never summarised: the first report view writes the week's summaries on the primary,
    # then reads them back from there, not from a standby that may not have them yet.
    with CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get(f"/monitoring/weeks/{week}/", secure=True)
    assert response.status_code == 200
    assert any("monitoring_dailysummary" in q["sql"] for q in on_primary.captured_queries)
    expected = weekly_report_build(week=week)["totals"]["visits"]
    assert f"{expected:,}".replace(",", ".") in response.content.decode()
    # After a form post, the next pages come from the primary for a few seconds.
    posted = client.post(
        "/monitoring/subscription/",
        {"active": "1", "next": f"/monitoring/weeks/{week}/"},
        secure=True,
    )
    assert posted.status_code == 302 and replica.STICKY_COOKIE in posted.cookies
    after = client.get(f"/monitoring/weeks/{week}/", secure=True)
    assert after["X-Data-Source"] == "primary"
    assert after.status_code == 200


def test_the_web_keeps_serving_when_the_standby_is_down(
    client, week_with_visits, monkeypatch, settings
):
    week, analyst = week_with_visits
    settings.READY_WORKERS = []  # no worker runs in this test
    client.force_login(analyst)
    ready = client.get("/readyz").json()["checks"]["replica"]
    assert ready["ok"] and ready["lag_seconds"] < 60 and ready["data_as_of"]
    connections["replica"].close()
    monkeypatch.setitem(connections["replica"].settings_dict, "PORT", "1")  # nothing listens
    replica._down_until = 0.0
    response = client.get(f"/monitoring/weeks/{week}/", secure=True)
    assert response.status_code == 200 and response["X-Data-Source"] == "primary"
    ready = client.get("/readyz")
    assert ready.status_code == 200  # the primary serves: stay in the load balancer
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["replica"]["ok"] is False
    assert "replica unreachable" in body["checks"]["replica"]["error"]
    connections["replica"].close()
