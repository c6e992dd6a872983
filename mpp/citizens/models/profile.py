"""The citizen and their documents. Personal data is sealed (encrypted) in the row; only
`mpp.citizens.access` opens it, and every opening leaves an access record."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mpp.core.nik import nik_clean, nik_hash
from mpp.registry.models import Agency, Mall

from ..vocabulary import DocumentType


class CitizenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(erased_at__isnull=True)

    def with_nik(self, nik: str):
        """Look a citizen up by NIK through its keyed hash (the NIK itself is not stored
        in clear)."""
        return self.filter(nik_hash=nik_hash(nik_clean(nik)))


class Citizen(models.Model):
    """A person with once-only data. `uuid` is the stable public identifier (URLs, the
    visits app's tickets, agency systems); the NIK is stored sealed, with a keyed hash for
    look-ups and a masked form for screens."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen",
        verbose_name=_("user account"),
    )
    nik_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    nik_masked = models.CharField(_("NIK (masked)"), max_length=16, editable=False)
    nik_sealed = models.TextField(blank=True, editable=False)
    name_masked = models.CharField(_("name (masked)"), max_length=120, editable=False)
    sealed_profile = models.TextField(blank=True, editable=False)
    nik_warnings = models.JSONField(_("NIK warnings"), default=list, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by officer"),
    )
    registered_at_mall = models.ForeignKey(
        Mall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self):
        return f"{self.name_masked} ({self.nik_masked})"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


def mask_name(name: str) -> str:
    """ "Siti Nurhaliza" → "S*** N***": enough to call someone, not to identify them."""
    return " ".join(part[:1] + "***" for part in name.split()) or "***"


class DocumentStatus(models.TextChoices):
    SELF_DECLARED = "self_declared", _("Self-declared")
    VERIFIED = "verified", _("Verified by an officer")


def document_path(instance, filename):
    # No personal data in the path: the citizen's and the document's random ids only.
    return f"citizens/{instance.citizen.uuid}/{instance.uuid}.bin"


class Document(models.Model):
    """A document file (KTP, KK, certificates…), stored encrypted; read through access."""

    MAX_BYTES = 5 * 1024 * 1024
    CONTENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    file = models.FileField(_("file (encrypted)"), upload_to=document_path, max_length=200)
    content_type = models.CharField(_("file type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DocumentStatus.choices,
        default=DocumentStatus.SELF_DECLARED,
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by agency"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["citizen", "doc_type", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return f"{self.get_doc_type_display()} ({self.get_status_display()})"

    def summary(self) -> dict:
        return {
            "uuid": str(self.uuid),
            "type": self.doc_type,
            "content_type": self.content_type,
            "size": self.size,
            "status": self.status,
            "verified_agency": self.verified_agency.short_name if self.verified_agency else "",
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
            "uploaded_at": self.uploaded_at.isoformat() if self.uploaded_at else None,
        }
