"""Signals from the apps above: a withdrawn consent revokes the sign-in tokens it backed."""

from django.dispatch import receiver

from mpp.citizens.signals import consent_withdrawn

from .services import tokens_revoke_for_consent


@receiver(consent_withdrawn)
def _consent_withdrawn(sender, consent, **kwargs):
    tokens_revoke_for_consent(consent=consent)
