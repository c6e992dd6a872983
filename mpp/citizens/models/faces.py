"""Face data: one encrypted template per citizen, the duplicate-review queue, the per-mall
face settings and the short-lived liveness challenges of a check-in.

A template is the only face data kept: AES-GCM under `FACE_TEMPLATE_KEY` with the citizen's
id as associated data (`mpp.biometrics.template_encrypt`). Raw frames are not stored. Every
use of a template is written to the access log (`mpp.citizens.services.faces`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Mall

from .consent import Consent, Delegation, OneTimeCode
from .profile import Citizen


class FaceTemplate(models.Model):
    citizen = models.OneToOneField(Citizen, on_delete=models.CASCADE, related_name="face")
    blob = models.BinaryField(_("template (encrypted)"))
    model_id = models.CharField(_("model"), max_length=64)
    frames_used = models.PositiveSmallIntegerField(_("frames used"))
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="+", verbose_name=_("consent")
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mall = models.ForeignKey(
        Mall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("face template")
        verbose_name_plural = _("face templates")

    def __str__(self):
        return f"{self.citizen} · {self.model_id}"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    SAME_PERSON = "same_person", _("Same person (two accounts)")
    DIFFERENT = "different", _("Different people")


class FaceDuplicate(models.Model):
    """At enrolment the whole gallery is searched for the same face under another NIK; the
    close ones wait here for an officer's judgement. Nothing is decided automatically."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="+", verbose_name=_("resembles")
    )
    score = models.FloatField(_("similarity"))
    mall = models.ForeignKey(
        Mall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("possible duplicate face")
        verbose_name_plural = _("possible duplicate faces")

    def __str__(self):
        return f"{self.citizen} ~ {self.other} ({self.score:.3f})"


class FaceMallSettings(models.Model):
    """Face recognition options of one mall. Identification (1:N, no claim) is off unless
    the mall's manager turns it on; verification (1:1 against a claim) needs no switch."""

    mall = models.OneToOneField(Mall, on_delete=models.CASCADE, related_name="face_settings")
    identification_enabled = models.BooleanField(
        _("identify among today's bookings"), default=False
    )
    window_minutes = models.PositiveSmallIntegerField(
        _("booking window (minutes either side)"), default=60
    )
    # Off: at an unattended kiosk a face match (NIK typed, or recognition) also needs a one-time
    # code sent to the citizen's phone; a booking code (its QR) already is something held.
    face_alone_at_kiosk = models.BooleanField(
        _("face alone is enough at the kiosk (only after the mall's own measured pilot)"),
        default=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("face settings of a mall")
        verbose_name_plural = _("face settings of malls")

    def __str__(self):
        return str(self.mall)


class ClaimKind(models.TextChoices):
    NIK = "nik", _("NIK typed")
    BOOKING = "booking", _("Booking code")
    CODE = "code", _("NIK and one-time code")
    IDENTIFY = "identify", _("Recognised among today's bookings")
    DELEGATION = "delegation", _("Assisted lane confirmed by face")


class FaceCheck(models.Model):
    """One check attempt (kiosk, reception desk, or an assisted lane confirmed by face): the
    claimed citizen (None while identifying), the random liveness prompt, and the result.
    The nonce is accepted once and for a few minutes."""

    TTL_SECONDS = 180
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="+")
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    claim = models.CharField(max_length=16, choices=ClaimKind.choices)
    booking_code = models.CharField(max_length=8, blank=True)
    actions = models.JSONField(default=list)
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    frames_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    ticket_issued_at = models.DateTimeField(null=True, blank=True)
    one_time_code = models.ForeignKey(
        OneTimeCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when an officer runs the check on the citizen's behalf (reception desk, assisted
    # lane): only that officer may send the frames. None at the kiosk.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("face check")
        verbose_name_plural = _("face checks")

    def __str__(self):
        return f"{self.claim} {self.created_at:%H:%M} {self.reason or '-'}"

    def is_fresh(self, now=None) -> bool:
        now = now or timezone.now()
        return (now - self.created_at).total_seconds() <= self.TTL_SECONDS
