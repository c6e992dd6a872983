"""Bad input gets the OAuth 2.0 / OIDC error the standards name, nothing is released and
the attempt is logged."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, IDToken

from mpp.citizens.models import AccessOutcome, AccessRecord, Consent


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.WARNING, logger="mpp.identity")
    return caplog


def _nothing_released(citizen):
    return not AccessRecord.objects.filter(
        citizen=citizen, channel="api", outcome=AccessOutcome.GRANTED
    ).exists()


def test_an_unknown_client_gets_an_error_page_not_a_redirect(flow, siti, logged):
    response = flow.authorize(client_id="no-such-client")
    assert response.status_code == 400
    assert "redirect" not in response.get("Location", "")
    assert "client=no-such-client error=invalid_request" in logged.text
    assert not Consent.objects.filter(citizen=siti).exists()


def test_a_wrong_redirect_uri_gets_an_error_page_never_a_redirect_there(flow, logged):
    response = flow.authorize(redirect_uri="https://evil.example.org/steal")
    assert response.status_code == 400
    assert "evil" not in response.get("Location", "")
    assert "error=" in logged.text


def test_a_scope_the_client_may_not_ask_for_gets_invalid_scope(flow, siti, logged):
    response = flow.authorize(scope="openid identity tax")
    assert response.status_code == 302
    assert "error=invalid_scope" in response["Location"]
    assert "error=invalid_scope" in logged.text
    assert not Consent.objects.filter(citizen=siti).exists()


def test_a_wrong_client_secret_gets_invalid_client(flow, siti, logged):
    code = flow.code()
    response = flow.token(code, client_secret="wrong")
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "invalid_client"
    assert "oidc refused at token" in logged.text
    assert _nothing_released(siti)


def test_a_wrong_pkce_verifier_for_a_confidential_client_gets_invalid_grant(flow, siti, logged):
    code = flow.code()
    response = flow.token(code, verifier="y" * 50)
    assert json.loads(response.content)["error"] == "invalid_grant"
    assert "error=invalid_grant" in logged.text


def test_an_expired_access_token_gets_invalid_token_and_nothing_is_released(flow, siti, logged):
    tokens = flow.tokens()
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = flow.get("/oidc/userinfo/", tokens["access_token"])
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "invalid_token"
    assert "oidc refused at userinfo" in logged.text
    assert _nothing_released(siti)


def test_a_revoked_token_gets_invalid_token(flow, siti):
    tokens = flow.tokens()
    response = flow.client.post(
        "/oidc/revoke/",
        {
            "token": tokens["access_token"],
            "client_id": flow.client_id,
            "client_secret": flow.secret,
        },
    )
    assert response.status_code == 200
    assert flow.get("/api/v1/person/", tokens["access_token"]).status_code == 401
    assert _nothing_released(siti)


def test_a_token_is_refused_once_the_consent_ran_out_and_the_refusal_is_logged(flow, siti):
    tokens = flow.tokens()
    Consent.objects.filter(citizen=siti).update(
        granted_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(days=1)
    )
    response = flow.get("/api/v1/person/", tokens["access_token"])
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "invalid_token"
    record = AccessRecord.objects.filter(citizen=siti).first()
    assert record.outcome == AccessOutcome.REFUSED and record.channel == "api"
    assert record.actor_label == "Sistem BPJS Kesehatan"
    assert _nothing_released(siti)


def test_introspection_tells_the_client_whether_a_token_is_active(flow):
    tokens = flow.tokens()
    auth = {"client_id": flow.client_id, "client_secret": flow.secret}
    active = json.loads(
        flow.client.post("/oidc/introspect/", {"token": tokens["access_token"]} | auth).content
    )
    assert active["active"] is True and "address" in active["scope"]
    flow.client.post("/oidc/revoke/", {"token": tokens["access_token"]} | auth)
    gone = json.loads(
        flow.client.post("/oidc/introspect/", {"token": tokens["access_token"]} | auth).content
    )
    assert gone["active"] is False


def test_introspection_without_client_credentials_is_refused(flow, client):
    tokens = flow.tokens()
    client.logout()
    response = client.post("/oidc/introspect/", {"token": tokens["access_token"]})
    assert response.status_code in (401, 403)


def test_only_a_citizen_with_a_profile_can_sign_in(client, bpjs, officer_jakarta):
    from .conftest import Flow

    client.force_login(officer_jakarta)
    assert Flow(client, bpjs).authorize().status_code == 403


def test_signing_in_first_asks_for_the_mpp_login(client, bpjs, db):
    from .conftest import Flow

    response = Flow(client, bpjs).authorize()
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_machine_endpoints_take_no_csrf_token(flow, siti):
    from django.test import Client

    from .conftest import Flow

    code = flow.code()
    machine = Flow(Client(enforce_csrf_checks=True), flow.agency_client)
    machine.verifier = flow.verifier
    response = machine.token(code)
    assert response.status_code == 200
    tokens = json.loads(response.content)
    auth = {"client_id": flow.client_id, "client_secret": flow.secret}
    introspect = machine.client.post("/oidc/introspect/", {"token": tokens["access_token"]} | auth)
    assert introspect.status_code == 200
    assert (
        machine.client.post(
            "/oidc/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
        ).status_code
        == 200
    )
    revoke = machine.client.post("/oidc/revoke/", {"token": tokens["access_token"]} | auth)
    assert revoke.status_code == 200


def test_a_resource_outside_the_grant_is_invalid_target_and_the_request_leaves_nothing(flow):
    # RFC 8707: the token request may narrow the grant's resources, never widen them. The
    # refusal comes while the tokens are saved: the whole request rolls back (no ID token).
    code = flow.code(resource="https://bpjs.example.org/api")
    response = flow.token(code, resource="https://other.example.org/api")
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_target"
    assert not IDToken.objects.exists() and not AccessToken.objects.exists()
    assert flow.token(code, resource="https://bpjs.example.org/api").status_code == 200
