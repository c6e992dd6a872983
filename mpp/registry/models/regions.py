"""Kemendagri administrative regions: province → kab/kota → kecamatan → desa/kelurahan.

Codes are the natural keys (e.g. "62", "62.02", "62.02.01", "62.02.01.2001"): they are
stable, printed in NIKs and used by every other government system.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Indonesia's three zones; West and Central Kalimantan run on WIB like Java but
# have their own IANA name.
ZONE_BY_PROVINCE_PREFIX = {
    **dict.fromkeys(
        ["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"], "Asia/Makassar"
    ),
    **dict.fromkeys(["81", "82", "91", "92", "93", "94", "95", "96"], "Asia/Jayapura"),
    **dict.fromkeys(["61", "62"], "Asia/Pontianak"),
}
DEFAULT_ZONE = "Asia/Jakarta"


def timezone_for_region_code(code: str) -> str:
    """The IANA zone of any region code (province, kab/kota, kecamatan or village)."""
    return ZONE_BY_PROVINCE_PREFIX.get(code[:2], DEFAULT_ZONE)


def zone_dates(province_field: str, now: datetime | None = None) -> list[tuple[Q, date]]:
    """For a query over rows in several zones: per zone, a condition selecting the rows whose
    province code (`province_field`, e.g. "mall__province_id") lies in it, and today's date
    there. A rule like "overdue" then uses each mall's own date, not the server's."""
    now = now or timezone.now()
    zones: dict[str, list[str]] = {}
    for prefix, zone in ZONE_BY_PROVINCE_PREFIX.items():
        zones.setdefault(zone, []).append(prefix)
    result = [
        (Q(**{f"{province_field}__in": prefixes}), timezone.localdate(now, ZoneInfo(zone)))
        for zone, prefixes in zones.items()
    ]
    elsewhere = ~Q(**{f"{province_field}__in": list(ZONE_BY_PROVINCE_PREFIX)})
    return [*result, (elsewhere, timezone.localdate(now, ZoneInfo(DEFAULT_ZONE)))]


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/city")
    DISTRICT = "district", _("District (kecamatan)")
    VILLAGE = "village", _("Village (desa/kelurahan)")


def level_of_code(code: str) -> str:
    return [RegionLevel.PROVINCE, RegionLevel.REGENCY, RegionLevel.DISTRICT, RegionLevel.VILLAGE][
        code.count(".")
    ]


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("time zone"), max_length=32)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name


class RegencyKind(models.TextChoices):
    KABUPATEN = "kabupaten", _("Regency (kabupaten)")
    KOTA = "kota", _("City (kota)")


class Regency(models.Model):
    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=RegencyKind.choices)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_male = models.PositiveIntegerField(_("male population"), null=True, blank=True)
    population_female = models.PositiveIntegerField(_("female population"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")

    def __str__(self):
        return self.name

    @property
    def timezone(self) -> str:
        return timezone_for_region_code(self.code)


class District(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class Village(models.Model):
    code = models.CharField(_("code"), max_length=13, primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    def __str__(self):
        return self.name


class HistoricalRegion(models.Model):
    """A province, kab/kota or kecamatan code from an earlier Kemendagri table that the
    current table no longer has (split, merged or renumbered). NIKs issued under such
    codes stay valid for life, so they must still be recognised."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    last_edition = models.PositiveSmallIntegerField(_("last table edition (year)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("historical region code")
        verbose_name_plural = _("historical region codes")

    def __str__(self):
        return f"{self.code} {self.name} ({self.last_edition})"
