"""Identity fixtures: a citizen with an address, BPJS Kesehatan's confidential system and
a public (mobile) client of Dukcapil, and a small OAuth client for the test client."""

import base64
import hashlib
import json
import secrets
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from jwcrypto import jwk, jwt

from conftest import make_user
from mpp.accounts.models import Role
from mpp.citizens import access
from mpp.citizens.services import citizen_create
from mpp.core.messaging import FakeBackend
from mpp.registry.models import Agency

from ..services import agency_client_register

NIK = "3171014505900001"
REDIRECT = "https://bpjs.example.org/callback"
APP_REDIRECT = "https://app.dukcapil.example.org/cb"
LOGOUT_URI = "https://bpjs.example.org/backchannel-logout"


@pytest.fixture(autouse=True)
def _fake_sms(settings, tmp_path):
    settings.MESSAGING_BACKEND = "mpp.core.messaging.FakeBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    FakeBackend.outbox = []
    FakeBackend.fail_next = 0


@pytest.fixture
def siti(mall_jakarta):
    user = make_user("siti", Role.CITIZEN)
    person = citizen_create(
        nik=NIK,
        full_name="Siti Nurhaliza",
        birth_date=date(1990, 5, 5),
        phone="081234567890",
        user=user,
    )
    access.profile_write(
        citizen=person, changes={"address": "Jl. Merdeka 1", "rt": "001", "rw": "002"}
    )
    person.save()
    return person


@pytest.fixture
def bpjs(mall_jakarta, ministry_analyst):
    client, secret = agency_client_register(
        agency=Agency.objects.get(code="bpjs-kesehatan"),
        display_name="Sistem BPJS Kesehatan",
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=["https://bpjs.example.org/bye"],
        scopes=["identity", "address", "contact", "nik", "documents:ktp"],
        confidential=True,
        purpose_text="Pendaftaran peserta JKN",
        by=ministry_analyst,
    )
    client.secret = secret
    return client


@pytest.fixture
def dukcapil_app(mall_jakarta, ministry_analyst):
    client, _secret = agency_client_register(
        agency=Agency.objects.get(code="dukcapil"),
        display_name="Aplikasi Dukcapil",
        redirect_uris=[APP_REDIRECT],
        scopes=["identity"],
        confidential=False,
        by=ministry_analyst,
    )
    return client


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


class Flow:
    """What an agency's system does, through Django's test client."""

    def __init__(self, client, agency_client, redirect_uri=REDIRECT):
        self.client = client
        self.agency_client = agency_client
        self.client_id = agency_client.application.client_id
        self.secret = getattr(agency_client, "secret", "")
        self.redirect_uri = redirect_uri
        self.verifier, self.challenge = pkce_pair()

    def authorize_params(self, scope="openid identity address", **extra) -> dict:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": scope,
            "state": "xyz",
            "nonce": "n-0S6",
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        params.update(extra)
        return {k: v for k, v in params.items() if v is not None}

    def authorize(self, scope="openid identity address", **extra):
        return self.client.get(
            "/oidc/authorize/?" + urlencode(self.authorize_params(scope, **extra))
        )

    def consent(self, granted=None, allow=True, days=365, scope="openid identity address", **extra):
        data = self.authorize_params(scope, **extra)
        wanted = [s for s in scope.split() if s != "openid"]
        data.update({"days": days, "granted": granted if granted is not None else wanted})
        if allow:
            data["allow"] = "on"
        response = self.client.post("/oidc/authorize/", data)
        assert response.status_code == 302, response.content[:400]
        return response

    def code(self, **kwargs) -> str:
        response = self.consent(**kwargs)
        query = parse_qs(urlsplit(response["Location"]).query)
        assert query.get("state") == ["xyz"]
        return query["code"][0]

    def token(self, code, verifier=None, **extra):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier if verifier is None else verifier,
            "client_id": self.client_id,
        }
        if self.secret:
            data["client_secret"] = self.secret
        data.update(extra)
        data = {k: v for k, v in data.items() if v is not None}
        return self.client.post("/oidc/token/", data)

    def tokens(self, **kwargs) -> dict:
        response = self.token(self.code(**kwargs))
        assert response.status_code == 200, response.content
        return json.loads(response.content)

    def refresh(self, refresh_token):
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        data |= {"client_id": self.client_id, "client_secret": self.secret}
        return self.client.post("/oidc/token/", data)

    def get(self, path, access_token):
        return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {access_token}")


@pytest.fixture
def flow(client, siti, bpjs):
    client.force_login(siti.user)
    return Flow(client, bpjs)


@pytest.fixture
def bpjs_logout(bpjs):
    agency_client = bpjs
    agency_client.backchannel_logout_uri = LOGOUT_URI
    agency_client.save()
    return agency_client


@pytest.fixture
def signed_in(client, siti, bpjs_logout):
    client.force_login(siti.user)
    flow = Flow(client, bpjs_logout)
    flow.signed = flow.tokens()
    return flow


def claims_of(client, token: str) -> dict:
    keys = jwk.JWKSet.from_json(client.get("/oidc/.well-known/jwks.json").content)
    return json.loads(jwt.JWT(jwt=token, key=keys, algs=["RS256"]).claims)


def id_token_of(flow) -> dict:
    return claims_of(flow.client, flow.signed["id_token"])
