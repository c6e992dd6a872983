import pytest

from mpp.registry.models import Mall

MALLS = "/api/v1/malls/"

pytestmark = pytest.mark.django_db


def test_the_mall_list_is_paginated_with_count_and_results(client, db):
    body = client.get(MALLS).json()
    assert body["count"] == 277
    first = body["results"][0]
    assert {"code", "name", "regency_code", "timezone", "status"} <= first.keys()
    assert len(body["results"]) == 50 and body["next"]


def test_malls_filter_by_province_and_status(client, db):
    body = client.get(MALLS, {"province": "62", "status": "open"}).json()
    assert body["count"] == Mall.objects.filter(province_id="62", status="open").count() > 0
    assert {m["timezone"] for m in body["results"]} == {"Asia/Pontianak"}
    assert client.get(MALLS, {"status": "closed"}).json()["count"] == 0


def test_one_mall_by_its_code(client, db):
    body = client.get(f"{MALLS}mpp-6202/").json()
    assert body["regency_code"] == "62.02" and body["is_digital_pilot"] is True


def test_regions_and_agencies_are_readable(client, db):
    provinces = client.get("/api/v1/provinces/").json()
    assert len(provinces) == 38
    papua = next(p for p in provinces if p["code"] == "91")
    assert papua["timezone"] == "Asia/Jayapura"
    regencies = client.get("/api/v1/regencies/", {"province": "62"}).json()
    assert regencies["count"] == 14
    assert client.get("/api/v1/agencies/dukcapil/").json()["level"] == "regency"


def test_the_api_list_runs_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(MALLS)
    with django_assert_max_num_queries(4):
        client.get("/api/v1/services/")


def test_the_openapi_schema_and_its_docs_page_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/malls/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
