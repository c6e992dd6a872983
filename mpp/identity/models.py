"""Agency clients of the OpenID Connect provider, and the sign-ins they received.

The OAuth machinery (applications, grants, tokens, ID tokens) is django-oauth-toolkit's;
an `AgencyClient` says which agency a client belongs to, what it may ask for and why.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from mpp.citizens.models import Consent, Purpose
from mpp.registry.models import Agency


class Acr(models.TextChoices):
    """Assurance levels a client may ask for with `acr_values`, lowest first."""

    PASSWORD = "urn:mpp:acr:password", _("Password")
    CODE = "urn:mpp:acr:otp", _("Password and a one-time code")
    FACE = "urn:mpp:acr:face", _("Password and a face check")


ACR_RANK = {Acr.PASSWORD: 1, Acr.CODE: 2, Acr.FACE: 3}
SIGN_IN_PURPOSES = [Purpose.SERVICE_DELIVERY, Purpose.PREFILL]


class AgencyClient(models.Model):
    """An agency's system that may sign citizens in with MPP (registered by national staff)."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="agency_client"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    display_name = models.CharField(
        _("name shown to citizens"), max_length=120, help_text=_("e.g. Sistem BPJS Kesehatan")
    )
    logo = models.ImageField(_("logo"), upload_to="agency-logos/", blank=True)
    scopes = models.JSONField(_("scopes it may ask for"), default=list)
    purpose = models.CharField(
        _("purpose"),
        max_length=32,
        choices=[(p.value, p.label) for p in SIGN_IN_PURPOSES],
        default=Purpose.SERVICE_DELIVERY,
    )
    purpose_text = models.CharField(_("purpose as told to the citizen"), max_length=300, blank=True)
    # The longest consent the citizen can give this client (the screen offers up to a year).
    consent_days = models.PositiveSmallIntegerField(_("consent valid for (days)"), default=365)
    # OpenID Connect Back-Channel Logout 1.0: where MPP posts a logout token when the
    # citizen signs out of MPP or withdraws the consent (empty: the client is not told).
    backchannel_logout_uri = models.URLField(_("back-channel logout URI"), blank=True)
    backchannel_logout_session_required = models.BooleanField(
        _("logout token must carry the session (sid)"), default=False
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agency client")
        verbose_name_plural = _("agency clients")

    def __str__(self):
        return f"{self.display_name} ({self.agency.short_name})"


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class SignIn(models.Model):
    """One authorization: the consent it rests on and the assurance reached (acr, amr),
    carried into the ID tokens of the code (found by its digest) and of later refreshes."""

    code_digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scopes = models.JSONField(default=list)
    acr = models.CharField(max_length=40, choices=Acr.choices, default=Acr.PASSWORD)
    amr = models.JSONField(default=list)
    auth_time = models.DateTimeField()
    # The MPP browser session it was given in (back-channel logout finds the clients of a
    # session by it) and the issuer the client saw, which the logout token repeats.
    session_id = models.CharField(max_length=64, blank=True, db_index=True)
    issuer = models.CharField(max_length=200, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)  # the code was redeemed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "application", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} → {self.application_id} ({self.acr})"


class LogoutNoticeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class LogoutNotice(models.Model):
    """The back-channel logout outbox: one logout token to post to one client, written in the
    transaction of the sign-out or withdrawal, sent by `send_logout_tokens`. The `jti` is
    the row's: a retry carries the same one, so the client ends its session once."""

    class Reason(models.TextChoices):
        SIGN_OUT = "sign_out", _("The citizen signed out of MPP")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("The citizen withdrew the consent")

    jti = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    uri = models.URLField()
    issuer = models.CharField(max_length=200)
    sub = models.CharField(max_length=64)
    sid = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(
        max_length=12, choices=LogoutNoticeStatus.choices, default=LogoutNoticeStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "send_after"], name="identity_logout_due_idx")]

    def __str__(self):
        return f"logout → {self.uri} ({self.status})"
