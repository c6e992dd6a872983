"""Each list of the citizens app (applications, the access log, possible duplicate faces)
answers the same rows on its page, in its CSV and through its API twin, for the same filter:
they share one selector and one FilterSet (mpp/citizens/selectors.py)."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ..access import AccessRefused, citizen_data_read
from ..models import DuplicateStatus, FaceDuplicate, Purpose
from ..services import application_transition, citizen_create
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


def _csv_column(response, column) -> list[str]:
    assert response.status_code == 200
    return [row[column] for row in csv.DictReader(io.StringIO(response.content.decode()))]


@pytest.fixture
def reads_of_siti(siti, officer_jakarta):
    """Siti reads her own profile twice; an officer, not serving her, is refused once."""
    for _ in range(2):
        citizen_data_read(citizen=siti, actor=siti.user, purpose=Purpose.SELF, fields=["sex"])
    with pytest.raises(AccessRefused):
        citizen_data_read(
            citizen=siti, actor=officer_jakarta, purpose=Purpose.SERVICE_DELIVERY, fields=["sex"]
        )


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, 1),  # the page's default leaves her own reads out; the API is told so
        ({"mine": "on"}, 3),
        ({"mine": "on", "purpose": "self"}, 2),
        ({"purpose": "service_delivery"}, 1),
    ],
)
def test_who_saw_my_data_its_csv_and_its_api_answer_the_same_reads(
    client, siti, reads_of_siti, params, expected
):
    client.force_login(siti.user)
    url = reverse("citizens:access_log")
    on_page = [r.seq for r in client.get(url, params).context["page"]]
    in_csv = [int(s) for s in _csv_column(client.get(url, params | {"format": "csv"}), "seq")]
    api_params = {"mine": "true" if params.get("mine") else "false"}
    api_params |= {k: v for k, v in params.items() if k != "mine"}
    api = client.get(reverse("api-citizen-access-log"), api_params).json()
    in_api = [row["seq"] for row in api["results"]]
    assert on_page == in_csv == in_api  # newest first in all three
    assert len(in_api) == api["count"] == expected


def test_the_access_log_api_keeps_my_own_reads_unless_told_and_names_a_bad_filter(
    client, siti, reads_of_siti
):
    client.force_login(siti.user)
    url = reverse("api-citizen-access-log")
    assert client.get(url).json()["count"] == 3
    bad = client.get(url, {"purpose": "gossip"})
    assert bad.status_code == 400 and "purpose" in bad.json()
    bad = client.get(url, {"mine": "Ture"})
    assert bad.status_code == 400 and "mine" in bad.json()
    page = client.get(reverse("citizens:access_log"), {"purpose": "gossip"})
    assert page.status_code == 200 and list(page.context["page"]) == []
    assert 'role="alert"' in page.content.decode() or "errorlist" in page.content.decode()


@pytest.fixture
def three_duplicates(siti, mall_jakarta, time_machine):
    """Three possible duplicates at the Jakarta mall a day apart: one open, one judged the
    same person, one different people."""
    others = [
        citizen_create(nik=nik, full_name="Siti Kembar", birth_date=None, phone=f"08123456789{i}")
        for i, nik in enumerate(("3171014101900002", "3171014101900003", "3171014101900004"))
    ]
    rows = []
    for day, (other, status) in enumerate(zip(others, DuplicateStatus.values, strict=True)):
        time_machine.move_to(datetime(2025, 7, 6 + day, 2, 0, tzinfo=UTC))
        rows.append(
            FaceDuplicate.objects.create(
                citizen=siti, other=other, score=0.9, mall=mall_jakarta, status=status
            )
        )
    return rows


@pytest.mark.parametrize(
    "status, expected", [(None, ["open"]), ("", 3), ("same_person", ["same_person"])]
)
def test_the_duplicate_faces_page_and_its_csv_answer_the_same_rows(
    client, officer_dukcapil_jakarta, three_duplicates, status, expected
):
    client.force_login(officer_dukcapil_jakarta)
    url = reverse("citizens:face_duplicates")
    params = {} if status is None else {"status": status}
    on_page = [d.status for d in client.get(url, params).context["page"]]
    in_csv = _csv_column(client.get(url, params | {"format": "csv"}), "status")
    assert on_page == in_csv
    if expected == 3:
        assert on_page == ["different", "same_person", "open"]  # newest first
    else:
        assert on_page == expected
