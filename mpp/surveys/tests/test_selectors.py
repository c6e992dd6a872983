"""Each staff list answers the same rows on its page, in its CSV and through its API twin,
for the same filter: they share one selector and one FilterSet (mpp/surveys/selectors.py)."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mpp.surveys.models import Complaint
from mpp.surveys.services import complaint_file, survey_submit

from .conftest import GOOD, at

pytestmark = pytest.mark.django_db


def _page_codes(client, url, params, pattern) -> set[str]:
    html = client.get(url, params).content.decode()
    return set(re.findall(pattern, html))


def _csv_column(client, url, params, column: str) -> list[str]:
    response = client.get(url, params | {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode()
    return [row[column] for row in csv.DictReader(io.StringIO(text))]


def _questionnaires(quality, days_and_services):
    """Kiosk questionnaires, each `day` days after 1 October 2026."""
    for day, service in days_and_services:
        survey_submit(
            scores=GOOD,
            channel="kiosk",
            mall=quality.mall,
            service=service,
            now=at(date(2026, 10, 1), 10) + timedelta(days=day),
        )


@pytest.fixture
def complaints(quality):
    filed = []
    for day, category in [(2, "staff"), (10, "time"), (20, "staff"), (25, "facilities")]:
        filed.append(
            complaint_file(
                mall=quality.mall,
                category=category,
                description="Antrean sangat lama dan loket kosong.",
                channel="web",
                lapor_number=f"LAPOR-{day}",
                now=at(date(2026, 11, day), 10),
            )
        )
    return filed


@pytest.mark.parametrize(
    "params",
    [{}, {"category": "staff"}, {"status": "received"}, {"overdue": "true"}, {"q": "lapor-2"}],
)
def test_the_complaint_page_its_csv_and_its_api_answer_the_same_rows(
    client, quality, complaints, params
):
    client.force_login(quality.ani)
    page_url = reverse("surveys:complaint_list", args=[quality.mall.code])
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Asia/Pontianak"))):
        on_page = _page_codes(client, page_url, params, r"ADU-[2-9A-Z]{8}")
        in_csv = _csv_column(client, page_url, params, "tracking_code")
        api = client.get(
            "/api/v1/quality/complaints/list/", params | {"mall": quality.mall.code}
        ).json()
    in_api = [row["tracking_code"] for row in api["results"]]
    assert on_page == set(in_csv) == set(in_api)
    assert len(in_csv) == len(in_api) == api["count"]
    assert in_csv, "every filter above matches at least one complaint"


def test_overdue_means_past_due_in_the_malls_own_date_on_page_and_api(
    client, quality, mall_makassar, ministry_analyst
):
    # Both due on Monday 30 Nov. At 23:30 that Monday in Sampit (WIB) it is already Tuesday
    # in Makassar (WITA): only the Makassar complaint is overdue, whatever the server's zone.
    for mall in (quality.mall, mall_makassar):
        complaint = complaint_file(
            mall=mall,
            category="time",
            description="Antrean sangat lama dan loket kosong.",
            channel="web",
            now=at(date(2026, 11, 20), 10),
        )
        Complaint.objects.filter(pk=complaint.pk).update(due_on=date(2026, 11, 30))
    client.force_login(ministry_analyst)
    late_monday = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("Asia/Pontianak"))
    for moment, makassar, sampit in [(late_monday, 1, 0), (late_monday + timedelta(hours=1), 1, 1)]:
        with time_machine.travel(moment):
            api = client.get("/api/v1/quality/complaints/list/", {"overdue": "true"}).json()
            malls = [row["mall"] for row in api["results"]]
            sampit_csv = _csv_column(
                client,
                reverse("surveys:complaint_list", args=[quality.mall.code]),
                {"overdue": "true"},
                "tracking_code",
            )
        assert api["count"] == makassar + sampit
        assert len(sampit_csv) == sampit
        assert malls.count(quality.mall.code) == sampit, malls


def test_the_questionnaire_page_its_csv_and_its_api_answer_the_same_rows(client, quality):
    _questionnaires(quality, [(3, quality.ktp), (4, quality.kk), (-40, quality.ktp)])
    client.force_login(quality.ani)
    page_url = reverse("surveys:response_list", args=[quality.mall.code])
    for params, expected in [
        ({}, 3),
        ({"period": "2026-Q4"}, 2),
        ({"service": str(quality.ktp.pk)}, 2),
        ({"period": "2026-Q4", "service": str(quality.ktp.pk)}, 1),
    ]:
        in_csv = _csv_column(client, page_url, params, "local_date")
        api = client.get(
            "/api/v1/quality/responses/list/", params | {"mall": quality.mall.code}
        ).json()
        page = client.get(page_url, params).content.decode()
        assert len(in_csv) == api["count"] == expected, params
        assert sorted(in_csv) == sorted(row["local_date"] for row in api["results"])
        assert f"{expected} " in page


@pytest.mark.parametrize(
    ("params", "field"), [({"service": "abc"}, "service"), ({"period": "2026-Q9"}, "period")]
)
def test_a_bad_filter_is_a_400_naming_the_field_in_the_api_and_an_error_on_the_page(
    client, quality, params, field
):
    client.force_login(quality.ani)
    api = client.get("/api/v1/quality/responses/list/", params)
    assert api.status_code == 400 and field in api.json()
    page = client.get(reverse("surveys:response_list", args=[quality.mall.code]), params)
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()


def test_the_ikm_page_its_csv_and_its_api_answer_the_same_units(client, quality):
    _questionnaires(quality, [(3, quality.ktp), (4, quality.kk), (5, quality.skck)])
    for params in [
        {"period": "2026-Q4", "group": "service"},
        {"period": "2026-Q4", "group": "agency", "mall": quality.mall.code},
        {"period": "2026-Q4", "agency": "polri-skck", "group": "service"},
    ]:
        page = client.get(reverse("surveys:ikm_table"), params).context["rows"]
        export = _csv_column(client, reverse("surveys:ikm_table"), params, "unit")
        api = client.get("/api/v1/quality/ikm/", params).json()["rows"]
        assert [r["name"] for r in page] == export == [r["name"] for r in api], params
        assert export


def test_an_unknown_mall_in_the_ikm_filters_is_named_on_the_page_and_in_the_api(client, db):
    api = client.get("/api/v1/quality/ikm/", {"mall": "mpp-0000"})
    assert api.status_code == 400 and "mall" in api.json()
    page = client.get(reverse("surveys:ikm_table"), {"mall": "mpp-0000"})
    assert page.status_code == 200 and "errorlist" in page.content.decode()
