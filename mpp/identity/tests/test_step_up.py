"""Step-up: a client asks for a higher assurance with acr_values; the citizen confirms by a
one-time code or a face check, and the ID token carries the acr and amr reached."""

import json
import re
from urllib.parse import urlencode

from django.utils import timezone
from jwcrypto import jwk, jwt

from mpp.citizens.models import FaceCheck
from mpp.core.messaging import FakeBackend

OTP = "urn:mpp:acr:otp"
FACE = "urn:mpp:acr:face"


def _claims(client, id_token):
    keys = jwk.JWKSet.from_json(client.get("/oidc/.well-known/jwks.json").content)
    return json.loads(jwt.JWT(jwt=id_token, key=keys, algs=["RS256"]).claims)


def test_a_higher_assurance_sends_the_citizen_to_the_step_up_page_first(flow):
    response = flow.authorize(acr_values=OTP)
    assert response.status_code == 302
    assert response["Location"].startswith("/oidc/step-up/?")


def test_a_one_time_code_raises_the_sign_in_to_otp_and_the_id_token_says_so(flow):
    step_up = flow.authorize(acr_values=OTP)["Location"]
    flow.client.get(step_up)
    flow.client.post(step_up, {"action": "send"})
    code = re.search(r"\b(\d{6})\b", FakeBackend.outbox[-1].body).group(1)
    done = flow.client.post(step_up, {"action": "code", "code": code})
    assert done.status_code == 302 and done["Location"].startswith("/oidc/authorize/?")
    assert flow.client.get(done["Location"]).status_code == 200  # now the consent screen
    tokens = flow.tokens(acr_values=OTP)
    claims = _claims(flow.client, tokens["id_token"])
    assert claims["acr"] == OTP
    assert "otp" in claims["amr"] and "pwd" in claims["amr"]


def test_a_wrong_code_does_not_raise_the_assurance(flow):
    step_up = flow.authorize(acr_values=OTP)["Location"]
    flow.client.get(step_up)
    flow.client.post(step_up, {"action": "send"})
    page = flow.client.post(step_up, {"action": "code", "code": "000000"})
    assert page.status_code == 200
    assert flow.authorize(acr_values=OTP)["Location"].startswith("/oidc/step-up/")


def test_a_face_check_at_the_mall_after_the_page_opened_raises_the_sign_in_to_face(
    flow, siti, mall_jakarta
):
    step_up = flow.authorize(acr_values=FACE)["Location"]
    flow.client.get(step_up)
    refused = flow.client.post(step_up, {"action": "face"})
    assert refused.status_code == 200  # no face check yet
    FaceCheck.objects.create(
        mall=mall_jakarta, citizen=siti, claim="nik", nonce="n", verified_at=timezone.now()
    )
    done = flow.client.post(step_up, {"action": "face"})
    assert done.status_code == 302
    claims = _claims(flow.client, flow.tokens(acr_values=FACE)["id_token"])
    assert claims["acr"] == FACE and "face" in claims["amr"]


def test_a_consent_posted_after_the_step_up_lapsed_is_refused(flow, settings):
    settings.OIDC_STEP_UP_MINUTES = 0
    response = flow.consent(acr_values=OTP)
    assert "error=access_denied" in response["Location"]


def test_the_step_up_page_never_sends_the_citizen_off_site(flow):
    flow.client.get("/oidc/step-up/?" + urlencode({"next": "https://evil.example.org/"}))
    flow.client.post("/oidc/step-up/", {"action": "send"})
    code = re.search(r"\b(\d{6})\b", FakeBackend.outbox[-1].body).group(1)
    done = flow.client.post(
        "/oidc/step-up/?" + urlencode({"next": "https://evil.example.org/"}),
        {"action": "code", "code": code},
    )
    assert done["Location"] == "/"
