"""Numbers and times in reports as the reader writes them (`{% load report_format %}`)."""

from django import template

from ..exports import REASON_LABELS, number, status_label, wib

register = template.Library()


@register.filter
def num(value, digits=None):
    """39.285 / 12,5 in Indonesian, 39,285 / 12.5 in English; "—" for none."""
    return number(value, None if digits in (None, "") else int(digits))


@register.filter(name="wib")
def wib_filter(value):
    return wib(value) if value else "—"


@register.filter
def status_text(value):
    return status_label(value)


@register.filter
def reason_text(value):
    return str(REASON_LABELS.get(value, value))
