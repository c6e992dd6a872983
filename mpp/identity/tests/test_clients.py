"""Agency clients registered by national staff; logout."""

import json
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from oauth2_provider.models import AccessToken, Application

from mpp.registry.models import Agency

from ..models import AgencyClient
from ..services import agency_client_register


def test_registering_a_client_names_its_agency_scopes_and_redirect_uris(ministry_analyst):
    client, secret = agency_client_register(
        agency=Agency.objects.get(code="bpjs-kesehatan"),
        display_name="Sistem BPJS Kesehatan",
        redirect_uris=["https://bpjs.example.org/cb"],
        scopes=["identity", "documents:kk"],
        confidential=True,
        by=ministry_analyst,
    )
    assert secret and client.application.client_secret != secret  # stored hashed
    assert client.application.client_secret.startswith("client_secret_pbkdf2_sha256$1$")
    assert client.application.client_type == Application.CLIENT_CONFIDENTIAL
    assert client.application.redirect_uri_allowed("https://bpjs.example.org/cb")
    assert client.scopes == ["identity", "documents:kk"]


def test_an_unknown_scope_or_a_missing_redirect_uri_is_refused_naming_the_field(
    ministry_analyst,
):
    with pytest.raises(ValidationError) as error:
        agency_client_register(
            agency=Agency.objects.get(code="bpjs-kesehatan"),
            display_name="X",
            redirect_uris=[],
            scopes=["everything"],
            confidential=False,
            by=ministry_analyst,
        )
    assert set(error.value.message_dict) == {"scopes", "redirect_uris"}
    assert not AgencyClient.objects.exists()


def test_national_staff_register_a_client_in_the_admin(client, admin_user, db):
    client.force_login(admin_user)
    agency = Agency.objects.get(code="dukcapil")
    response = client.post(
        "/admin/identity/agencyclient/add/",
        {
            "agency": agency.pk,
            "display_name": "Layanan Dukcapil Daring",
            "purpose": "service_delivery",
            "purpose_text": "Cetak ulang KTP",
            "consent_days": 365,
            "scopes": ["identity", "address"],
            "redirect_uris": "https://dukcapil.example.org/cb",
            "post_logout_redirect_uris": "",
            "confidential": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    registered = AgencyClient.objects.get()
    assert registered.agency == agency and registered.scopes == ["identity", "address"]


def test_documents_are_released_by_type_only(flow, siti):
    from mpp.citizens.services import document_upload
    from mpp.citizens.tests.conftest import scan_png

    for doc_type in ("ktp", "kk"):
        document_upload(citizen=siti, doc_type=doc_type, content=scan_png(), by=siti.user)
    tokens = flow.tokens(scope="openid documents:ktp")
    body = json.loads(flow.get("/api/v1/person/", tokens["access_token"]).content)
    assert [d["type"] for d in body["data"]["documents"]] == ["ktp"]


def test_rp_initiated_logout_ends_the_session_and_the_tokens(flow):
    tokens = flow.tokens()
    query = urlencode(
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://bpjs.example.org/bye",
            "state": "s1",
        }
    )
    response = flow.client.get(f"/oidc/logout/?{query}")
    assert response.status_code == 302
    assert response["Location"].startswith("https://bpjs.example.org/bye")
    assert not AccessToken.objects.exists()
    assert flow.client.get("/citizen/").status_code == 302  # signed out of MPP too


def test_the_access_function_itself_keeps_a_consent_to_its_document_types(flow, siti):
    from mpp.citizens.access import SystemReader, citizen_data_read
    from mpp.citizens.services import document_upload
    from mpp.citizens.tests.conftest import scan_png

    for doc_type in ("ktp", "kk"):
        document_upload(citizen=siti, doc_type=doc_type, content=scan_png(), by=siti.user)
    flow.code(scope="openid documents:ktp")
    reading = citizen_data_read(
        citizen=siti,
        actor=None,
        purpose=flow.agency_client.purpose,
        fields=["documents"],
        system=SystemReader(label="x", agency=flow.agency_client.agency, document_types=None),
    )
    assert [d["type"] for d in reading.values["documents"]] == ["ktp"]
