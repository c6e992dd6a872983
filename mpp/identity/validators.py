"""django-oauth-toolkit's validator, adapted: the ID token carries a pairwise `sub`, the
`acr` and `amr` reached and no personal data (the NIK least of all: personal data comes
only from userinfo or /api/v1/person/, where every release is logged); a replayed code
ends the sign-in it came from."""

import hashlib
import json
import logging
from contextvars import ContextVar

from django.db import connection, router, transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant
from oauth2_provider.oauth2_validators import OAuth2Validator

from mpp.core.compiled import CompiledLookup

from .clients import session_of, subject_of
from .models import Acr, SignIn, code_digest

log = logging.getLogger("mpp.identity")
# (serialized, IDToken) of the ID token this token request signed, while its access token is
# created (see _create_access_token).
_signed_id_token: ContextVar[tuple | None] = ContextVar("mpp_signed_id_token", default=None)


# The four lookups of every token and userinfo request, their SQL compiled once per process
# (mpp.core.compiled): each call still reads the row, so a change takes effect at once.
_KEY = "\x00mpp-key\x00"
_APPLICATION = CompiledLookup(
    Application,
    lambda client_id: Application.objects.select_related("agency_client").filter(
        client_id=client_id
    ),
    sentinels={"client_id": _KEY},
)
_ACCESS_TOKEN = CompiledLookup(
    AccessToken,
    lambda checksum: AccessToken.objects.select_related(
        "application__agency_client__agency", "user__citizen"
    ).filter(token_checksum=checksum),
    sentinels={"checksum": _KEY},
)


def _grants(code, locked):
    grants = Grant.objects.select_related("user").filter(code=code)
    # FOR UPDATE: the token view runs in one transaction, so two requests redeeming the same
    # code are serialised and the second finds it gone.
    return grants.select_for_update(of=("self",)) if locked else grants


_GRANT = CompiledLookup(Grant, _grants, sentinels={"code": _KEY})
_SIGN_IN = CompiledLookup(
    SignIn, lambda digest: SignIn.objects.filter(code_digest=digest), sentinels={"digest": _KEY}
)


def _agency_id(client) -> int:
    agency_client = getattr(client, "agency_client", None)
    return agency_client.agency_id if agency_client else 0


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # our claims are not OIDC's profile/email scopes

    def _load_application(self, client_id, request):
        """The client with its agency in one query (the ID token's pairwise `sub` and the
        scopes need the agency); django-oauth-toolkit then reuses it as its cached client."""
        if not request.client and isinstance(client_id, str) and "\x00" not in client_id:
            request.client = _APPLICATION.first(client_id=client_id)
        return super()._load_application(client_id, request)

    def _load_access_token(self, token):
        """The bearer token with its client's agency and its citizen: userinfo needs both
        (one query, not three)."""
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return _ACCESS_TOKEN.first(checksum=checksum)

    # --- the code's grant, read once per token request ------------------------------------
    # django-oauth-toolkit reads the grant of a code seven times in one token request (its
    # scope, nonce, PKCE challenge and method, redirect URI, resource, the grant itself).
    # We read it once, locked (FOR UPDATE: the token view runs in one transaction, so two
    # requests redeeming the same code are serialised and the second finds it gone).

    def _grant(self, code, request) -> Grant | None:
        cached = getattr(request, "_mpp_grant", None)
        if cached is not None and cached[0] == code:
            return cached[1]
        locked = connection.in_atomic_block and connection.features.has_select_for_update
        grant = _GRANT.first(code=code, for_write=locked, variant={"locked": locked})
        request._mpp_grant = (code, grant)
        return grant

    def _grant_of_client(self, code, client, request) -> Grant:
        grant = self._grant(code, request)
        if grant is None or client is None or grant.application_id != client.pk:
            raise Grant.DoesNotExist
        return grant

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *a, **kw):
        return self._grant_of_client(code, client, request).redirect_uri_allowed(redirect_uri)

    def get_code_challenge(self, code, request):
        return self._grant_of_client(code, request.client, request).code_challenge or None

    def get_code_challenge_method(self, code, request):
        grant = self._grant_of_client(code, request.client, request)
        return grant.code_challenge_method or None

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return grant.scope.split() if grant and grant.scope else []

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return (grant.nonce or None) if grant else None

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        request._mpp_grant = None

    def _check_and_set_request_resource(self, request):
        """RFC 8707 resource indicators. django-oauth-toolkit reads the code's grant again
        for its `resource`; when neither the request nor the grant (already read) names one
        the answer is no resource, without that query."""
        cached = getattr(request, "_mpp_grant", None)
        grant = cached[1] if cached is not None and cached[0] == request.code else None
        if (
            request.grant_type == "authorization_code"
            and not getattr(request, "resource", None)
            and grant is not None
            and request.client is not None
            and grant.application_id == request.client.pk
            and not grant.resource
        ):
            request.resource = []
            return
        super()._check_and_set_request_resource(request)

    def _sign_in(self, request) -> SignIn | None:
        cached = getattr(request, "_mpp_sign_in", False)
        if cached is not False:
            return cached
        sign_in = None
        if getattr(request, "code", None):
            sign_in = _SIGN_IN.first(digest=code_digest(request.code))
        elif request.user is not None and request.client is not None:
            sign_in = SignIn.objects.filter(user=request.user, application=request.client).first()
        request._mpp_sign_in = sign_in
        return sign_in

    def get_claim_dict(self, request):
        return {"sub": subject_of(user_id=request.user.pk, agency_id=_agency_id(request.client))}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        sign_in = self._sign_in(request)
        claims["acr"] = sign_in.acr if sign_in else Acr.PASSWORD.value
        claims["amr"] = sign_in.amr if sign_in else ["pwd"]
        if sign_in:
            claims["auth_time"] = int(sign_in.auth_time.timestamp())
            sid = session_of(session_id=sign_in.session_id, agency_id=_agency_id(request.client))
            if sid:
                claims["sid"] = sid  # the session a back-channel logout token names
        return claims, expiration_time

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        try:
            grant = self._grant_of_client(code, client, request)
        except Grant.DoesNotExist:
            grant = None
        if grant is not None and not grant.is_expired():
            request.scopes = grant.scope.split(" ")
            request.user = grant.user
            if grant.nonce:
                request.nonce = grant.nonce
            if grant.claims:
                request.claims = json.loads(grant.claims)
            return True
        used = SignIn.objects.filter(code_digest=code_digest(code), used_at__isnull=False).first()
        if used is not None:
            # RFC 6749 §4.1.2: a code used twice revokes what it gave.
            from .services import tokens_revoke

            tokens_revoke(user=used.user, applications=[used.application])
            log.warning("oidc code replayed: client %s, tokens of that sign-in revoked", client_id)
        return False

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        request._mpp_id_token = (signed, request.id_token)
        return signed

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        # django-oauth-toolkit links the access token to its ID token by parsing the signed
        # token, loading the client of its `aud`, verifying the signature and selecting the
        # row by `jti`: for the token this request has just signed and saved, that is two
        # queries and a signature check that can only succeed. _load_id_token reuses it.
        reset = _signed_id_token.set(getattr(request, "_mpp_id_token", None))
        try:
            return super()._create_access_token(expires, request, token, source_refresh_token)
        finally:
            _signed_id_token.reset(reset)

    def _load_id_token(self, token):
        signed = _signed_id_token.get()
        if signed is not None and signed[0] == token:
            return signed[1]
        return super()._load_id_token(token)

    def save_bearer_token(self, token, request, *args, **kwargs):
        # django-oauth-toolkit saves in a transaction of its own, a savepoint inside the token
        # view's (mpp.identity.views.TokenView): two more round trips for nothing, since a
        # failure rolls the whole request back anyway.
        with transaction.atomic(using=router.db_for_write(AccessToken), savepoint=False):
            result = self._save_bearer_token(token, request, *args, **kwargs)
            if getattr(request, "code", None):
                SignIn.objects.filter(code_digest=code_digest(request.code), used_at=None).update(
                    used_at=timezone.now()
                )
        return result
