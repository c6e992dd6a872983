"""What national monitoring stores itself: counts reported by malls that run another queue
system, the raw visit events they send, spreadsheet uploads awaiting commit, and the
analysts' weekly-report subscriptions with one delivery row per subscriber and week.

For the report, one summary row per mall and closed local day (`DailySummary`), built from
`visits.DailyRollup` and the reported counts, so the report reads at most malls × 28 rows
whatever the number of visits (see `summaries.py` and decision 0009)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency, Mall, Service


class CountSource(models.TextChoices):
    COUNTS = "counts", _("Daily counts (API or spreadsheet)")
    EVENTS = "events", _("Visit events (API)")


class ReportedDailyCount(models.Model):
    """One mall's day for one service (or a whole agency) as reported by the mall's own
    queue system. Upserted on (mall, day, source, subject): sending a day again replaces
    it. `subject_key` is "service:<slug>" or "agency:<code>"."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="reported_counts")
    local_date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=16, choices=CountSource.choices)
    subject_key = models.CharField(_("service or agency"), max_length=120)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    issued = models.PositiveIntegerField(_("visits (tickets issued)"), default=0)
    served = models.PositiveIntegerField(_("served"), default=0)
    no_shows = models.PositiveIntegerField(_("no-shows"), default=0)
    # Optional times: sums over the visits they cover, so they add up like the rollups.
    called = models.PositiveIntegerField(default=0, help_text="Visits with a waiting time.")
    wait_seconds_sum = models.BigIntegerField(default=0)
    service_timed = models.PositiveIntegerField(default=0, help_text="Visits with a service time.")
    service_seconds_sum = models.BigIntegerField(default=0)
    standard_checked = models.PositiveIntegerField(default=0)
    served_within_standard = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reported daily count")
        verbose_name_plural = _("reported daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["mall", "local_date", "source", "subject_key"],
                name="reported_count_unique",
            ),
        ]
        indexes = [models.Index(fields=["local_date", "mall"], name="reported_day_mall_idx")]

    def __str__(self):
        return f"{self.mall_id}/{self.local_date}/{self.subject_key}"


class EventStatus(models.TextChoices):
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("No-show")
    OTHER = "other", _("Issued (not served)")


class VisitEvent(models.Model):
    """One raw visit sent by another queue system. `key` is the sender's idempotency key,
    unique per mall and day (the table is partitioned by month on the day, decision 0027):
    a replayed batch inserts nothing."""

    # No database-level foreign keys on this high-volume table: the mall comes from the
    # token and the service is checked against the mall's services before insert.
    mall = models.ForeignKey(
        Mall, on_delete=models.CASCADE, related_name="visit_events", db_constraint=False
    )
    key = models.CharField(max_length=100)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    local_date = models.DateField()
    status = models.CharField(max_length=16, choices=EventStatus.choices)
    issued_at = models.DateTimeField()
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    service_seconds = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        constraints = [
            models.UniqueConstraint(
                fields=["mall", "key", "local_date"], name="visit_event_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["mall", "local_date"], name="visit_event_mall_day_idx"),
            # /metrics counts the last minutes' rows (ingest rate) without a table scan.
            models.Index(fields=["received_at"], name="visit_event_received_idx"),
        ]

    def __str__(self):
        return f"{self.mall_id}/{self.key}"


class CountUpload(models.Model):
    """A spreadsheet of daily counts, parsed and checked, waiting for the uploader to
    confirm the preview. Committing applies every row or none."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        COMMITTED = "committed", _("Stored")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("count upload")
        verbose_name_plural = _("count uploads")

    def __str__(self):
        return self.filename


class ReportSubscription(models.Model):
    """An analyst who wants the weekly PDF by e-mail every Monday at 08:00 WIB."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("weekly report subscription")
        verbose_name_plural = _("weekly report subscriptions")

    def __str__(self):
        return str(self.user)


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReportDelivery(models.Model):
    """The claim that a subscriber's report for a week is (being) sent. The unique row is
    what makes sending exactly-once across restarts and several workers."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    week = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-week"]
        verbose_name = _("weekly report delivery")
        verbose_name_plural = _("weekly report deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "week"], name="one_delivery_per_subscriber_week"
            ),
        ]

    def __str__(self):
        return f"{self.subscription} {self.week} {self.status}"


class ReminderSent(models.Model):
    """A mall was reminded that it has not reported a week: once per mall and week."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mall", "week"], name="one_reminder_per_mall_week"),
        ]

    def __str__(self):
        return f"{self.mall_id} {self.week}"


class DailySummary(models.Model):
    """One mall's closed local day as the report counts it: the queue's rollups summed over
    services, or else the mall's reported counts (daily counts before visit events).
    Derived data, rebuilt by `summaries.summaries_refresh`; never edited by hand."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    source = models.CharField(max_length=16)  # queue | counts | events
    issued = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    called = models.PositiveIntegerField(default=0)
    wait_seconds_sum = models.BigIntegerField(default=0)
    service_timed = models.PositiveIntegerField(default=0)
    service_seconds_sum = models.BigIntegerField(default=0)
    standard_checked = models.PositiveIntegerField(default=0)
    served_within_standard = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily summary")
        verbose_name_plural = _("daily summaries")
        constraints = [
            models.UniqueConstraint(fields=["local_date", "mall"], name="summary_day_mall_unique"),
        ]

    def __str__(self):
        return f"{self.mall_id}/{self.local_date} {self.source}"


class SummaryDay(models.Model):
    """A local day whose summaries exist, and the highest rollup id when they were built:
    a rollup row of that day with a higher id means the day was rebuilt or got a late row,
    so its summaries are rebuilt before the next report reads them."""

    local_date = models.DateField(unique=True)
    rollup_seen_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("summarised day")
        verbose_name_plural = _("summarised days")

    def __str__(self):
        return str(self.local_date)


class NationalPush(models.Model):
    """A regency instance's reporting of one mall to the national instance
    (`manage.py push_to_national`): how far it got and what went wrong last."""

    mall = models.OneToOneField(Mall, on_delete=models.CASCADE, related_name="national_push")
    sent_through = models.DateField(_("sent up to"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("report to the national instance")

    def __str__(self) -> str:
        return f"{self.mall_id}: {self.sent_through}"


class MallDayHours(models.Model):
    """Visits per local hour of one mall's closed day (24 counts), summarised once from the
    day's tickets so that the mall dashboard never reads raw rows for a closed day."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    hours = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mall", "local_date"], name="mall_day_hours_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mall_id} {self.local_date}"
