"""The demo agency app's back-channel logout endpoint: it takes MPP's logout token only when
it is signed by MPP, for this client, from this issuer, a logout event, without a nonce, and
not seen before; then it ends the sessions it names."""

import io
import json
import threading
import time
import uuid
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.utils import timezone
from jwcrypto import jwk, jwt

from examples.demo_agency.app import BACKCHANNEL_EVENT, DemoAgency

from ..backchannel import HttpSender, logout_notices_send
from ..models import LogoutNotice, LogoutNoticeStatus
from .conftest import id_token_of
from .keys import rsa_pem

PORT = 8301


@pytest.fixture
def agency(signed_in):
    ids = id_token_of(signed_in)
    keys = jwk.JWKSet.from_json(signed_in.client.get("/oidc/.well-known/jwks.json").content)
    demo = DemoAgency(
        issuer=ids["iss"],
        client_id=signed_in.client_id,
        client_secret="",
        base_url=f"http://127.0.0.1:{PORT}",
        scope="openid identity",
    )
    demo._discovery = {"issuer": ids["iss"], "jwks_uri": "unused"}
    demo.jwks = lambda refresh=False: keys  # no network in tests
    demo.signed_in = {
        "mine": {"sub": ids["sub"], "sid": ids["sid"], "acr": "", "data": {}},
        "other": {"sub": "someone-else", "sid": "another-session", "acr": "", "data": {}},
    }
    demo.ids = ids
    demo.signing_key = signed_in.agency_client.application.jwk_key
    return demo


def token_of(agency, key=None, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": agency.ids["iss"],
        "aud": agency.client_id,
        "iat": now,
        "exp": now + 120,
        "jti": str(uuid.uuid4()),
        "events": {BACKCHANNEL_EVENT: {}},
        "sub": agency.ids["sub"],
        "sid": agency.ids["sid"],
    }
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    key = key or agency.signing_key
    header = {"typ": "logout+jwt", "alg": "RS256", "kid": agency.signing_key.thumbprint()}
    token = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


def post(agency, token: str) -> tuple[str, dict]:
    body = urlencode({"logout_token": token}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/backchannel-logout",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=dict(headers))

    content = b"".join(agency(environ, start_response))
    return answer["status"], json.loads(content or b"{}") | answer["headers"]


def test_a_valid_logout_token_ends_the_session_it_names_only(agency):
    status, headers = post(agency, token_of(agency))
    assert status == "200 OK"
    assert headers["Cache-Control"] == "no-store"
    assert list(agency.signed_in) == ["other"]


def test_a_token_with_sub_only_ends_every_session_of_that_citizen(agency):
    agency.signed_in["second"] = dict(agency.signed_in["mine"], sid="x")
    assert post(agency, token_of(agency, sid=None))[0] == "200 OK"
    assert list(agency.signed_in) == ["other"]


def test_a_replayed_token_is_refused(agency):
    token = token_of(agency)
    assert post(agency, token)[0] == "200 OK"
    agency.signed_in["mine"] = {"sub": agency.ids["sub"], "sid": agency.ids["sid"]}
    status, body = post(agency, token)
    assert status == "400 Bad Request" and "replay" in body["error_description"]
    assert "mine" in agency.signed_in


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example.org/oidc"}, "issuer"),
        ({"aud": "another-client"}, "client"),
        ({"events": None}, "event"),
        ({"events": {"http://schemas.openid.net/event/other": {}}}, "event"),
        ({"nonce": "n-0S6"}, "nonce"),
        ({"sub": None, "sid": None}, "neither"),
        ({"jti": None}, "jti"),
        ({"iat": None}, "iat"),
        ({"exp": int(time.time()) - 3600}, "expired"),
    ],
)
def test_an_invalid_token_is_refused_and_ends_nothing(agency, changes, reason):
    status, body = post(agency, token_of(agency, **changes))
    assert status == "400 Bad Request"
    assert body["error"] == "invalid_request" and reason in body["error_description"]
    assert set(agency.signed_in) == {"mine", "other"}


def test_a_token_signed_by_another_key_is_refused(agency):
    stranger = jwk.JWK.from_pem(rsa_pem().encode())
    status, body = post(agency, token_of(agency, key=stranger))
    assert status == "400 Bad Request" and "signed" in body["error_description"]
    assert "mine" in agency.signed_in


def test_garbage_is_refused(agency):
    assert post(agency, "not-a-jwt")[0] == "400 Bad Request"
    assert post(agency, "")[0] == "400 Bad Request"


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def test_mpp_signing_out_ends_the_session_at_the_demo_agency_over_http(agency, signed_in):
    signed_in.agency_client.backchannel_logout_uri = f"http://127.0.0.1:{PORT}/backchannel-logout"
    signed_in.agency_client.save()
    server = make_server("127.0.0.1", PORT, agency, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        signed_in.client.post("/accounts/logout/")
        assert logout_notices_send(sender=HttpSender())["sent"] == 1
        assert list(agency.signed_in) == ["other"]
        # The same token posted again (a retry after a lost answer) is refused: no double.
        LogoutNotice.objects.update(status=LogoutNoticeStatus.PENDING, send_after=timezone.now())
        assert logout_notices_send(sender=HttpSender())["refused"] == 1
    finally:
        server.shutdown()
        server.server_close()
