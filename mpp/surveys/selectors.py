"""Reads of the quality app's lists, shared by each page, its API twin and its CSV export.

A list is one FilterSet over one base queryset: the page renders `filterset.form` and
paginates `filterset.qs`, the API uses the same class through DjangoFilterBackend, the CSV
writes `filterset.qs` with the columns defined here. A filter added once appears in all three.
"""

from operator import attrgetter

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from mpp.registry.access import malls_visible_to
from mpp.registry.models import Service
from mpp.visits.models import DailyRollup

from .ikm import Period
from .models import (
    ELEMENT_FIELDS,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    SurveyResponse,
)


class OptionalPeriodField(forms.CharField):
    """A period (2026, 2026-S1 semester, 2026-Q3 quarter) or nothing: every period."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        try:
            return Period.parse(value)
        except ValueError as exc:
            # the reason quotes what was typed: a parameter, never part of the format string
            raise forms.ValidationError("%(reason)s", params={"reason": str(exc)}) from None


@extend_schema_field(OpenApiTypes.STR)
class PeriodFilter(django_filters.Filter):
    field_class = OptionalPeriodField

    def filter(self, qs, value):
        return qs if value is None else qs.in_period(value)


# --- complaints --------------------------------------------------------------------------


def complaints_visible(user):
    return (
        Complaint.objects.filter(mall__in=malls_visible_to(user))
        .select_related("mall", "agency", "service")
        .prefetch_related("events")
    )


class ComplaintFilter(django_filters.FilterSet):
    mall = django_filters.CharFilter(field_name="mall__code", label=_("Mall"))
    status = django_filters.ChoiceFilter(
        choices=ComplaintStatus.choices, label=_("Status"), empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        choices=ComplaintCategory.choices, label=_("Category"), empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )
    q = django_filters.CharFilter(method="filter_q", label=_("Tracking or LAPOR! number"))

    class Meta:
        model = Complaint
        fields = ["mall", "status", "category", "overdue", "q"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_q(self, queryset, name, value):
        value = value.strip().upper()
        if not value:
            return queryset
        return queryset.filter(Q(tracking_code__icontains=value) | Q(lapor_number__icontains=value))


COMPLAINT_CSV_COLUMNS = [
    ("tracking_code", lambda c: c.tracking_code),
    ("received_on", lambda c: c.received_on),
    ("category", lambda c: c.category),
    ("agency", lambda c: c.agency or ""),
    ("service", lambda c: c.service or ""),
    ("status", lambda c: c.status),
    ("due_on", lambda c: c.due_on),
    ("first_answered_on", lambda c: c.first_answered_on or ""),
    ("lapor_number", lambda c: c.lapor_number),
]


# --- questionnaires ----------------------------------------------------------------------


def responses_visible(user):
    return SurveyResponse.objects.filter(mall__in=malls_visible_to(user)).select_related(
        "mall", "service", "agency"
    )


class SurveyResponseFilter(django_filters.FilterSet):
    mall = django_filters.CharFilter(field_name="mall__code", label=_("Mall"))
    period = PeriodFilter(label=_("Period"))
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.all(), label=_("Service"), empty_label=_("All")
    )

    class Meta:
        model = SurveyResponse
        fields = ["mall", "period", "service"]

    def __init__(self, *args, mall=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mall is not None:  # a mall's own page offers its own services
            self.filters["service"].queryset = mall.services.all()


RESPONSE_CSV_COLUMNS = [
    ("local_date", lambda r: r.local_date),
    ("service", lambda r: r.service.slug),
    ("channel", lambda r: r.channel),
    *[(f.upper(), lambda r, f=f: getattr(r, f)) for f in ELEMENT_FIELDS],
    ("age_band", lambda r: r.age_band),
    ("sex", lambda r: r.sex),
    ("education", lambda r: r.education),
    ("occupation", lambda r: r.occupation),
    ("suggestion", lambda r: r.suggestion),
]


# --- the satisfaction index table ----------------------------------------------------------


def ikm_table_read(form) -> dict:
    """The index per unit (mall, service, agency, province) for a period, from a valid
    `IkmFilterForm`: the page, its CSV and `/api/v1/quality/ikm/` all read it here."""
    from .forms import default_period
    from .reports import ikm_rows

    data = form.cleaned_data
    period = data.get("period") or Period.parse(default_period())
    group = data.get("group") or "mall"
    weights = data.get("weights") or "exact"
    responses, rollups = SurveyResponse.objects.all(), DailyRollup.objects.all()
    for field, lookup in [("province", "mall__province"), ("mall", "mall"), ("agency", "agency")]:
        if data.get(field):
            responses = responses.filter(**{lookup: data[field]})
            rollups = rollups.filter(**{lookup: data[field]})
    return {
        "period": period,
        "group": group,
        "weights": weights,
        "rows": ikm_rows(
            responses=responses, rollups=rollups, period=period, group=group, weight_mode=weights
        ),
        "total": responses.in_period(period).ikm(weight_mode=weights),
    }


IKM_CSV_COLUMNS = [
    ("unit", lambda r: r["name"]),
    ("respondents", lambda r: r["result"].respondents),
    *[(f.upper(), lambda r, i=i: r["result"].nrr_display[i]) for i, f in enumerate(ELEMENT_FIELDS)],
    ("ikm", lambda r: r["result"].ikm),
    ("grade", lambda r: r["result"].grade.letter),
    ("label", lambda r: r["result"].grade.label),
    ("sample_target", lambda r: r["sample_target"]),
]


# --- old SKM reports (2004 method) beside the current method ---------------------------------

LEGACY_CSV_COLUMNS = [
    ("period", lambda r: r["report"].period_label),
    ("service", lambda r: r["report"].service.slug if r["report"].service else ""),
    ("respondents", lambda r: r["report"].respondents),
    ("ikm_2004", lambda r: r["legacy"].ikm),
    ("grade_2004", lambda r: r["legacy"].grade.letter if r["legacy"].grade else ""),
    ("reported_ikm", lambda r: r["report"].reported_ikm or ""),
    ("ikm_current_method", lambda r: r["current"].ikm or ""),
    ("respondents_current_method", lambda r: r["current"].respondents),
    ("source", lambda r: r["report"].source_name),
]


# --- quality figures (surveys.compliance computes them; these are their CSV columns) ---------


def _as_named(*names: str) -> list:
    """Columns headed by the attribute they show."""
    return [(name, attrgetter(name)) for name in names]


SERVICE_QUALITY_CSV_COLUMNS = [
    ("service", lambda r: r.service.name),
    ("agency", lambda r: r.service.agency),
    ("standard_complete", lambda r: not r.missing),
    *_as_named("served", "time_source", "time_measured"),
    ("within_standard_pct", lambda r: r.time_share),
    *_as_named("respondents", "sample_target"),
    ("ikm", lambda r: r.ikm.ikm if r.ikm else ""),
    ("grade", lambda r: r.ikm.grade.letter if r.ikm else ""),
]

SCORECARD_CSV_COLUMNS = [
    ("mall", lambda r: r["mall"].code),
    ("province", lambda r: r["mall"].province),
    ("served", lambda r: r["served"]),
    ("within_standard_pct", lambda r: r["time_share"]),
    ("respondents", lambda r: r["respondents"]),
    ("ikm", lambda r: r["ikm"] or ""),
    ("grade", lambda r: r["grade"].letter if r["grade"] else ""),
    ("complaints", lambda r: r["complaints"]),
    ("complaints_in_time_pct", lambda r: r["complaints_in_time_share"]),
]
