"""Service quality: satisfaction survey responses (SKM, PermenPANRB 14/2017), old reports
made with the 2004 method, and complaints (*pengaduan*) with their history."""

import secrets
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency, Mall, Service, zone_dates
from mpp.visits.models import Device, Ticket

from .ikm import METHOD_2004, METHOD_2017, IkmResult, ikm_from_sums

ELEMENT_FIELDS = [f"u{i}" for i in range(1, 10)]


class AgeBand(models.TextChoices):
    UNDER_20 = "lt20", _("Under 20")
    FROM_20 = "20_29", _("20–29")
    FROM_30 = "30_39", _("30–39")
    FROM_40 = "40_49", _("40–49")
    FROM_50 = "50_59", _("50–59")
    FROM_60 = "60_plus", _("60 or older")


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class Education(models.TextChoices):
    PRIMARY = "sd", _("Primary school (SD) or below")
    JUNIOR = "smp", _("Junior high school (SMP)")
    SENIOR = "sma", _("Senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1–D4)")
    BACHELOR = "s1", _("Bachelor's degree (S1)")
    POSTGRADUATE = "s2", _("Master's degree (S2) or higher")


class Occupation(models.TextChoices):
    CIVIL_SERVANT = "pns", _("Civil servant (PNS/ASN)")
    MILITARY = "tni", _("Armed forces (TNI)")
    POLICE = "polri", _("Police (Polri)")
    PRIVATE = "swasta", _("Private employee")
    SELF_EMPLOYED = "wirausaha", _("Entrepreneur")
    STUDENT = "pelajar", _("Student")
    OTHER = "lainnya", _("Other")


class SurveyChannel(models.TextChoices):
    TICKET_LINK = "ticket_link", _("Link or QR on the ticket")
    KIOSK = "kiosk", _("Kiosk or QR at the exit")
    COUNTER_TABLET = "counter_tablet", _("Tablet at the counter")
    PAPER = "paper", _("Paper form entered by staff")


class SurveyResponseQuerySet(models.QuerySet):
    def in_period(self, period):
        return self.filter(local_date__gte=period.start, local_date__lt=period.end)

    def ikm(self, *, weight_mode: str = "exact") -> IkmResult:
        """One aggregate query: the index of everything in this queryset."""
        row = self.aggregate(n=Count("id"), **{f: Sum(f) for f in ELEMENT_FIELDS})
        return ikm_from_sums(
            respondents=row["n"],
            element_sums=[row[f] or 0 for f in ELEMENT_FIELDS],
            weight_mode=weight_mode,
        )

    def ikm_by(self, group: str, *, weight_mode: str = "exact") -> dict:
        """The index per value of `group` (e.g. "service_id", "mall__province_id"), in one
        GROUP BY query."""
        rows = (
            self.order_by()
            .values(group)
            .annotate(n=Count("id"), **{f"s_{f}": Sum(f) for f in ELEMENT_FIELDS})
        )
        return {
            row[group]: ikm_from_sums(
                respondents=row["n"],
                element_sums=[row[f"s_{f}"] or 0 for f in ELEMENT_FIELDS],
                weight_mode=weight_mode,
            )
            for row in rows
        }


def _score_field(number: int, name):
    return models.PositiveSmallIntegerField(format_lazy("U{} {}", number, name))


class SurveyResponse(models.Model):
    """One filled questionnaire: nine scores 1–4 and the respondent's profile. Anonymous:
    no name, no NIK; a ticket link only proves the respondent was served."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    mall = models.ForeignKey(Mall, on_delete=models.PROTECT, related_name="survey_responses")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="survey_responses")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="survey_responses")
    ticket = models.OneToOneField(  # no database constraint: tickets are partitioned
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_response",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=SurveyChannel.choices)
    local_date = models.DateField(_("date (mall's time)"))
    submitted_at = models.DateTimeField(_("submitted at"))
    u1 = _score_field(1, _("requirements"))
    u2 = _score_field(2, _("procedure"))
    u3 = _score_field(3, _("completion time"))
    u4 = _score_field(4, _("fee"))
    u5 = _score_field(5, _("product"))
    u6 = _score_field(6, _("staff competence"))
    u7 = _score_field(7, _("staff behaviour"))
    u8 = _score_field(8, _("facilities"))
    u9 = _score_field(9, _("complaint handling"))
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=8, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=10, choices=Occupation.choices, blank=True
    )
    suggestion = models.TextField(_("suggestion"), blank=True, max_length=2000)
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kiosk"),
        help_text=_("The kiosk the answers were given on; its mall is the response's mall."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{f}__gte": 1, f"{f}__lte": 4}),
                name=f"survey_{f}_between_1_and_4",
            )
            for f in ELEMENT_FIELDS
        ]
        indexes = [
            models.Index(fields=["mall", "local_date"], name="survey_mall_day_idx"),
            models.Index(fields=["service", "local_date"], name="survey_service_day_idx"),
            models.Index(fields=["agency", "local_date"], name="survey_agency_day_idx"),
            models.Index(fields=["local_date"], name="survey_day_idx"),
        ]

    def __str__(self):
        return f"{self.service} {self.local_date}"

    @property
    def scores(self) -> list[int]:
        return [getattr(self, f) for f in ELEMENT_FIELDS]


class LegacyReport(models.Model):
    """An old SKM report made with the 2004 method (Kepmenpan 25/2004: 14 elements, weight
    1/14, its own intervals). Kept apart from responses so the two methods never mix."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="legacy_skm_reports")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    period_label = models.CharField(_("period"), max_length=40)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    respondents = models.PositiveIntegerField(_("respondents"))
    element_sums = models.JSONField(_("sum of scores per element (U1–U14)"))
    reported_ikm = models.DecimalField(
        _("IKM in the old report"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["mall", "-period_start"]
        verbose_name = _("old SKM report (2004 method)")
        verbose_name_plural = _("old SKM reports (2004 method)")

    def __str__(self):
        return f"{self.mall} {self.period_label} (2004)"

    def result(self) -> IkmResult:
        return ikm_from_sums(
            respondents=self.respondents, element_sums=self.element_sums, method=METHOD_2004
        )


# --- complaints --------------------------------------------------------------------------


class ComplaintCategory(models.TextChoices):
    REQUIREMENTS = "requirements", _("Requirements")
    PROCEDURE = "procedure", _("Procedure")
    TIME = "time", _("Completion time or waiting")
    FEE = "fee", _("Fee or illegal charges")
    PRODUCT = "product", _("Product or result")
    STAFF = "staff", _("Staff behaviour or competence")
    FACILITIES = "facilities", _("Facilities")
    COUNTER_EMPTY = "counter_empty", _("Counter left empty")
    OTHER = "other", _("Other")


class ComplaintChannel(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    WEB = "web", _("Website")
    OFFICER = "officer", _("Entered by an officer")
    LAPOR = "lapor", _("SP4N-LAPOR!")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not admissible")


# Allowed status changes: the service refuses anything else.
COMPLAINT_TRANSITIONS = {
    ComplaintStatus.RECEIVED: {
        ComplaintStatus.IN_PROGRESS,
        ComplaintStatus.ANSWERED,
        ComplaintStatus.REJECTED,
    },
    ComplaintStatus.IN_PROGRESS: {ComplaintStatus.ANSWERED, ComplaintStatus.REJECTED},
    ComplaintStatus.ANSWERED: {ComplaintStatus.CLOSED, ComplaintStatus.IN_PROGRESS},
    ComplaintStatus.CLOSED: set(),
    ComplaintStatus.REJECTED: set(),
}
# A complaint counts as answered once it reached one of these.
ANSWERED_STATUSES = {ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED, ComplaintStatus.REJECTED}


def new_tracking_code() -> str:
    """ADU- and 8 characters without look-alikes (0/O, 1/I/L): easy to read out by phone."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "ADU-" + "".join(secrets.choice(alphabet) for _ in range(8))


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=ANSWERED_STATUSES)

    def overdue(self, now=None):
        """Not answered and past the due date in the complaint's own mall's zone."""
        past_due = Q()
        for in_zone, today in zone_dates("mall__province_id", now):
            past_due |= in_zone & Q(due_on__lt=today)
        return self.filter(first_answered_on__isnull=True).filter(past_due)

    def answered_in_time(self):
        return self.filter(
            first_answered_on__isnull=False, first_answered_on__lte=models.F("due_on")
        )


class Complaint(models.Model):
    """A *pengaduan*: what went wrong, where, and how it was handled. The complainant's
    contact details are optional and never shown on the public tracking page."""

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    tracking_code = models.CharField(
        _("tracking code"), max_length=12, unique=True, default=new_tracking_code
    )
    mall = models.ForeignKey(Mall, on_delete=models.PROTECT, related_name="complaints")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    description = models.TextField(_("what happened"), max_length=4000)
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    lapor_number = models.CharField(_("SP4N-LAPOR! ticket number"), max_length=40, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on (mall's date)"))
    due_on = models.DateField(_("answer due by"))
    first_answered_on = models.DateField(_("first answered on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kiosk"),
        help_text=_("The kiosk the complaint was filed on; its mall is the complaint's mall."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["mall", "received_on"], name="complaint_mall_day_idx"),
            models.Index(fields=["status", "due_on"], name="complaint_status_due_idx"),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES

    def is_overdue(self, today) -> bool:
        if self.first_answered_on:
            return self.first_answered_on > self.due_on
        return today > self.due_on

    def allowed_next(self) -> list[str]:
        return sorted(COMPLAINT_TRANSITIONS[ComplaintStatus(self.status)])


class ComplaintEvent(models.Model):
    """A step in a complaint's handling: a status change and/or a reply. Public replies
    show on the tracking page; internal notes do not."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"))
    from_status = models.CharField(max_length=16, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ComplaintStatus.choices)
    message = models.TextField(_("message"), blank=True, max_length=4000)
    is_public = models.BooleanField(_("shown to the complainant"), default=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self):
        return f"{self.complaint} {self.from_status}→{self.to_status}"


__all__ = [
    "METHOD_2017",
    "AgeBand",
    "Complaint",
    "ComplaintCategory",
    "ComplaintChannel",
    "ComplaintEvent",
    "ComplaintStatus",
    "Education",
    "LegacyReport",
    "Occupation",
    "Sex",
    "SurveyChannel",
    "SurveyResponse",
]
