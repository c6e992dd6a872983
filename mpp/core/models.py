from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, and when: written by services, never edited."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of each background loop (`send_notifications --loop`, …): /readyz
    fails when one is older than WORKER_HEARTBEAT_MAX_AGE_SECONDS. One row per worker name;
    several processes of one worker share it (the newest beat wins)."""

    worker = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    last_batch_at = models.DateTimeField(null=True, blank=True)
    last_batch = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.worker} {self.beat_at:%Y-%m-%d %H:%M:%S}"
