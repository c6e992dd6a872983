"""Reading a NIK: region of issue, birth date and sex, with warnings for oddities.

A NIK is PP KK CC DDMMYY SSSS: province, kab/kota and kecamatan codes where it was issued,
the birth date (women: day + 40) and a serial. It has no checksum and never changes, even
when the birth date on record is later corrected; so oddities are warnings, not errors.
Only the shape (16 digits) is an error.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from mpp.core.nik import nik_clean
from mpp.registry.models import District, HistoricalRegion, Province, Regency


@dataclass
class NikInfo:
    nik: str
    province_code: str
    regency_code: str
    district_code: str
    province_name: str = ""
    regency_name: str = ""
    district_name: str = ""
    birth_date: date | None = None
    sex: str = ""  # "M" or "F"
    serial: str = ""
    historical_codes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _region_name(model, code: str, info: NikInfo) -> str:
    row = model.objects.filter(pk=code).only("name").first()
    if row:
        return row.name
    old = HistoricalRegion.objects.filter(pk=code).first()
    if old:
        info.historical_codes.append(code)
        return old.name
    return ""


def _birth_date(digits: str, today: date) -> tuple[date | None, str]:
    """DDMMYY with women's day + 40 → (date, sex). The century is the latest one that does
    not put the birth in the future."""
    day, month, year2 = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    sex = "F" if day > 40 else "M"
    if day > 40:
        day -= 40
    year = 2000 + year2 if 2000 + year2 <= today.year else 1900 + year2
    try:
        born = date(year, month, day)
    except ValueError:
        return None, sex
    if born > today:
        born = born.replace(year=year - 100)
    return born, sex


def nik_parse(value: str, *, today: date | None = None) -> NikInfo:
    """Parse a NIK; raises ValidationError only for a wrong shape."""
    nik = nik_clean(value)
    pp, kk, cc = nik[:2], nik[2:4], nik[4:6]
    info = NikInfo(
        nik=nik,
        province_code=pp,
        regency_code=f"{pp}.{kk}",
        district_code=f"{pp}.{kk}.{cc}",
        serial=nik[12:],
    )
    info.province_name = _region_name(Province, info.province_code, info)
    info.regency_name = _region_name(Regency, info.regency_code, info)
    info.district_name = _region_name(District, info.district_code, info)
    if not info.province_name:
        info.warnings.append(_("Province code %(code)s is unknown.") % {"code": pp})
    elif not info.regency_name:
        info.warnings.append(
            _("Regency/city code %(code)s is unknown.") % {"code": info.regency_code}
        )
    elif not info.district_name:
        info.warnings.append(_("District code %(code)s is unknown.") % {"code": info.district_code})
    if info.historical_codes:
        info.warnings.append(
            _("Issued under an old region code (%(codes)s): still valid.")
            % {"codes": ", ".join(info.historical_codes)}
        )
    info.birth_date, info.sex = _birth_date(nik[6:12], today or timezone.localdate())
    if info.birth_date is None:
        info.warnings.append(_("Digits 7–12 are not a valid birth date."))
    if info.serial == "0000":
        info.warnings.append(_("The serial number 0000 is unusual."))
    return info


def nik_birth_date_warning(info: NikInfo, birth_date: date | None) -> str:
    """A warning when the declared birth date differs from the NIK's (a corrected birth
    date keeps the old NIK, so this is never an error)."""
    if birth_date and info.birth_date and birth_date != info.birth_date:
        return _(
            "The birth date differs from the one in the NIK (%(nik_date)s); this happens "
            "when a birth date was corrected, the NIK stays the same."
        ) % {"nik_date": info.birth_date.isoformat()}
    return ""
