"""The token endpoint's and userinfo's lookups run SQL compiled once per process
(mpp.core.compiled): only the statement is kept, so what the rows say still counts at once,
and the models built from a row are those the ORM builds. The ID token is signed with the
key configured now."""

import base64
import hashlib
import json

from django.db import connection
from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Application

from mpp.citizens import access
from mpp.citizens.models import Consent
from mpp.identity import validators

from .conftest import Flow
from .keys import rsa_pem


def test_a_changed_client_secret_counts_at_once_at_the_token_endpoint(flow):
    flow.tokens()  # the client's lookup compiled and used
    application = Application.objects.get(client_id=flow.client_id)
    application.client_secret = "a-new-secret-the-agency-was-given"
    application.save()
    response = flow.token(flow.code())
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "invalid_client"
    rotated = Flow(flow.client, flow.agency_client)
    rotated.verifier, rotated.secret = flow.verifier, "a-new-secret-the-agency-was-given"
    assert rotated.token(flow.code()).status_code == 200


def test_a_removed_client_is_refused_at_once(flow):
    tokens = flow.tokens()
    code = flow.code()
    Application.objects.filter(client_id=flow.client_id).delete()
    assert flow.token(code).status_code == 401
    assert flow.get("/oidc/userinfo/", tokens["access_token"]).status_code == 401


def test_a_code_is_redeemed_once_with_the_compiled_grant_lookup(flow):
    code = flow.code()
    assert flow.token(code).status_code == 200
    replayed = flow.token(code)
    assert replayed.status_code == 400
    assert json.loads(replayed.content)["error"] == "invalid_grant"


def test_a_consent_withdrawn_in_the_database_counts_at_once_at_userinfo(flow, siti):
    tokens = flow.tokens()
    assert flow.get("/oidc/userinfo/", tokens["access_token"]).status_code == 200
    # Only the consent row changes (the tokens stay): the consent check itself refuses.
    Consent.objects.filter(citizen=siti).update(revoked_at=timezone.now())
    response = flow.get("/oidc/userinfo/", tokens["access_token"])
    assert response.status_code == 401
    assert json.loads(response.content)["error"] == "invalid_token"


def test_the_compiled_token_lookup_builds_what_the_orm_builds(flow, siti):
    tokens = flow.tokens()
    checksum = hashlib.sha256(tokens["access_token"].encode()).hexdigest()
    compiled = validators._ACCESS_TOKEN.first(checksum=checksum)
    orm = AccessToken.objects.select_related(
        "application__agency_client__agency", "user__citizen"
    ).get(token_checksum=checksum)
    assert (compiled.pk, compiled.scope, compiled.expires) == (orm.pk, orm.scope, orm.expires)
    assert compiled.application.client_id == orm.application.client_id
    assert compiled.application.agency_client.agency.code == "bpjs-kesehatan"
    assert compiled.application.agency_client.scopes == orm.application.agency_client.scopes
    assert compiled.user.citizen.pk == siti.pk
    assert compiled.user.citizen.sealed_profile == orm.user.citizen.sealed_profile
    assert validators._ACCESS_TOKEN.first(checksum="0" * 64) is None
    assert all(s.usable for s in validators._ACCESS_TOKEN._statements.values())


def test_the_compiled_consent_lookup_lists_the_active_consents_newest_first(flow, siti, bpjs):
    flow.tokens()
    flow.tokens(scope="openid identity")  # a second sign-in consent
    now = timezone.now()
    keys = {"citizen_id": siti.pk, "agency_id": bpjs.agency_id, "at": now}
    purpose = Consent.objects.filter(citizen=siti).first().purpose
    orm = list(Consent.objects.active(now).filter(citizen=siti, agency_id=bpjs.agency_id))
    compiled = access._ACTIVE_CONSENTS.all(purpose=purpose, **keys)
    assert [c.pk for c in compiled] == [c.pk for c in orm if c.purpose == purpose]
    assert compiled and compiled[0].categories == orm[0].categories
    Consent.objects.filter(citizen=siti).update(revoked_at=now)
    assert access._ACTIVE_CONSENTS.all(purpose=purpose, **keys) == []
    # SQLite sends datetimes as text, so there the queryset runs (the statement is unused).
    usable = [s.usable for s in access._ACTIVE_CONSENTS._statements.values()]
    assert usable == [connection.vendor != "sqlite"]


def test_a_rotated_signing_key_signs_the_next_id_token(flow, settings):
    flow.tokens()  # signed with the key before
    new = rsa_pem()
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {
        "OIDC_RSA_PRIVATE_KEY": new,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]],
    }
    id_token = flow.tokens()["id_token"]
    key = jwk.JWK.from_pem(new.encode())
    header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
    assert header["kid"] == key.thumbprint()
    assert json.loads(jwt.JWT(jwt=id_token, key=key, algs=["RS256"]).claims)["aud"]
