"""Userinfo speaks OpenID Connect's standard claim names; the person resource keeps the
platform's keys; both go through the one access function (one access record each)."""

import json

import pytest

from mpp.citizens import access
from mpp.citizens.models import AccessRecord
from mpp.registry.models import District, Province, Regency, Village

from ..claims import address_claim, phone_e164, userinfo_claims


def test_userinfo_names_the_claims_as_openid_connect_does(flow, siti):
    access.profile_write(citizen=siti, changes={"email": "siti@example.org"})
    siti.save()
    tokens = flow.tokens(scope="openid identity contact nik")
    claims = json.loads(flow.get("/oidc/userinfo/", tokens["access_token"]).content)
    assert claims["name"] == "Siti Nurhaliza"
    assert claims["birthdate"] == "1990-05-05"
    assert claims["phone_number"] == "+6281234567890"
    assert claims["email"] == "siti@example.org"
    assert claims["urn:mpp:nik"] == "3171014505900001"  # project-specific: namespaced
    assert not {"full_name", "birth_date", "phone", "nik"} & set(claims)


def test_a_field_the_citizen_never_filled_in_is_left_out(flow):
    tokens = flow.tokens(scope="openid identity")
    claims = json.loads(flow.get("/oidc/userinfo/", tokens["access_token"]).content)
    assert "urn:mpp:birth_place" not in claims and "name" in claims


def test_the_person_resource_keeps_the_platforms_keys(flow):
    tokens = flow.tokens(scope="openid identity address")
    body = json.loads(flow.get("/api/v1/person/", tokens["access_token"]).content)
    assert body["data"]["full_name"] == "Siti Nurhaliza"
    assert body["data"]["address"] == "Jl. Merdeka 1"


def test_userinfo_with_standard_claims_still_writes_one_access_record(flow, siti):
    tokens = flow.tokens(scope="openid identity address")
    before = AccessRecord.objects.filter(citizen=siti).count()
    flow.get("/oidc/userinfo/", tokens["access_token"])
    assert AccessRecord.objects.filter(citizen=siti).count() == before + 1


def test_the_discovery_document_lists_the_standard_claims(client, db):
    doc = json.loads(client.get("/oidc/.well-known/openid-configuration").content)
    assert {"name", "birthdate", "gender", "address", "phone_number", "email"} <= set(
        doc["claims_supported"]
    )
    assert "urn:mpp:nik" in doc["claims_supported"]


def test_the_id_token_still_carries_no_personal_data(flow):
    from .conftest import claims_of

    tokens = flow.tokens(scope="openid identity address contact nik")
    claims = claims_of(flow.client, tokens["id_token"])
    assert not {"name", "birthdate", "address", "phone_number", "urn:mpp:nik"} & set(claims)


@pytest.mark.parametrize(
    ("held", "e164"),
    [("081234567890", "+6281234567890"), ("6281234567890", "+6281234567890"),
     ("+62 812-3456-7890", "+6281234567890"), ("81234567890", "+6281234567890")],
)  # fmt: skip
def test_phone_numbers_are_given_in_e164(held, e164):
    assert phone_e164(held) == e164


def test_sex_is_given_as_the_standard_gender_values():
    assert userinfo_claims({"sex": "F"}) == {"gender": "female"}
    assert userinfo_claims({"sex": "M"}) == {"gender": "male"}


@pytest.mark.django_db
def test_the_address_is_the_standard_object_with_the_village_regency_and_province():
    province, _ = Province.objects.update_or_create(
        code="31", defaults={"name": "DKI Jakarta", "timezone": "Asia/Jakarta"}
    )
    regency, _ = Regency.objects.update_or_create(
        code="31.71",
        defaults={"province": province, "name": "Kota Jakarta Pusat", "kind": "kota"},
    )
    district, _ = District.objects.update_or_create(
        code="31.71.01", defaults={"regency": regency, "name": "Gambir"}
    )
    Village.objects.update_or_create(
        code="31.71.01.1001", defaults={"district": district, "name": "Gambir"}
    )
    claim = address_claim(
        {"address": "Jl. Merdeka 1", "rt": "001", "rw": "002", "village_code": "31.71.01.1001"}
    )
    assert claim["street_address"] == "Jl. Merdeka 1, RT 001/RW 002\nGambir, Gambir"
    assert claim["locality"] == "Kota Jakarta Pusat"
    assert claim["region"] == "DKI Jakarta"
    assert claim["country"] == "ID"
    assert claim["formatted"].endswith("Kota Jakarta Pusat\nDKI Jakarta\nIndonesia")
    assert (
        userinfo_claims({"address": "Jl. X", "rt": "", "rw": "", "village_code": ""})["address"][
            "street_address"
        ]
        == "Jl. X"
    )
