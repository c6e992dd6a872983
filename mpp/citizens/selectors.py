"""Reads of the citizens app's staff lists, shared by each page, its API twin and its CSV
export (docs/decisions/0023): one base queryset and one FilterSet per list, and the CSV
columns beside them, so a filter added once appears in all three."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Mall, OfficerPosting

from .models import Application, ApplicationStatus


def applications_of_posting(posting: OfficerPosting):
    """Submitted applications to the officer's agency at their mall, soonest deadline first."""
    return (
        Application.objects.submitted()
        .filter(mall=posting.mall, agency=posting.agency)
        .select_related("service", "mall", "agency", "citizen")
        .prefetch_related("events")
        .order_by("due_at")
    )


def applications_breached_at(mall: Mall):
    """Applications over the standard's time at one mall, by agency then deadline."""
    return (
        Application.objects.filter(mall=mall)
        .breached()
        .select_related("service", "mall", "agency", "citizen")
        .prefetch_related("events")
        .order_by("agency__short_name", "due_at")
    )


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, label=_("Status"), empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Application
        fields = ["status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset


class BreachedApplicationFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(field_name="agency__code", label=_("Agency"))

    class Meta:
        model = Application
        fields = ["agency"]


def _overdue_mark(application) -> str:
    return "yes" if application.is_overdue(timezone.now()) else ""


APPLICATION_CSV_COLUMNS = [
    ("reference", lambda a: a.reference),
    ("service", lambda a: a.service.name),
    ("agency", lambda a: a.agency.short_name),
    ("status", lambda a: a.status),
    ("submitted_at", lambda a: a.submitted_at),
    ("due_at", lambda a: a.due_at),
    ("overdue", _overdue_mark),
]
