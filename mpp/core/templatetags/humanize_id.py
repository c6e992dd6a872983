from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """Rp 350.000: Indonesian thousands separator, no decimals."""
    if amount is None or amount == "":
        return ""
    whole = int(Decimal(amount))
    return "Rp " + f"{whole:,}".replace(",", ".")
