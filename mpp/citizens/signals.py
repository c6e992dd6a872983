"""Signals other apps listen to (they may not be imported from here: see the layers)."""

from django.dispatch import Signal

# Sent after a consent is withdrawn, with `consent`: sign-in tokens it backed are revoked.
consent_withdrawn = Signal()
