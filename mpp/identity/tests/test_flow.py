"""The authorization code flow end to end, through the test client."""

import json

from mpp.citizens.models import AccessOutcome, AccessRecord, Consent, ConsentMethod


def test_the_consent_screen_names_the_agency_the_fields_and_the_purpose(flow):
    response = flow.authorize(scope="openid identity address nik")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Sistem BPJS Kesehatan" in text
    assert "Pendaftaran peserta JKN" in text
    assert 'value="address"' in text and 'value="nik"' in text


def test_a_granted_sign_in_is_a_citizens_consent_with_exactly_the_granted_fields(flow, siti):
    flow.code(scope="openid identity address nik", granted=["identity", "address"], days=90)
    consent = Consent.objects.get(citizen=siti)
    assert consent.method == ConsentMethod.SIGN_IN
    assert consent.agency == flow.agency_client.agency
    assert consent.categories == ["address", "identity"]
    assert "nik" not in consent.fields and "full_name" in consent.fields
    assert (consent.expires_at - consent.granted_at).days == 90


def test_userinfo_returns_exactly_the_granted_fields_and_logs_the_release(flow, siti):
    tokens = flow.tokens(scope="openid identity address nik", granted=["identity", "address"])
    response = flow.get("/oidc/userinfo/", tokens["access_token"])
    claims = json.loads(response.content)
    assert response.status_code == 200
    assert claims["name"] == "Siti Nurhaliza"
    assert claims["address"]["street_address"] == "Jl. Merdeka 1, RT 001/RW 002"
    assert "urn:mpp:nik" not in claims and "phone_number" not in claims
    record = AccessRecord.objects.filter(citizen=siti).first()
    assert record.outcome == AccessOutcome.GRANTED
    assert record.actor_label == "Sistem BPJS Kesehatan"
    assert record.agency == flow.agency_client.agency
    assert record.channel == "api"
    assert "address" in record.fields and "nik" not in record.fields
    assert "Pendaftaran peserta JKN" in record.reason
    assert flow.client_id[:12] in record.reason


def test_the_person_resource_returns_the_nik_only_with_the_nik_scope(flow):
    tokens = flow.tokens(scope="openid identity nik")
    body = json.loads(flow.get("/api/v1/person/", tokens["access_token"]).content)
    assert body["data"]["nik"] == "3171014505900001"
    assert body["sub"]


def test_the_citizen_sees_the_release_in_who_saw_my_data(flow):
    tokens = flow.tokens()
    flow.get("/oidc/userinfo/", tokens["access_token"])
    page = flow.client.get("/citizen/access-log/").content.decode()
    assert "Sistem BPJS Kesehatan" in page


def test_refusing_gives_access_denied_and_records_no_consent(flow, siti):
    response = flow.consent(allow=False)
    assert "error=access_denied" in response["Location"]
    assert not Consent.objects.filter(citizen=siti).exists()


def test_openid_alone_releases_no_personal_data_and_writes_no_consent(flow, siti):
    tokens = flow.tokens(scope="openid")
    claims = json.loads(flow.get("/oidc/userinfo/", tokens["access_token"]).content)
    assert list(claims) == ["sub"]
    assert not Consent.objects.filter(citizen=siti).exists()
    assert not AccessRecord.objects.filter(citizen=siti, channel="api").exists()


def test_a_refresh_token_is_rotated_and_the_old_one_stops_working(flow):
    tokens = flow.tokens()
    response = flow.refresh(tokens["refresh_token"])
    assert response.status_code == 200
    fresh = json.loads(response.content)
    assert fresh["refresh_token"] != tokens["refresh_token"]
    again = flow.refresh(tokens["refresh_token"])
    assert again.status_code == 400
    assert json.loads(again.content)["error"] == "invalid_grant"


def test_withdrawing_the_consent_revokes_the_tokens(flow, siti):
    tokens = flow.tokens()
    consent = Consent.objects.get(citizen=siti)
    response = flow.client.post(f"/citizen/consents/{consent.uuid}/revoke/")
    assert response.status_code == 302
    denied = flow.get("/oidc/userinfo/", tokens["access_token"])
    assert denied.status_code == 401
    assert 'error="invalid_token"' in denied["WWW-Authenticate"]
    assert flow.refresh(tokens["refresh_token"]).status_code == 400


def test_my_consents_lists_the_exact_fields_of_a_sign_in_grant(flow, siti):
    flow.code(scope="openid identity", granted=["identity"])
    page = flow.client.get("/citizen/consents/").content.decode()
    assert "Nama lengkap" in page  # the fields, not just the category
    assert "NIK" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_a_bare_application_without_an_agency_gets_only_its_subject(client, siti, db):
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    app = Application.objects.create(
        name="bare",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://x.example.org/cb",
    )
    AccessToken.objects.create(
        user=siti.user,
        application=app,
        token="bare-token-123456",
        expires=timezone.now() + timedelta(minutes=5),
        scope="openid identity",
    )
    response = client.get("/oidc/userinfo/", HTTP_AUTHORIZATION="Bearer bare-token-123456")
    assert response.status_code == 200
    assert list(json.loads(response.content)) == ["sub"]
