"""Agencies, their tenancy in malls, the services they offer there with a versioned
service standard (*standar pelayanan*, 14 components), the counters, and the officers."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .malls import Mall


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", _("Central government")
    PROVINCIAL = "provincial", _("Provincial government")
    REGENCY = "regency", _("Regency/city government")
    SOE = "soe", _("State-owned enterprise")
    PRIVATE = "private", _("Private")


class Agency(models.Model):
    """An entry in the national catalogue (Dukcapil, Polri, BPJS Kesehatan, …). The same
    agency sits in many malls through a Tenancy."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60)
    level = models.CharField(_("level"), max_length=16, choices=AgencyLevel.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.short_name


class Tenancy(models.Model):
    """An agency's presence at a mall: its booth and the cooperation agreement (PKS)."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="tenancies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tenancies")
    booth = models.CharField(_("booth"), max_length=60, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    agreement_number = models.CharField(
        _("cooperation agreement number"), max_length=100, blank=True
    )
    agreement_date = models.DateField(_("cooperation agreement date"), null=True, blank=True)

    class Meta:
        ordering = ["mall", "agency__short_name"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        constraints = [
            models.UniqueConstraint(fields=["mall", "agency"], name="tenancy_one_per_agency"),
        ]

    def __str__(self):
        return f"{self.agency} @ {self.mall}"


class Service(models.Model):
    """A service an agency offers at one mall. Its rules live in ServiceStandard versions."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="services")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField(_("short code"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered now"), default=True)
    ticket_prefix = models.CharField(
        _("ticket prefix"),
        max_length=4,
        blank=True,
        help_text=_(
            "Letter(s) before the queue number, e.g. A for A-012. Services sharing "
            "a prefix share one sequence of numbers."
        ),
    )
    last_ticket_minutes = models.PositiveSmallIntegerField(
        _("last ticket before closing (minutes)"),
        default=0,
        help_text=_("The kiosk stops issuing tickets for this service this long before closing."),
    )
    daily_ticket_cap = models.PositiveIntegerField(
        _("tickets per day (cap)"),
        null=True,
        blank=True,
        help_text=_("Walk-in tickets per day at most; empty: the platform setting, 0: no cap."),
    )

    class Meta:
        ordering = ["mall", "agency__short_name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["mall", "slug"], name="service_slug_unique_in_mall"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.mall_id
            and self.agency_id
            and not Tenancy.objects.filter(mall_id=self.mall_id, agency_id=self.agency_id).exists()
        ):
            raise ValidationError({"agency": _("This agency is not a tenant of the mall.")})

    def queue_prefix(self) -> str:
        return (self.ticket_prefix or self.agency.short_name[:1] or "A").upper()

    def standard_on(self, day: date):
        """The standard in force on `day` (see `ServiceStandardQuerySet.in_force_on`)."""
        return self.standards.in_force_on(day).first()

    def current_standard(self):
        return self.standard_on(timezone.localdate(timezone=self.mall.tz))


class CompletionUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("calendar days")


def standard_in_force(standards: Iterable["ServiceStandard"], day: date):
    """The rule "the standard in force on a day", for one service's versions already in memory:
    the version with the latest `effective_from` on or before `day`, the highest `version`
    among those taking effect the same day; None before the first. Its SQL twin is
    `ServiceStandard.objects.in_force_on(day)`; a test holds the two to the same answers."""
    in_force = [s for s in standards if s.effective_from <= day]
    return max(in_force, key=lambda s: (s.effective_from, s.version)) if in_force else None


class ServiceStandardQuerySet(models.QuerySet):
    def in_force_on(self, day: date):
        """For each service, the one version in force on `day` (see `standard_in_force`)."""
        newer = ServiceStandard.objects.filter(
            service_id=OuterRef("service_id"), effective_from__lte=day
        ).filter(
            Q(effective_from__gt=OuterRef("effective_from"))
            | Q(effective_from=OuterRef("effective_from"), version__gt=OuterRef("version"))
        )
        return self.filter(effective_from__lte=day).filter(~Exists(newer))


class ServiceStandard(models.Model):
    """One version of a service's *standar pelayanan* (PermenPANRB 15/2014): 14 components.
    The first six are the public "service delivery" part; the rest concern management."""

    PUBLIC_COMPONENTS = [
        "requirements",
        "procedure",
        "completion_time",
        "fee",
        "product",
        "complaint_channel",
    ]

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="standards")
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    # Service delivery (public)
    requirements = models.JSONField(
        _("requirements"), default=list, help_text=_("One requirement per line.")
    )
    procedure = models.JSONField(_("procedure"), default=list, help_text=_("One step per line."))
    completion_time_value = models.PositiveIntegerField(
        _("completion time"), validators=[MinValueValidator(1)]
    )
    completion_time_unit = models.CharField(
        _("unit of completion time"), max_length=16, choices=CompletionUnit.choices
    )
    fee_amount = models.DecimalField(
        _("fee (Rp)"), max_digits=14, decimal_places=0, default=0, validators=[MinValueValidator(0)]
    )
    fee_note = models.CharField(_("fee basis"), max_length=300, blank=True)
    product = models.CharField(_("product"), max_length=300)
    complaint_channel = models.TextField(_("complaints, suggestions and feedback"))
    # Service management (internal)
    legal_basis = models.TextField(_("legal basis"))
    facilities = models.TextField(_("facilities and infrastructure"), blank=True)
    staff_competence = models.TextField(_("staff competence"), blank=True)
    internal_supervision = models.TextField(_("internal supervision"), blank=True)
    staff_count = models.PositiveIntegerField(_("number of staff"), null=True, blank=True)
    service_guarantee = models.TextField(_("service guarantee"), blank=True)
    safety_guarantee = models.TextField(_("security and safety guarantee"), blank=True)
    performance_evaluation = models.TextField(_("staff performance evaluation"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ServiceStandardQuerySet.as_manager()

    class Meta:
        ordering = ["service", "-version"]
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        constraints = [
            models.UniqueConstraint(fields=["service", "version"], name="standard_version_unique"),
            models.CheckConstraint(
                condition=models.Q(completion_time_value__gt=0),
                name="standard_completion_time_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_amount__gte=0), name="standard_fee_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.service} v{self.version}"

    @property
    def is_free(self) -> bool:
        return self.fee_amount == 0

    def clean(self):
        errors = {}
        if not [r for r in self.requirements or [] if str(r).strip()]:
            errors["requirements"] = _("List at least one requirement.")
        if not [s for s in self.procedure or [] if str(s).strip()]:
            errors["procedure"] = _("List at least one step of the procedure.")
        if errors:
            raise ValidationError(errors)


class Counter(models.Model):
    """A *loket*: a desk where officers serve a set of the mall's services."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="counters")
    number = models.CharField(_("counter number"), max_length=20)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="counters", null=True, blank=True
    )
    services = models.ManyToManyField(
        Service, related_name="counters", blank=True, verbose_name=_("services")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["mall", "number"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["mall", "number"], name="counter_number_unique"),
        ]

    def __str__(self):
        return f"{_('Counter')} {self.number}"


class OfficerPosting(models.Model):
    """Where a counter officer works: one mall, one agency."""

    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posting"
    )
    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="postings")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="postings")

    class Meta:
        verbose_name = _("officer posting")
        verbose_name_plural = _("officer postings")

    def __str__(self):
        return f"{self.officer} — {self.agency} @ {self.mall}"
