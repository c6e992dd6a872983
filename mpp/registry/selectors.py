"""Reads of the registry's lists, shared by each page, its API twin and its CSV export
(see mpp/surveys/selectors.py for the convention)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from mpp.core.filters import OptionalBooleanFilter

from .models import Mall, MallStatus, Province


class MallFilter(django_filters.FilterSet):
    """The directory of malls: the public page, the console's list of one's own malls, their
    CSV and `/api/v1/malls/`."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    province = django_filters.ModelChoiceFilter(
        queryset=Province.objects.all(), label=_("Province"), empty_label=_("All provinces")
    )
    regency = django_filters.CharFilter(field_name="regency_id", label=_("Regency/city code"))
    status = django_filters.ChoiceFilter(
        choices=MallStatus.choices, label=_("Status"), empty_label=_("All statuses")
    )
    is_digital_pilot = OptionalBooleanFilter(label=_("MPP Digital pilots only"))

    class Meta:
        model = Mall
        fields = ["q", "province", "regency", "status", "is_digital_pilot"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


def malls_listed(malls=None):
    return (Mall.objects.all() if malls is None else malls).select_related("province", "regency")


MALL_CSV_COLUMNS = [
    ("code", lambda m: m.code),
    ("name", lambda m: m.name),
    ("region_code", lambda m: m.region_code),
    ("region", lambda m: m.regency or m.province),
    ("province", lambda m: m.province),
    ("timezone", lambda m: m.timezone_name),
    ("status", lambda m: m.status),
    ("inaugurated_on", lambda m: m.inaugurated_on or ""),
    ("is_digital_pilot", lambda m: int(m.is_digital_pilot)),
]
