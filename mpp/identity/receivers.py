"""Signals: a withdrawn consent revokes the sign-in tokens it backed; signing out of MPP
tells the clients of that browser session (back-channel logout)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from mpp.citizens.signals import consent_withdrawn

from .backchannel import SESSION_KEY, logout_notices_for_session
from .services import tokens_revoke_for_consent


@receiver(consent_withdrawn)
def _consent_withdrawn(sender, consent, **kwargs):
    tokens_revoke_for_consent(consent=consent)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and user is not None:
        logout_notices_for_session(user=user, session_id=session.get(SESSION_KEY, ""))
