"""Writes of the identity provider: registering clients, recording a sign-in's consent,
releasing data to a client, revoking tokens."""

import logging
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from mpp.citizens.access import SystemReader, citizen_data_read
from mpp.citizens.models import Citizen, Consent, ConsentMethod
from mpp.citizens.services import consent_grant
from mpp.core.audit import audit_record

from .backchannel import logout_notices_for_withdrawal
from .clients import subject_of
from .models import Acr, AgencyClient, SignIn, code_digest
from .scopes import DATA_SCOPES, grant_of_scopes, release_of_scopes

log = logging.getLogger("mpp.identity")


@transaction.atomic
def agency_client_register(
    *,
    agency,
    display_name: str,
    redirect_uris: list[str],
    scopes: list[str],
    confidential: bool,
    by,
    purpose_text: str = "",
    purpose: str = "service_delivery",
    post_logout_redirect_uris: list[str] | None = None,
    consent_days: int = 365,
    backchannel_logout_uri: str = "",
    backchannel_logout_session_required: bool = False,
) -> tuple[AgencyClient, str]:
    """Register an agency's system; returns the client and, for a confidential client,
    its secret in clear (shown once, stored hashed)."""
    errors = {}
    unknown = [s for s in scopes if s not in DATA_SCOPES]
    if unknown:
        errors["scopes"] = [_("Unknown scopes: %(s)s") % {"s": ", ".join(unknown)}]
    bad = [u for u in redirect_uris if urlsplit(u).scheme not in ("https", "http")]
    if not redirect_uris or bad:
        errors["redirect_uris"] = [_("Give at least one http(s) redirect URI.")]
    if backchannel_logout_uri and urlsplit(backchannel_logout_uri).scheme not in ("https", "http"):
        errors["backchannel_logout_uri"] = [_("Give an http(s) URI.")]
    if urlsplit(backchannel_logout_uri).fragment:
        errors["backchannel_logout_uri"] = [_("The URI must not have a fragment.")]
    if not display_name.strip():
        errors["display_name"] = [_("Give the name citizens will see.")]
    if errors:
        raise ValidationError(errors)
    secret = generate_client_secret() if confidential else ""
    application = Application(
        name=display_name,
        client_type=(
            Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC
        ),
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(post_logout_redirect_uris or []),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
        hash_client_secret=True,
    )
    application.client_secret = secret
    application.save()
    client = AgencyClient.objects.create(
        application=application,
        agency=agency,
        display_name=display_name.strip(),
        scopes=list(dict.fromkeys(scopes)),
        purpose=purpose,
        purpose_text=purpose_text,
        consent_days=consent_days,
        backchannel_logout_uri=backchannel_logout_uri,
        backchannel_logout_session_required=backchannel_logout_session_required,
        registered_by=by,
    )
    audit_record(actor=by, action="oidc_client_register", target=client, summary=str(client))
    return client, secret


def sign_in_consent_record(
    *, citizen: Citizen, client: AgencyClient, scopes: list[str], days: int, by
) -> Consent | None:
    """The grant at sign-in is a consent like the counters' (one consent model): the
    agency, the client's purpose, the categories and exact fields of the scopes."""
    categories, fields = grant_of_scopes(scopes)
    if not categories:
        return None  # openid alone releases no personal data
    return consent_grant(
        citizen=citizen,
        agency=client.agency,
        purpose=client.purpose,
        categories=categories,
        fields=fields,
        days=days,
        by=by,
        method=ConsentMethod.SIGN_IN,
    )


def sign_in_record(
    *,
    redirect_to: str,
    user,
    application,
    consent,
    scopes,
    acr: str,
    amr: list[str],
    auth_time,
    session_id: str = "",
    issuer: str = "",
) -> SignIn | None:
    """Remember the assurance and consent of the code in `redirect_to` (None: no code,
    e.g. the citizen refused)."""
    code = parse_qs(urlsplit(redirect_to).query).get("code", [""])[0]
    if not code:
        return None
    return SignIn.objects.create(
        code_digest=code_digest(code),
        user=user,
        application=application,
        consent=consent,
        scopes=list(scopes),
        acr=acr or Acr.PASSWORD,
        amr=amr,
        auth_time=auth_time,
        session_id=session_id,
        issuer=issuer,
    )


def tokens_revoke(*, user, applications) -> int:
    """Revoke every token and unused code of `user` for `applications`; returns how many
    tokens ended."""
    count = 0
    for refresh in RefreshToken.objects.filter(
        user=user, application__in=applications, revoked__isnull=True
    ):
        refresh.revoke()
        count += 1
    for access_token in AccessToken.objects.filter(user=user, application__in=applications):
        access_token.revoke()
        count += 1
    Grant.objects.filter(user=user, application__in=applications).delete()
    return count


@transaction.atomic
def tokens_revoke_for_consent(*, consent: Consent) -> int:
    """A withdrawn consent ends the sign-ins of that agency's systems for the citizen: their
    tokens now, and their own sessions by a back-channel logout token (sent afterwards)."""
    if consent.citizen.user_id is None:
        return 0
    user = consent.citizen.user
    applications = list(Application.objects.filter(agency_client__agency=consent.agency_id))
    count = tokens_revoke(user=user, applications=applications)
    notices = logout_notices_for_withdrawal(user=user, applications=applications)
    if count or notices:
        log.info(
            "oidc tokens revoked: consent %s withdrawn (%s tokens, %s logout notices)",
            consent.uuid,
            count,
            notices,
        )
    return count


def data_release(*, access_token, endpoint: str) -> dict:
    """Exactly the granted fields of the token's citizen, read through the one access
    function (an access record names the client and purpose). Raises AccessRefused
    (logged) when the consent is gone; the caller answers invalid_token."""
    application = access_token.application
    client = getattr(application, "agency_client", None)  # loaded with the token
    user = access_token.user
    scopes = access_token.scope.split()
    claims = {"sub": subject_of(user_id=user.pk, agency_id=client.agency_id if client else 0)}
    fields, types = release_of_scopes(scopes)
    if not fields or client is None:  # a bare application (no agency) gets `sub` only
        return claims
    citizen = getattr(user, "citizen", None)  # loaded with the token (validators.py)
    if citizen is None or citizen.is_erased:
        raise Citizen.DoesNotExist
    purpose = client.purpose_text or client.get_purpose_display()
    reading = citizen_data_read(
        citizen=citizen,
        actor=None,
        purpose=client.purpose,
        fields=fields,
        system=SystemReader(label=client.display_name, agency=client.agency, document_types=types),
        reason=f"{endpoint} · {application.client_id[:12]} · {purpose}"[:200],
    )
    claims.update(reading.values)
    return claims


def release_time() -> str:
    return timezone.now().isoformat()
