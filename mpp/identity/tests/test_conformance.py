"""The OpenID Foundation's expectations that can be checked offline: discovery fields,
JWKS and key rotation, ID token claims and signature, code single use, PKCE for public
clients."""

import json

import pytest
from jwcrypto import jwk, jwt

from .keys import rsa_pem


def _discovery(client):
    response = client.get("/oidc/.well-known/openid-configuration")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_discovery_document_has_the_required_fields(client, db):
    doc = _discovery(client)
    for key in (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ):
        assert doc[key], key
    assert doc["issuer"] == "http://testserver/oidc"
    assert doc["authorization_endpoint"] == "http://testserver/oidc/authorize/"
    assert "code" in doc["response_types_supported"]
    assert "RS256" in doc["id_token_signing_alg_values_supported"]
    assert "S256" in doc["code_challenge_methods_supported"]
    assert doc["end_session_endpoint"].endswith("/oidc/logout/")
    assert "nik" in doc["scopes_supported"] and "address" in doc["scopes_supported"]


def test_jwks_lists_the_signing_key_and_the_retired_keys_during_rotation(client, settings, db):
    old, new = rsa_pem(), rsa_pem()
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {
        "OIDC_RSA_PRIVATE_KEY": new,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old],
    }
    keys = json.loads(client.get("/oidc/.well-known/jwks.json").content)["keys"]
    kids = {k["kid"] for k in keys}
    assert kids == {
        jwk.JWK.from_pem(old.encode()).thumbprint(),
        jwk.JWK.from_pem(new.encode()).thumbprint(),
    }
    assert all("d" not in k for k in keys)  # public halves only


def _verified_claims(client, id_token) -> dict:
    keys = jwk.JWKSet.from_json(client.get("/oidc/.well-known/jwks.json").content)
    token = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"])
    return json.loads(token.claims)


def test_the_id_token_is_signed_and_carries_the_required_claims_and_no_personal_data(flow):
    tokens = flow.tokens(scope="openid identity nik address")
    claims = _verified_claims(flow.client, tokens["id_token"])
    assert claims["iss"] == "http://testserver/oidc"
    assert claims["aud"] == flow.client_id
    assert claims["nonce"] == "n-0S6"
    assert claims["exp"] > claims["iat"]
    assert claims["sub"] and claims["auth_time"]
    assert claims["acr"] == "urn:mpp:acr:password" and claims["amr"] == ["pwd"]
    text = json.dumps(claims)
    assert "3171014505900001" not in text and "Siti" not in text and "Merdeka" not in text


def test_the_subject_is_pairwise_stable_for_an_agency_and_different_for_another(
    flow, client, dukcapil_app
):
    from .conftest import APP_REDIRECT, Flow

    first = _verified_claims(client, flow.tokens(scope="openid")["id_token"])["sub"]
    second = _verified_claims(client, flow.tokens(scope="openid")["id_token"])["sub"]
    other = Flow(client, dukcapil_app, APP_REDIRECT).tokens(scope="openid")["id_token"]
    assert first == second != _verified_claims(client, other)["sub"]


def test_an_id_token_signed_with_a_retired_key_still_verifies_after_rotation(flow, settings):
    tokens = flow.tokens(scope="openid")
    current = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {
        "OIDC_RSA_PRIVATE_KEY": rsa_pem(),
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [current],
    }
    assert _verified_claims(flow.client, tokens["id_token"])["aud"] == flow.client_id


def test_a_code_works_once_and_its_replay_revokes_the_tokens_it_gave(flow):
    code = flow.code()
    first = flow.token(code)
    assert first.status_code == 200
    replay = flow.token(code)
    assert replay.status_code == 400
    assert json.loads(replay.content)["error"] == "invalid_grant"
    access_token = json.loads(first.content)["access_token"]
    assert flow.get("/oidc/userinfo/", access_token).status_code == 401


@pytest.fixture
def public_flow(client, siti, dukcapil_app):
    from .conftest import APP_REDIRECT, Flow

    client.force_login(siti.user)
    return Flow(client, dukcapil_app, APP_REDIRECT)


def test_a_public_client_must_send_a_pkce_challenge(public_flow):
    response = public_flow.authorize(scope="openid identity", code_challenge=None)
    location = response.get("Location", "")
    assert response.status_code == 302 and "error=invalid_request" in location
    assert "Code+challenge+required" in location


def test_a_public_client_with_the_wrong_verifier_gets_invalid_grant(public_flow):
    code = public_flow.code(scope="openid identity")
    response = public_flow.token(code, verifier="x" * 50)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_grant"


def test_a_public_client_without_a_verifier_gets_invalid_request_or_grant(public_flow):
    code = public_flow.code(scope="openid identity")
    response = public_flow.token(code, verifier="")
    assert response.status_code == 400
    assert json.loads(response.content)["error"] in ("invalid_request", "invalid_grant")


def test_a_public_client_with_the_right_verifier_signs_in(public_flow):
    code = public_flow.code(scope="openid identity")
    assert public_flow.token(code).status_code == 200


def test_the_plain_pkce_method_is_refused_and_no_consent_is_left_behind(public_flow, siti):
    from mpp.citizens.models import Consent

    response = public_flow.consent(
        scope="openid identity", code_challenge="a" * 43, code_challenge_method="plain"
    )
    location = response["Location"]
    assert "error=invalid_request" in location and "code=" not in location
    assert not Consent.objects.filter(citizen=siti).exists()


def test_an_access_token_in_the_url_is_not_accepted(flow):
    tokens = flow.tokens()
    response = flow.client.get(f"/oidc/userinfo/?access_token={tokens['access_token']}")
    assert response.status_code == 401


def test_the_authorization_response_names_the_issuer_of_the_id_token(flow):
    response = flow.consent()
    assert "iss=http%3A%2F%2Ftestserver%2Foidc&" in response["Location"] + "&"
    metadata = json.loads(flow.client.get("/oidc/.well-known/oauth-authorization-server").content)
    assert metadata["issuer"] == _discovery(flow.client)["issuer"] == "http://testserver/oidc"
