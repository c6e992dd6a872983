"""Malls, who manages them and who works in them, their opening hours and their pledge."""

import uuid
import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .regions import Province, Regency, timezone_for_region_code


class MallStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class MallQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=MallStatus.OPEN)

    def in_province(self, province_code: str):
        return self.filter(province_id=province_code)

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(regency__name__icontains=text)
            | models.Q(province__name__icontains=text)
            | models.Q(code__icontains=text)
        )


class Mall(models.Model):
    """A public service mall. Most serve one kab/kota; DKI Jakarta's serves the province,
    so `regency` is empty there and the province is the mall's region."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="malls", verbose_name=_("province")
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="malls",
        null=True,
        blank=True,
        verbose_name=_("regency/city"),
    )
    address = models.TextField(_("address"), blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    inaugurated_on = models.DateField(_("inauguration date"), null=True, blank=True)
    closed_on = models.DateField(_("closure date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MallStatus.choices, default=MallStatus.OPEN
    )
    is_digital_pilot = models.BooleanField(_("MPP Digital pilot"), default=False)
    inauguration_batch = models.CharField(_("inauguration batch"), max_length=32, blank=True)
    reported_services = models.PositiveIntegerField(_("services (reported)"), null=True, blank=True)
    reported_agencies = models.PositiveIntegerField(_("agencies (reported)"), null=True, blank=True)
    sources = models.TextField(_("sources"), blank=True, help_text=_("One URL per line."))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    priority_wait_limit_minutes = models.PositiveSmallIntegerField(
        _("priority visitors called first after (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "A priority visitor who has waited this long is called next. Empty: the platform "
            "setting; 0: no bound (only the head start)."
        ),
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Made up for demonstrations, not a real mall.")
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_malls",
        verbose_name=_("managers"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MallQuerySet.as_manager()

    class Meta:
        ordering = ["province_id", "regency_id", "name"]
        verbose_name = _("mall")
        verbose_name_plural = _("malls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(inaugurated_on__isnull=True)
                | models.Q(closed_on__gte=models.F("inaugurated_on")),
                name="mall_closed_after_inauguration",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.inaugurated_on and self.closed_on and self.inaugurated_on > self.closed_on:
            errors["inaugurated_on"] = _("The inauguration date lies after the closure date.")
        if (
            self.regency_id
            and self.province_id
            and not self.regency_id.startswith(f"{self.province_id}.")
        ):
            errors["regency"] = _("This regency/city is not in the chosen province.")
        if self.status == MallStatus.CLOSED and not self.closed_on:
            errors["closed_on"] = _("A closed mall needs its closure date.")
        if errors:
            raise ValidationError(errors)

    @property
    def region_code(self) -> str:
        """The kab/kota code, or the province code for a province-wide mall (Jakarta)."""
        return self.regency_id or self.province_id

    @property
    def population(self) -> int | None:
        return self.regency.population if self.regency_id else self.province.population

    @property
    def timezone_name(self) -> str:
        return timezone_for_region_code(self.region_code)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone_name)

    def local_now(self) -> datetime:
        return timezone.now().astimezone(self.tz)

    def opening_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening periods on local `day` as aware datetimes; none on a closure."""
        if self.closures.filter(date=day).exists():
            return []
        return [
            (
                datetime.combine(day, hours.opens_at, tzinfo=self.tz),
                datetime.combine(day, hours.closes_at, tzinfo=self.tz),
            )
            for hours in self.opening_hours.filter(weekday=day.weekday())
        ]

    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]

    def current_pledge(self):
        return self.pledges.order_by("-version").first()


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on a weekday, in the mall's local time. A day may have two
    periods (e.g. a Friday prayer break); a day with none is closed."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["mall", "weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_close_after_open",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})


class Closure(models.Model):
    """A day the mall is closed on top of its weekly hours (holiday, event)."""

    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["mall", "date"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.UniqueConstraint(fields=["mall", "date"], name="closure_one_per_day"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"


class Pledge(models.Model):
    """The mall's *maklumat pelayanan*: the signed promise to deliver the standards.
    Each change is a new version; the highest version is in force."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mall = models.ForeignKey(Mall, on_delete=models.CASCADE, related_name="pledges")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text of the pledge"))
    signer_name = models.CharField(_("signed by"), max_length=200)
    signer_title = models.CharField(_("signer's position"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["mall", "-version"]
        verbose_name = _("service pledge (maklumat pelayanan)")
        verbose_name_plural = _("service pledges (maklumat pelayanan)")
        constraints = [
            models.UniqueConstraint(fields=["mall", "version"], name="pledge_version_unique"),
        ]

    def __str__(self):
        return f"{self.mall} v{self.version}"
