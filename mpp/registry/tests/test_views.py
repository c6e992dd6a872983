import csv
import io

import pytest
from django.urls import reverse

from mpp.registry.models import Agency, Mall, Service, Tenancy
from mpp.registry.services import pledge_publish, standard_publish

DIRECTORY = "/malls/"

pytestmark = pytest.mark.django_db


def test_the_directory_lists_every_real_mall_across_pages(client):
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert response.context["total"] == 277
    assert "Mal Pelayanan Publik Kabupaten Aceh Tengah" in response.content.decode()


def test_the_directory_filters_by_province_status_pilot_and_text(client):
    by_province = client.get(DIRECTORY, {"province": "62"}).context["page"]
    assert {m.province_id for m in by_province} == {"62"}
    pilots = client.get(DIRECTORY, {"is_digital_pilot": "on"}).context["total"]
    assert pilots == 21
    found = client.get(DIRECTORY, {"q": "kotawaringin timur"}).context["page"]
    assert [m.code for m in found] == ["mpp-6202"]
    assert client.get(DIRECTORY, {"status": "closed"}).context["total"] == 0


def test_the_filtered_directory_downloads_as_csv(client):
    response = client.get(DIRECTORY, {"province": "62", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Mall.objects.filter(province_id="62").count()
    sampit = next(r for r in rows if r["code"] == "mpp-6202")
    assert sampit["timezone"] == "Asia/Pontianak" and sampit["region_code"] == "62.02"


def test_the_directory_speaks_indonesian_by_default_and_english_on_request(client):
    assert "Cari" in client.get(DIRECTORY).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": DIRECTORY})
    assert "Search" in client.get(DIRECTORY).content.decode()


def test_the_directory_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(DIRECTORY)


@pytest.fixture
def sampit_with_service(mall_sampit, standard_fields):
    agency = Agency.objects.get(code="dukcapil")
    Tenancy.objects.create(mall=mall_sampit, agency=agency, booth="B-01")
    service = Service.objects.create(
        mall=mall_sampit, agency=agency, slug="ktp-el", name="Perekaman KTP-el"
    )
    standard_publish(service=service, **standard_fields | {"fee_amount": 350000})
    pledge_publish(
        mall=mall_sampit,
        text="Kami sanggup melayani sesuai standar.",
        signer_name="Bupati Kotim",
        signer_title="Bupati",
        signed_on="2025-01-02",
    )
    return service


def test_the_mall_page_shows_agencies_services_hours_and_pledge(
    client, sampit_with_service, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:mall_detail", args=["mpp-6202"]))
    page = response.content.decode()
    assert "Perekaman KTP-el" in page and "Dinas Kependudukan" in page
    assert "Kami sanggup melayani sesuai standar." in page
    assert "Asia/Pontianak" in page


def test_the_service_page_shows_the_six_public_components_only(client, sampit_with_service):
    page = client.get(
        reverse("registry:service_detail", args=["mpp-6202", "ktp-el"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    for text in ["KTP-el", "Ambil antrean", "60", "Rp 350.000", "SP4N-LAPOR!"]:
        assert text in page
    assert "Atasan langsung" not in page  # internal supervision is not public


def test_an_unknown_mall_is_not_found(client, db):
    assert client.get(reverse("registry:mall_detail", args=["mpp-0000"])).status_code == 404


def test_a_manager_publishes_a_new_standard_version_from_the_console(
    client, mall_manager_sampit, sampit_with_service, standard_fields
):
    client.force_login(mall_manager_sampit)
    url = reverse("registry:standard_new", args=["mpp-6202", "ktp-el"])
    form = client.get(url).context["form"]
    assert form.initial["completion_time_value"] == 60
    data = standard_fields | {
        "requirements": "KTP-el\nKK\n",
        "procedure": "Antre\nCetak",
        "completion_time_value": 45,
        "effective_from": "2025-06-01",
        "staff_count": 2,
    }
    assert client.post(url, data).status_code == 302
    current = sampit_with_service.current_standard()
    assert (current.version, current.completion_time_value) == (2, 45)
    assert current.requirements == ["KTP-el", "KK"]


def test_a_negative_completion_time_in_the_form_is_named(
    client, mall_manager_sampit, sampit_with_service, standard_fields
):
    client.force_login(mall_manager_sampit)
    url = reverse("registry:standard_new", args=["mpp-6202", "ktp-el"])
    data = standard_fields | {
        "requirements": "KTP-el",
        "procedure": "Antre",
        "completion_time_value": -3,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "completion_time_value" in response.context["form"].errors
    assert sampit_with_service.standards.count() == 1


def test_a_closure_before_the_inauguration_is_refused_on_the_form(
    client, mall_manager_sampit, mall_sampit
):
    client.force_login(mall_manager_sampit)
    response = client.post(
        reverse("registry:mall_edit", args=["mpp-6202"]),
        {
            "name": mall_sampit.name,
            "status": "closed",
            "inaugurated_on": "2023-09-26",
            "closed_on": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert "inaugurated_on" in response.context["form"].errors
    mall_sampit.refresh_from_db()
    assert mall_sampit.closed_on is None


def test_opening_hours_must_close_after_they_open(client, mall_manager_sampit):
    client.force_login(mall_manager_sampit)
    response = client.post(
        reverse("registry:hours_edit", args=["mpp-6202"]),
        {
            "opening_hours-TOTAL_FORMS": "1",
            "opening_hours-INITIAL_FORMS": "0",
            "opening_hours-0-weekday": "0",
            "opening_hours-0-opens_at": "16:00",
            "opening_hours-0-closes_at": "08:00",
        },
    )
    assert response.status_code == 200
    assert Mall.objects.get(code="mpp-6202").opening_hours.count() == 0


def test_password_reset_sends_a_link_by_email(client, mall_manager_sampit, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": mall_manager_sampit.email})
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"province": "62"},
        {"q": "kota"},
        {"is_digital_pilot": "true"},
        {"is_digital_pilot": "false", "province": "32"},
        {"status": "open", "q": "kabupaten"},
    ],
)
def test_the_directory_page_its_csv_and_its_api_answer_the_same_malls(client, params):
    page_total = client.get(DIRECTORY, params).context["total"]
    export = client.get(DIRECTORY, params | {"format": "csv"}).content.decode()
    in_csv = {row["code"] for row in csv.DictReader(io.StringIO(export))}
    api = client.get("/api/v1/malls/", params | {"page_size": 1000}).json()
    in_api, url = [m["code"] for m in api["results"]], api["next"]
    while url:  # the API pages by 50
        page = client.get(url).json()
        in_api += [m["code"] for m in page["results"]]
        url = page["next"]
    assert page_total == len(in_csv) == api["count"] > 0
    assert in_csv == set(in_api)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"province": "99"}, "province"),
        ({"is_digital_pilot": "maybe"}, "is_digital_pilot"),
        ({"status": "gone"}, "status"),
    ],
)
def test_a_bad_directory_filter_names_its_field(client, params, field):
    api = client.get("/api/v1/malls/", params)
    assert api.status_code == 400 and field in api.json()
    page = client.get(DIRECTORY, params)
    assert page.status_code == 200 and page.context["total"] == 0
    assert 'role="alert"' in page.content.decode()
