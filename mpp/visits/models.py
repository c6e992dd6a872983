"""The queue: tickets (each one a visit record), bookings, counter sessions, devices,
daily rollups and the notification outbox."""

import hashlib
import secrets
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.core.compiled import CompiledInsertModel
from mpp.registry.models import Agency, Counter, Mall, Service


class DeviceKind(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    BOARD = "board", _("Display board")
    # A mall's own queue system reporting counts and visits through the ingest API.
    SYSTEM = "system", _("Other queue system")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Device(models.Model):
    """A kiosk or display board. It authenticates with a token a manager issued; only the
    token's hash is stored, so a leaked database does not leak working tokens."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["mall", "kind", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)


class CounterSessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class CounterSession(models.Model):
    """An officer staffing a counter from opening to closing: the staffing record."""

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="sessions")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="counter_sessions"
    )
    status = models.CharField(
        max_length=16, choices=CounterSessionStatus.choices, default=CounterSessionStatus.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    paused_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("counter session")
        verbose_name_plural = _("counter sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["counter"],
                condition=~models.Q(status="closed"),
                name="one_open_session_per_counter",
            ),
        ]

    def __str__(self):
        return f"{self.counter} {self.opened_at:%Y-%m-%d %H:%M}"


class TicketSequence(models.Model):
    """The last number handed out per mall, prefix and local day. Incremented under a row
    lock, so two kiosks never print the same number (max()+1 would race)."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=4)
    local_date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mall", "prefix", "local_date"], name="ticket_sequence_unique"
            ),
        ]

    def __str__(self):
        return f"{self.prefix} {self.local_date}: {self.last_number}"


class IssueClaim(models.Model):
    """A kiosk form's issue token and the ticket it issued, written in the same transaction
    as the ticket: a double tap waits for the first tap's transaction and gets its ticket;
    a first tap that failed (a database outage) leaves no claim, so a retry issues. Claims
    older than ISSUE_CLAIM_SECONDS are pruned by the notifications worker."""

    token = models.CharField(max_length=80, primary_key=True)
    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="+")
    ticket_uuid = models.UUIDField()
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.token} → {self.ticket_uuid}"


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    BOOKING = "booking", _("Booking")
    FACE = "face", _("Face recognition")


class PriorityReason(models.TextChoices):
    NONE = "", _("None")
    ELDERLY = "elderly", _("Elderly (60+)")
    DISABILITY = "disability", _("Person with a disability")
    PREGNANT = "pregnant", _("Pregnant")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    PARKED = "parked", _("Parked")
    FINISHED = "finished", _("Finished")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    INCOMPLETE = "incomplete", _("Requirements incomplete")
    REFERRED = "referred", _("Referred elsewhere")
    TRANSFERRED = "transferred", _("Transferred to another service")


class Ticket(CompiledInsertModel):
    """A queue ticket, and the visit record the weekly report counts: one per service a
    citizen comes for. Several services in one trip share `trip`."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    mall = models.ForeignKey(Mall, on_delete=models.PROTECT, related_name="tickets")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tickets")
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_tickets",
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WALK_IN)
    priority_reason = models.CharField(
        max_length=16, choices=PriorityReason.choices, blank=True, default=""
    )
    prefix = models.CharField(max_length=4)
    number = models.PositiveIntegerField()
    local_date = models.DateField(db_index=True)
    status = models.CharField(
        max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    issued_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(help_text="When the ticket joined the queue.")
    sort_key = models.DateTimeField(
        help_text="Queue order: queued_at less any priority head start."
    )
    called_at = models.DateTimeField(null=True, blank=True, help_text="First call.")
    last_called_at = models.DateTimeField(null=True, blank=True, help_text="Latest (re)call.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(default=0)
    # A database default too: the demo history and benchmarks insert rows with plain SQL.
    returns = models.PositiveSmallIntegerField(
        default=0, db_default=0, help_text="Times a no-show was brought back to the queue."
    )
    trip = models.UUIDField(default=uuid4, db_index=True)
    # No database-level foreign keys into this table: on PostgreSQL it is partitioned by
    # month (docs/decisions/0021), and nothing can reference a partitioned table by id alone.
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transferred_to",
        db_constraint=False,
    )
    # The citizen, when known (booking by NIK, face check-in, officer look-up): the officer
    # console then shows the consented profile through citizens.access. Never the NIK here.
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    application = models.ForeignKey(
        "citizens.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    notify_when_ahead = models.PositiveSmallIntegerField(null=True, blank=True)
    notify_channel = models.CharField(max_length=16, blank=True)
    notify_address = models.CharField(max_length=200, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["mall", "prefix", "local_date", "number"],
                name="ticket_number_unique_per_day",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "status", "sort_key"], name="ticket_queue_idx"),
            models.Index(fields=["mall", "local_date"], name="ticket_mall_day_idx"),
            # The queue itself: only waiting tickets, in calling order. Stays small all day
            # however many visits the table holds.
            models.Index(
                fields=["mall", "local_date", "sort_key"],
                condition=models.Q(status="waiting"),
                name="ticket_waiting_idx",
            ),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.prefix}-{self.number:03d}"

    @property
    def is_priority(self) -> bool:
        return bool(self.priority_reason)

    def wait_seconds(self) -> int | None:
        if not self.called_at:
            return None
        return max(0, int((self.called_at - self.queued_at).total_seconds()))

    def service_seconds(self) -> int | None:
        if not (self.started_at and self.finished_at):
            return None
        return max(0, int((self.finished_at - self.started_at).total_seconds()))


class BookingStatus(models.TextChoices):
    ACTIVE = "active", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    RELEASED = "released", _("Released (not used)")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(models.Model):
    """A slot booked ahead for one service on one day, bound to a NIK (stored only as a keyed
    hash and a masked form) and a phone number."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    code = models.CharField(max_length=8, unique=True)
    mall = models.ForeignKey(Mall, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    date = models.DateField()
    slot_start = models.TimeField()
    starts_at = models.DateTimeField()
    nik_hash = models.CharField(max_length=64)
    nik_masked = models.CharField(max_length=16)
    phone = models.CharField(max_length=32)
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.ACTIVE
    )
    # The citizen chose no SMS (confirmation, reminder) for this booking, or stopped them.
    messages_off = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ticket = models.OneToOneField(  # no database constraint: tickets are partitioned
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking",
        db_constraint=False,
    )

    class Meta:
        ordering = ["date", "slot_start"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["nik_hash", "service", "date"],
                condition=models.Q(status__in=["active", "checked_in"]),
                name="one_active_booking_per_nik_service_day",
            ),
        ]
        indexes = [models.Index(fields=["service", "date", "slot_start"], name="booking_slot_idx")]

    def __str__(self):
        return self.code


WAIT_BUCKETS = [5, 15, 30, 60]  # minutes; the last bucket is "more than 60"


class DailyRollup(models.Model):
    """Per mall × service × local day, kept exact at every state change, so reports never
    read raw visits. `rebuild_rollups` recomputes it from the tickets."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="rollups")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rollups")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="rollups")
    local_date = models.DateField()
    issued = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    called = models.PositiveIntegerField(default=0)
    wait_seconds_sum = models.BigIntegerField(default=0)
    service_seconds_sum = models.BigIntegerField(default=0)
    served_within_standard = models.PositiveIntegerField(default=0)
    wait_le_5 = models.PositiveIntegerField(default=0)
    wait_le_15 = models.PositiveIntegerField(default=0)
    wait_le_30 = models.PositiveIntegerField(default=0)
    wait_le_60 = models.PositiveIntegerField(default=0)
    wait_gt_60 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["mall", "service", "local_date"], name="rollup_unique_per_day"
            ),
        ]
        indexes = [models.Index(fields=["local_date", "mall"], name="rollup_day_mall_idx")]

    def __str__(self):
        return f"{self.mall_id}/{self.service_id}/{self.local_date}"


def wait_bucket_field(wait_seconds: int) -> str:
    minutes = wait_seconds / 60
    for limit in WAIT_BUCKETS:
        if minutes <= limit:
            return f"wait_le_{limit}"
    return "wait_gt_60"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DROPPED = "dropped", _("Dropped (no longer useful)")


class Notification(models.Model):
    """The outbox: a row per message; `send_notifications --loop` claims and sends them."""

    channel = models.CharField(max_length=16)
    address = models.CharField(max_length=200)
    body = models.TextField()
    ticket = models.ForeignKey(  # no database constraint: tickets are partitioned
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        db_constraint=False,
    )
    booking = models.ForeignKey(  # a booking's confirmation or reminder (withdrawn with it)
        "Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "send_after"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.channel} → {self.address[:4]}… ({self.status})"
