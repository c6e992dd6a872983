"""The week a reader gets: the last complete one by default, the running one only when
asked for (provisional, with its days), never one that has not started."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mpp.registry.models import Mall

from .conftest import service_for, visits

pytestmark = pytest.mark.django_db

# Wednesday 11 June 2025, 10:00 WIB: 2025-W24 is running, 2025-W23 the last complete week.
NOW = datetime(2025, 6, 11, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_monitoring_home_opens_the_last_complete_week(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get(reverse("monitoring:home"))
    assert response.status_code == 302 and response["Location"].endswith("/weeks/2025-W23/")


def test_a_future_week_is_refused_by_the_api_naming_the_latest_complete_week(
    client, ministry_analyst
):
    client.force_login(ministry_analyst)
    response = client.get("/api/v1/reports/weekly/2027-W10/")
    assert response.status_code == 400
    message = response.json()["week"][0]
    assert "2027-W10" in message and "2025-W23" in message


def test_the_running_week_is_refused_unless_asked_for_then_provisional(client, ministry_analyst):
    visits(service_for(Mall.objects.get(code="mpp-31")), NOW.date(), 3)
    from mpp.visits.rollups import rollups_rebuild

    rollups_rebuild()
    client.force_login(ministry_analyst)
    assert client.get("/api/v1/reports/weekly/2025-W24/").status_code == 400
    data = client.get("/api/v1/reports/weekly/2025-W24/", {"current": "1"}).json()
    assert data["provisional"] is True
    assert data["days_covered"] == 3 and data["covered_until"] == "2025-06-11"
    assert data["totals"]["visits"] == 3 and data["totals"]["change_pct"] is None
    final = client.get("/api/v1/reports/weekly/2025-W23/").json()
    assert final["provisional"] is False and final["days_covered"] == 7


def test_the_page_marks_the_running_week_sementara_and_refuses_a_future_week(
    client, ministry_analyst
):
    client.force_login(ministry_analyst)
    page = client.get(reverse("monitoring:national", args=["2025-W24"]), {"current": "1"})
    assert page.status_code == 200
    assert 'data-testid="provisional"' in page.content.decode()
    refused = client.get(reverse("monitoring:national", args=["2026-W53"]), follow=True)
    assert refused.redirect_chain[-1][0].endswith("/weeks/2025-W23/")
    text = refused.content.decode()
    assert "2026-W53" in text and "2025-W23" in text


def test_files_of_a_future_week_are_a_400_with_the_reason(client, ministry_analyst):
    client.force_login(ministry_analyst)
    response = client.get(reverse("monitoring:export", args=["2026-W53", "csv"]))
    assert response.status_code == 400 and "2026-W53" in response.content.decode()
    assert (
        client.get(reverse("monitoring:open_data_file", args=["2026-W53", "json"])).status_code
        == 400
    )
