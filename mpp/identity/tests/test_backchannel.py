"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the notices written at
sign-out and withdrawal, the signed logout token, and the outbox that posts it."""

import io
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlencode

import pytest
from django.utils import timezone
from jwcrypto import jwt

from mpp.citizens.models import Consent

from ..backchannel import EVENT, Refused, _claim, logout_notices_send, logout_token
from ..models import LogoutNotice, LogoutNoticeStatus
from .conftest import LOGOUT_URI, Flow, claims_of, id_token_of


class Recorder:
    """A client's back-channel endpoint: records each post; can fail or refuse."""

    def __init__(self, fail=None):
        self.posts: list[tuple[str, str]] = []
        self.fail = fail

    def post(self, uri, logout_token):
        self.posts.append((uri, logout_token))
        if self.fail is not None:
            raise self.fail


def test_discovery_advertises_back_channel_logout_with_sessions(client, db):
    doc = json.loads(client.get("/oidc/.well-known/openid-configuration").content)
    assert doc["backchannel_logout_supported"] is True
    assert doc["backchannel_logout_session_supported"] is True
    assert "sid" in doc["claims_supported"]


def test_the_id_token_carries_a_sid_stable_within_the_session(signed_in):
    first = id_token_of(signed_in)
    signed_in.signed = signed_in.tokens()
    assert first["sid"] and id_token_of(signed_in)["sid"] == first["sid"]


def test_the_sid_is_pairwise_like_the_sub(signed_in, dukcapil_app):
    other = Flow(signed_in.client, dukcapil_app, redirect_uri="https://app.dukcapil.example.org/cb")
    other.signed = other.tokens(scope="openid identity")
    assert id_token_of(other)["sid"] != id_token_of(signed_in)["sid"]


def test_signing_out_of_mpp_writes_one_notice_naming_the_sub_and_the_sid(signed_in):
    ids = id_token_of(signed_in)
    assert signed_in.client.post("/accounts/logout/").status_code == 302
    notice = LogoutNotice.objects.get()
    assert notice.uri == LOGOUT_URI
    assert (notice.sub, notice.sid) == (ids["sub"], ids["sid"])
    assert notice.issuer == ids["iss"]
    assert notice.reason == LogoutNotice.Reason.SIGN_OUT


def test_rp_initiated_logout_also_tells_the_clients(signed_in):
    query = urlencode({"id_token_hint": signed_in.signed["id_token"], "state": "s"})
    assert signed_in.client.get(f"/oidc/logout/?{query}").status_code == 302
    assert LogoutNotice.objects.count() == 1


def test_a_client_without_a_logout_uri_is_not_told(client, siti, bpjs):
    client.force_login(siti.user)
    Flow(client, bpjs).tokens()
    client.post("/accounts/logout/")
    assert not LogoutNotice.objects.exists()


def test_a_later_session_is_not_ended_by_the_sign_out_of_an_earlier_one(signed_in, siti):
    signed_in.client.post("/accounts/logout/")
    signed_in.client.force_login(siti.user)
    signed_in.signed = signed_in.tokens()
    assert id_token_of(signed_in)["sid"] != LogoutNotice.objects.get().sid


def test_withdrawing_the_consent_tells_the_client_with_the_sub_only(signed_in, siti):
    consent = Consent.objects.get(citizen=siti)
    signed_in.client.post(f"/citizen/consents/{consent.uuid}/revoke/")
    notice = LogoutNotice.objects.get()
    assert notice.reason == LogoutNotice.Reason.CONSENT_WITHDRAWN
    assert notice.sub == id_token_of(signed_in)["sub"] and notice.sid == ""


def test_a_client_requiring_the_session_gets_the_sid_on_withdrawal(signed_in, siti):
    signed_in.agency_client.backchannel_logout_session_required = True
    signed_in.agency_client.save()
    consent = Consent.objects.get(citizen=siti)
    signed_in.client.post(f"/citizen/consents/{consent.uuid}/revoke/")
    assert LogoutNotice.objects.get().sid == id_token_of(signed_in)["sid"]


def test_the_logout_token_is_signed_and_carries_what_the_standard_asks(signed_in):
    ids = id_token_of(signed_in)
    signed_in.client.post("/accounts/logout/")
    recorder = Recorder()
    assert logout_notices_send(sender=recorder)["sent"] == 1
    uri, token = recorder.posts[0]
    claims = claims_of(signed_in.client, token)
    assert uri == LOGOUT_URI
    assert claims["iss"] == ids["iss"] and claims["aud"] == signed_in.client_id
    assert (claims["sub"], claims["sid"]) == (ids["sub"], ids["sid"])
    assert claims["events"] == {EVENT: {}}
    assert claims["jti"] and claims["iat"] <= claims["exp"]
    assert "nonce" not in claims
    header = json.loads(jwt.JWT(jwt=token).token.objects["protected"])
    assert header["typ"] == "logout+jwt"
    assert LogoutNotice.objects.get().status == LogoutNoticeStatus.SENT


def test_a_sent_notice_is_not_sent_again(signed_in):
    signed_in.client.post("/accounts/logout/")
    recorder = Recorder()
    logout_notices_send(sender=recorder)
    logout_notices_send(sender=recorder)
    assert len(recorder.posts) == 1


def test_a_claimed_notice_is_not_posted_by_a_second_worker(signed_in):
    signed_in.client.post("/accounts/logout/")
    claimed = _claim(10, timezone.now())  # a first worker holds the lease, posting
    second = Recorder()
    logout_notices_send(sender=second)
    assert len(claimed) == 1 and second.posts == []


def test_a_failing_client_is_retried_later_with_the_same_jti(signed_in):
    signed_in.client.post("/accounts/logout/")
    failing = Recorder(fail=OSError("connection refused"))
    assert logout_notices_send(sender=failing)["failed"] == 1
    notice = LogoutNotice.objects.get()
    assert notice.status == LogoutNoticeStatus.PENDING and notice.attempts == 1
    assert notice.send_after > timezone.now() + timedelta(seconds=20)  # backed off
    assert "connection refused" in notice.last_error
    assert logout_notices_send(sender=failing)["failed"] == 0  # not due yet
    LogoutNotice.objects.update(send_after=timezone.now())
    recorder = Recorder()
    assert logout_notices_send(sender=recorder)["sent"] == 1
    first_jti = claims_of(signed_in.client, failing.posts[0][1])["jti"]
    assert claims_of(signed_in.client, recorder.posts[0][1])["jti"] == first_jti


def test_the_back_off_doubles_per_attempt(signed_in):
    signed_in.client.post("/accounts/logout/")
    waits = []
    for _ in range(3):
        LogoutNotice.objects.update(send_after=timezone.now())
        before = timezone.now()
        logout_notices_send(sender=Recorder(fail=TimeoutError("slow")))
        waits.append((LogoutNotice.objects.get().send_after - before).total_seconds())
    assert waits[0] >= 30 and waits[1] >= 60 and waits[2] >= 120


def test_a_refused_token_ends_the_notice_without_retries(signed_in):
    signed_in.client.post("/accounts/logout/")
    counts = logout_notices_send(sender=Recorder(fail=Refused("HTTP 400: jti already used")))
    assert counts["refused"] == 1
    notice = LogoutNotice.objects.get()
    assert notice.status == LogoutNoticeStatus.FAILED and "jti" in notice.last_error


def test_the_worker_command_posts_through_the_configured_sender(signed_in, settings):
    from django.core.management import call_command

    signed_in.client.post("/accounts/logout/")
    settings.OIDC_LOGOUT_SENDER = "mpp.identity.tests.test_backchannel.Recorder"
    out = io.StringIO()
    call_command("send_logout_tokens", stdout=out)
    assert "1 sent" in out.getvalue()
    assert LogoutNotice.objects.get().status == LogoutNoticeStatus.SENT


def test_registration_refuses_a_logout_uri_that_is_not_http(mall_jakarta, ministry_analyst):
    from django.core.exceptions import ValidationError

    from mpp.registry.models import Agency

    from ..services import agency_client_register

    with pytest.raises(ValidationError) as raised:
        agency_client_register(
            agency=Agency.objects.get(code="bpjs-kesehatan"),
            display_name="X",
            redirect_uris=["https://x.example.org/cb"],
            scopes=["identity"],
            confidential=True,
            by=ministry_analyst,
            backchannel_logout_uri="ftp://x.example.org/logout",
        )
    assert "backchannel_logout_uri" in raised.value.message_dict


def test_logout_token_helper_is_what_the_sender_posts(signed_in):
    signed_in.client.post("/accounts/logout/")
    notice = LogoutNotice.objects.select_related("application").get()
    body = parse_qs(urlencode({"logout_token": logout_token(notice)}))
    assert claims_of(signed_in.client, body["logout_token"][0])["jti"] == str(notice.jti)
