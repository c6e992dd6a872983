"""Reads of the citizens app's staff lists, shared by each page, its API twin and its CSV
export (docs/decisions/0023): one base queryset and one FilterSet per list, and the CSV
columns beside them, so a filter added once appears in all three."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.core.filters import OptionalBooleanFilter
from mpp.registry.models import Mall, OfficerPosting

from . import access
from .models import (
    AccessRecord,
    Application,
    ApplicationStatus,
    Citizen,
    DuplicateStatus,
    FaceDuplicate,
    Purpose,
)


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


def access_records_of(citizen: Citizen):
    """ "Who saw my data": every read of one citizen's data, refused ones too, newest first."""
    return AccessRecord.objects.filter(citizen=citizen).select_related("agency", "mall")


def break_glass_reads_at(mall: Mall):
    """Reads at one mall made outside a serving context, for its managers to review."""
    return (
        AccessRecord.objects.filter(mall=mall, reason__startswith=access.BREAK_GLASS)
        .select_related("agency", "citizen")
        .order_by("-seq")
    )


class AccessRecordFilter(django_filters.FilterSet):
    """The citizen's access log: the page, its CSV and `/api/v1/citizen/me/access-log/`.
    `mine`: true keeps the citizen's own reads, false leaves them out, absent means no filter
    (the API's default; the page sends false unless its box is ticked)."""

    purpose = django_filters.ChoiceFilter(
        choices=Purpose.choices, label=_("Purpose"), empty_label=_("All")
    )
    mine = OptionalBooleanFilter(method="filter_mine", label=_("Include my own views"))

    class Meta:
        model = AccessRecord
        fields = ["purpose", "mine"]

    def filter_mine(self, queryset, name, value):
        if value is False:
            return queryset.exclude(actor=self.request.user)
        return queryset


ACCESS_RECORD_CSV_COLUMNS = [
    ("seq", lambda r: r.seq),
    ("at", lambda r: r.at.isoformat()),
    ("who", lambda r: r.actor_label),
    ("agency", lambda r: r.agency or ""),
    ("mall", lambda r: r.mall or ""),
    ("purpose", lambda r: r.purpose),
    ("fields", lambda r: " ".join(r.fields)),
    ("outcome", lambda r: r.outcome),
    ("channel", lambda r: r.channel),
    ("break_glass_reason", lambda r: r.break_glass_reason),
]


def face_duplicates_at(mall: Mall):
    """Possible duplicate faces found at enrolments at one mall, newest first."""
    return FaceDuplicate.objects.filter(mall=mall).select_related("citizen", "other")


class FaceDuplicateFilter(django_filters.FilterSet):
    """The officer's list of possible duplicate faces and its CSV; the page asks for the open
    ones unless another status is chosen."""

    status = django_filters.ChoiceFilter(
        choices=DuplicateStatus.choices, label=_("Status"), empty_label=_("All")
    )

    class Meta:
        model = FaceDuplicate
        fields = ["status"]


FACE_DUPLICATE_CSV_COLUMNS = [
    ("found_at", lambda d: d.found_at.isoformat()),
    ("citizen", lambda d: d.citizen),
    ("resembles", lambda d: d.other),
    ("score", lambda d: d.score),
    ("status", lambda d: d.status),
    ("reviewed_at", lambda d: d.reviewed_at or ""),
]
