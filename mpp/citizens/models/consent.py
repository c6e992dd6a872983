"""Consent per agency, purpose and data category; delegations for the assisted lane; and
one-time codes sent by SMS."""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency, Mall

from .profile import Citizen


class Purpose(models.TextChoices):
    """Why data is read. The first ones are what a citizen can consent to; the others are
    recorded in the access log for reads that need no consent (the citizen's own reads,
    notifications they asked for)."""

    SERVICE_DELIVERY = "service_delivery", _("Delivering a service I applied for")
    PREFILL = "prefill", _("Pre-filling my applications")
    ASSISTED = "assisted", _("An officer helping me at the counter")
    BIOMETRIC = "biometric", _("Recognising my face at the mall (biometric)")
    # No consent needed: the citizen themself, or the system on their behalf.
    SELF = "self", _("The citizen viewing their own data")
    CORRECTION = "correction", _("Correcting data")
    EXPORT = "export", _("Exporting data")
    ERASURE = "erasure", _("Erasing the account")
    NOTIFICATION = "notification", _("Sending a notification")

    @classmethod
    def consentable(cls) -> list[str]:
        return [cls.SERVICE_DELIVERY, cls.PREFILL, cls.ASSISTED, cls.BIOMETRIC]


class ConsentMethod(models.TextChoices):
    WEB = "web", _("Online by the citizen")
    COUNTER_CODE = "counter_code", _("At the counter, confirmed with a one-time code")
    APPLICATION = "application", _("With an application")
    SIGN_IN = "sign_in", _("At sign-in to an agency's system")


class ConsentQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, granted_at__lte=at, expires_at__gt=at)


class Consent(models.Model):
    """The citizen lets `agency` process `categories` of their data for `purpose` until
    `expires_at`. Revoking takes effect at once. Rows are never deleted: they are the
    proof that processing was lawful."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consents")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    categories = models.JSONField(_("data categories"), default=list)
    # Empty: every field of the categories. A sign-in grant (mpp.identity) names the exact
    # fields of the scopes granted (the NIK is its own scope) and "documents:<type>" entries.
    fields = models.JSONField(_("fields"), default=list, blank=True, db_default=[])
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        "citizens.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["citizen", "agency", "purpose"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="consent_expires_after_grant",
            ),
        ]

    def __str__(self):
        return f"{self.agency} · {self.get_purpose_display()}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.granted_at <= at < self.expires_at

    def field_labels(self) -> str:
        """The exact fields of a narrowed consent (a sign-in grant), "" for whole categories."""
        from ..vocabulary import FIELDS, DocumentType

        labels = []
        for key in self.fields:
            if key.startswith("documents:"):
                kind = key.split(":", 1)[1]
                labels.append(str(dict(DocumentType.choices).get(kind, kind)))
            elif key in FIELDS:
                labels.append(str(FIELDS[key].label))
        return ", ".join(labels)

    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "active" if self.is_active() else "expired"


class Delegation(models.Model):
    """The assisted lane: an officer completes an application for a citizen who is present.
    The citizen confirms with a one-time code (later: their face); until `expires_at` the
    officer may read and write their data, and every read says "assisted" in the log."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="delegations")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    mall = models.ForeignKey(Mall, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_with = models.CharField(_("confirmed with"), max_length=16, blank=True)
    expires_at = models.DateTimeField(_("valid until"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self):
        return f"{self.citizen} → {self.officer}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.confirmed_at is not None and at < self.expires_at


def _code_hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


class OneTimeCode(models.Model):
    """A six-digit code sent by SMS. The code is stored hashed; the payload (e.g. a pending
    registration) is sealed. Five wrong tries or ten minutes and it is dead."""

    TTL = timedelta(minutes=10)
    MAX_ATTEMPTS = 5

    class Use(models.TextChoices):
        REGISTER = "register", _("Registration")
        DELEGATION = "delegation", _("Assisted lane")
        KIOSK_CHECKIN = "kiosk_checkin", _("Face check-in at the kiosk")
        SIGN_IN = "sign_in", _("Confirming a sign-in to an agency's system")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    use = models.CharField(max_length=16, choices=Use.choices)
    code_hash = models.CharField(max_length=64)
    phone_masked = models.CharField(max_length=32)
    sealed_payload = models.TextField(blank=True)
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self):
        return f"{self.use} {self.phone_masked}"

    @staticmethod
    def new_code() -> str:
        return f"{secrets.randbelow(1_000_000):06d}"

    def set_code(self, code: str) -> None:
        self.code_hash = _code_hash(code)

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, _code_hash(code.strip()))

    def is_usable(self) -> bool:
        return (
            self.used_at is None
            and self.attempts < self.MAX_ATTEMPTS
            and timezone.now() < self.expires_at
        )
