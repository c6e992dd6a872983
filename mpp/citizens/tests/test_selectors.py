"""Each staff list of applications answers the same rows on its page, in its CSV and through
its API twin, for the same filter: they share one selector and one FilterSet
(mpp/citizens/selectors.py)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ..services import application_transition
from .helpers import submitted

pytestmark = pytest.mark.django_db


def _csv_references(client, url, params) -> list[str]:
    response = client.get(url, params | {"format": "csv"})
    assert response.status_code == 200
    return [row["reference"] for row in csv.DictReader(io.StringIO(response.content.decode()))]


def _page_references(client, url, params, applications) -> set[str]:
    html = client.get(url, params).content.decode()
    return {a.reference for a in applications if a.reference in html}


@pytest.fixture
def three_applications(siti, bpjs_service, officer_jakarta, time_machine):
    """Three submitted a day apart; the first moved on to in_process; a week later all
    three are past the standard's time."""
    made = []
    for day in (6, 7, 8):
        time_machine.move_to(datetime(2025, 7, day, 2, 0, tzinfo=UTC))
        made.append(submitted(siti, bpjs_service))
    application_transition(application=made[0], to_status="in_process", by=officer_jakarta, note="")
    time_machine.move_to(datetime(2025, 7, 30, 2, 0, tzinfo=UTC))
    return made


@pytest.mark.parametrize(
    "params", [{}, {"status": "in_process"}, {"status": "submitted"}, {"overdue": "true"}]
)
def test_the_officer_list_its_csv_and_its_api_answer_the_same_applications(
    client, officer_jakarta, three_applications, params
):
    client.force_login(officer_jakarta)
    url = reverse("citizens:officer_applications")
    on_page = _page_references(client, url, params, three_applications)
    in_csv = _csv_references(client, url, params)
    api = client.get(reverse("api-agency-applications"), params).json()
    in_api = [row["reference"] for row in api["results"]]
    assert on_page == set(in_csv) == set(in_api)
    assert in_csv == in_api  # the same order: soonest deadline first
    assert len(in_api) == api["count"] > 0


@pytest.mark.parametrize("agency", [None, "bpjs-kesehatan", "no-such-agency"])
def test_the_overdue_list_its_csv_and_its_api_answer_the_same_applications(
    client, mall_manager_jakarta, three_applications, bpjs_service, agency
):
    params = {} if agency is None else {"agency": agency}
    if agency == "bpjs-kesehatan":
        params["agency"] = bpjs_service.agency.code
    client.force_login(mall_manager_jakarta)
    url = reverse("citizens:overdue", args=["mpp-31"])
    on_page = _page_references(client, url, params, three_applications)
    in_csv = _csv_references(client, url, params)
    api = client.get(reverse("api-applications-overdue"), params | {"mall": "mpp-31"}).json()
    in_api = [row["reference"] for row in api["results"]]
    assert on_page == set(in_csv) == set(in_api)
    assert in_csv == in_api
    expected = 0 if agency == "no-such-agency" else 3
    assert len(in_api) == expected


def test_a_bad_status_filter_is_named_and_lists_nothing(
    client, officer_jakarta, three_applications
):
    client.force_login(officer_jakarta)
    api = client.get(reverse("api-agency-applications"), {"status": "lost"})
    assert api.status_code == 400 and "status" in api.json()
    page = client.get(reverse("citizens:officer_applications"), {"status": "lost"})
    assert page.status_code == 200
    html = page.content.decode()
    assert not any(a.reference in html for a in three_applications)
