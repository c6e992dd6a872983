"""django-oauth-toolkit's validator, adapted: the ID token carries a pairwise `sub`, the
`acr` and `amr` reached and no personal data (the NIK least of all: personal data comes
only from userinfo or /api/v1/person/, where every release is logged); a replayed code
ends the sign-in it came from."""

import logging

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from .clients import subject_of
from .models import Acr, SignIn, code_digest

log = logging.getLogger("mpp.identity")


def _agency_id(client) -> int:
    agency_client = getattr(client, "agency_client", None)
    return agency_client.agency_id if agency_client else 0


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # our claims are not OIDC's profile/email scopes

    def _sign_in(self, request) -> SignIn | None:
        cached = getattr(request, "_mpp_sign_in", False)
        if cached is not False:
            return cached
        sign_in = None
        if getattr(request, "code", None):
            sign_in = SignIn.objects.filter(code_digest=code_digest(request.code)).first()
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
        return claims, expiration_time

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        used = SignIn.objects.filter(code_digest=code_digest(code), used_at__isnull=False).first()
        if used is not None:
            # RFC 6749 §4.1.2: a code used twice revokes what it gave.
            from .services import tokens_revoke

            tokens_revoke(user=used.user, applications=[used.application])
            log.warning("oidc code replayed: client %s, tokens of that sign-in revoked", client_id)
        return False

    def save_bearer_token(self, token, request, *args, **kwargs):
        result = super().save_bearer_token(token, request, *args, **kwargs)
        if getattr(request, "code", None):
            SignIn.objects.filter(code_digest=code_digest(request.code), used_at=None).update(
                used_at=timezone.now()
            )
        return result
