"""The access log: one append-only, hash-chained record per read of citizen data.

Each record's `hash` is an HMAC over its content and the previous record's hash, so
editing or deleting any record breaks the chain from there on (`verify_access_log`).
Records are written only by `mpp.citizens.access`; the model refuses updates and deletes.
"""

import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency, Mall

from .consent import Purpose
from .profile import Citizen

GENESIS = "0" * 64


class AccessOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    COUNTER = "counter", _("Counter")
    ASSISTED = "assisted", _("Assisted at the counter")
    API = "api", _("Agency system (API)")
    SYSTEM = "system", _("System")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Access records are append-only.")

    def delete(self):
        raise TypeError("Access records are append-only.")


class AccessRecord(models.Model):
    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("when"), db_index=True)
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="access_records")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who"), max_length=160)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mall = models.ForeignKey(
        Mall, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    fields = models.JSONField(_("fields"), default=list)
    outcome = models.CharField(_("outcome"), max_length=8, choices=AccessOutcome.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    consent_id_ref = models.BigIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [models.Index(fields=["citizen", "-seq"])]

    def __str__(self):
        return f"#{self.seq} {self.actor_label} {self.purpose} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Access records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Access records are append-only.")

    @property
    def break_glass_reason(self) -> str:
        """The officer's reason when they read outside a serving context, else ""."""
        prefix = "break-glass: "
        return self.reason.removeprefix(prefix) if self.reason.startswith(prefix) else ""

    def field_labels(self) -> str:
        from ..vocabulary import FIELDS, Category

        labels = {**{k: f.label for k, f in FIELDS.items()}, "documents": Category.DOCUMENTS.label}
        return ", ".join(str(labels.get(k, k)) for k in self.fields)

    @staticmethod
    def digest(values: tuple, prev_hash: str, key: bytes | None = None) -> str:
        """`values`: (seq, at, citizen_id, actor_id, actor_label, agency_id, mall_id, purpose,
        fields, outcome, reason, channel, consent_id_ref), as stored."""
        seq, at, *rest = values
        rest[6] = json.dumps(rest[6], separators=(",", ":"))  # `fields`
        payload = "|".join(
            [str(seq), at.astimezone(UTC).isoformat(timespec="microseconds")]
            + ["" if v is None else str(v) for v in rest]
            + [prev_hash]
        )
        return hmac.digest(key or chain_key(), payload.encode(), "sha256").hex()

    CHAIN_FIELDS = (
        "seq",
        "at",
        "citizen_id",
        "actor_id",
        "actor_label",
        "agency_id",
        "mall_id",
        "purpose",
        "fields",
        "outcome",
        "reason",
        "channel",
        "consent_id_ref",
    )

    def chain_values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.CHAIN_FIELDS)


class AccessLogHead(models.Model):
    """One row: the last record's number and hash. Locking it serialises appends, and
    comparing it with the table reveals records deleted from the end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("access log head")

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


def chain_key() -> bytes:
    key = settings.ACCESS_LOG_KEY or f"access-log:{settings.SECRET_KEY}"
    return key.encode()
