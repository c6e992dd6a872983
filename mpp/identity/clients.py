"""Looking clients up (no writes)."""

import hashlib
import hmac

from django.conf import settings
from oauth2_provider.models import Application


def pkce_required(client_id: str) -> bool:
    """PKCE for every public client (no secret to prove who redeems the code); a
    confidential client may use it too, and then it is checked."""
    client_type = (
        Application.objects.filter(client_id=client_id)
        .values_list("client_type", flat=True)
        .first()
    )
    return client_type != Application.CLIENT_CONFIDENTIAL


def subject_of(*, user_id: int, agency_id: int) -> str:
    """The `sub` an agency sees: stable for the citizen and that agency, different for
    each agency (pairwise), so agencies cannot join their records on it."""
    key = f"oidc-sub:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{agency_id}:{user_id}".encode(), hashlib.sha256).hexdigest()[:40]


def session_of(*, session_id: str, agency_id: int) -> str:
    """The `sid` an agency sees for one MPP browser session: pairwise like `sub`, so two
    agencies cannot tell they were signed into by the same session."""
    if not session_id:
        return ""
    key = f"oidc-sid:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{agency_id}:{session_id}".encode(), hashlib.sha256).hexdigest()[:32]
