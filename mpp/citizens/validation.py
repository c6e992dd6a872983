"""Checking profile values field by field; errors name the field."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from mpp.registry.models import District, Village

from .vocabulary import CHOICES, FIELDS

PHONE = re.compile(r"^(\+62|62|0)8\d{7,12}$")
DIGITS = {"family_card_number": (16, 16), "rt": (1, 3), "rw": (1, 3), "npwp": (15, 16)}
VILLAGE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def phone_clean(value: str) -> str:
    phone = re.sub(r"[\s().-]", "", value or "")
    if not PHONE.match(phone):
        raise ValidationError(_("Enter a mobile number such as 0812 3456 7890."), code="phone")
    return "0" + phone[phone.index("8") :]


def _clean_one(key: str, value) -> str:
    kind = FIELDS[key].kind
    text = str(value).strip()
    if key in CHOICES:
        if text not in {code for code, _label in CHOICES[key]}:
            raise ValidationError(_("Choose one of the listed values."))
        return text
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as error:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from error
    if kind == "phone":
        return phone_clean(text)
    if kind == "email":
        validate_email(text)
        return text.lower()
    if key in DIGITS:
        digits = re.sub(r"[\s.-]", "", text)
        low, high = DIGITS[key]
        if not digits.isdigit() or not low <= len(digits) <= high:
            raise ValidationError(
                _("Enter %(low)s–%(high)s digits.") % {"low": low, "high": high}
                if low != high
                else _("Enter exactly %(n)s digits.") % {"n": low}
            )
        return digits
    if kind == "region":
        if not VILLAGE.match(text):
            raise ValidationError(_("Enter a village code such as 62.02.01.2001."))
        district = text.rsplit(".", 1)[0]
        if not District.objects.filter(pk=district).exists():
            raise ValidationError(_("Unknown district %(code)s.") % {"code": district})
        villages = Village.objects.filter(district_id=district)
        if villages.exists() and not villages.filter(pk=text).exists():
            raise ValidationError(_("Unknown village %(code)s.") % {"code": text})
        return text
    if len(text) > 200:
        raise ValidationError(_("At most 200 characters."))
    return text


def profile_values_clean(values: dict, *, allow_blank: bool = False) -> dict:
    """Clean every value; raise one ValidationError naming every bad field."""
    cleaned, errors = {}, {}
    for key, value in values.items():
        if key not in FIELDS or key == "nik":
            errors[key] = [_("This field cannot be changed here.")]
            continue
        if value in (None, ""):
            if allow_blank:
                cleaned[key] = ""
            else:
                errors[key] = [_("This field is required.")]
            continue
        try:
            cleaned[key] = _clean_one(key, value)
        except ValidationError as error:
            errors[key] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned
