"""Applications (*permohonan*): a service request pre-filled from the profile, tracked
against the completion time of the service standard in force when it was submitted."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency, Mall, Service, ServiceStandard

from .consent import Delegation
from .profile import Citizen


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_PROCESS = "in_process", _("In process")
    NEEDS_DATA = "needs_data", _("Needs more data")
    COMPLETED = "completed", _("Completed")
    HANDED_OVER = "handed_over", _("Product handed over")
    REJECTED = "rejected", _("Rejected")


S = ApplicationStatus
# The state machine: status → statuses it may move to.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.IN_PROCESS, S.NEEDS_DATA, S.REJECTED},
    S.IN_PROCESS: {S.NEEDS_DATA, S.COMPLETED, S.REJECTED},
    S.NEEDS_DATA: {S.IN_PROCESS, S.REJECTED},
    S.COMPLETED: {S.HANDED_OVER},
    S.HANDED_OVER: set(),
    S.REJECTED: set(),
}
# The clock runs until the product is ready (completed) or the application is rejected.
OPEN_STATUSES = [S.SUBMITTED, S.IN_PROCESS, S.NEEDS_DATA]
FINAL_STATUSES = [S.HANDED_OVER, S.REJECTED]


class ApplicationQuerySet(models.QuerySet):
    def submitted(self):
        return self.exclude(status=S.DRAFT)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, at=None):
        """Still open after their deadline."""
        return self.open().filter(due_at__lt=at or timezone.now())

    def breached(self, at=None):
        """Over the standard's time: still open past the deadline, or finished late."""
        at = at or timezone.now()
        return self.filter(
            models.Q(status__in=OPEN_STATUSES, due_at__lt=at)
            | models.Q(completed_at__isnull=False, completed_at__gt=models.F("due_at"))
        )


class Application(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="applications")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(ServiceStandard, on_delete=models.PROTECT, related_name="+")
    mall = models.ForeignKey(Mall, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=S.DRAFT
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    fields_required = models.JSONField(default=list)
    fields_prefilled = models.JSONField(default=list)
    fields_asked = models.JSONField(default=list)
    documents_required = models.JSONField(default=list)
    documents_missing = models.JSONField(default=list)
    other_requirements = models.JSONField(default=list)
    sealed_data = models.TextField(blank=True, editable=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    anonymised = models.BooleanField(default=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["mall", "status", "due_at"]),
            models.Index(fields=["agency", "status", "due_at"]),
        ]

    def __str__(self):
        return f"{self.reference} {self.service}"

    @property
    def reference(self) -> str:
        return self.uuid.hex[:10].upper()

    @property
    def is_assisted(self) -> bool:
        return self.delegation_id is not None

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def is_overdue(self, at=None) -> bool:
        return bool(
            self.due_at and self.status in OPEN_STATUSES and (at or timezone.now()) > self.due_at
        )

    def is_breached(self, at=None) -> bool:
        if self.completed_at and self.due_at:
            return self.completed_at > self.due_at
        return self.is_overdue(at)


class ApplicationEvent(models.Model):
    """One step in an application's history."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(_("by"), max_length=160, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.to_status}"


class NonWorkingKind(models.TextChoices):
    HOLIDAY = "holiday", _("National holiday")
    COLLECTIVE_LEAVE = "collective_leave", _("Collective leave (cuti bersama)")


class NonWorkingDay(models.Model):
    """A day off declared after the shipped table (a new collective leave day, a holiday
    moved by decree). Deadlines skip these as well as the table in `workdays.py`."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=NonWorkingKind.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("non-working day")
        verbose_name_plural = _("non-working days")

    def __str__(self):
        return f"{self.date} {self.name}"
