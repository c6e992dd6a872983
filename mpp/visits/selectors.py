"""Reads of the queue's lists, shared by each page, its API twin and its CSV export
(see mpp/surveys/selectors.py for the convention)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Mall, Service

from .models import Ticket, TicketStatus


def tickets_of(mall: Mall):
    return (
        Ticket.objects.filter(mall=mall)
        .select_related("service", "agency", "counter")
        .order_by("issued_at")
    )


class TicketDayFilter(django_filters.FilterSet):
    """A mall's tickets of one local day (today in the mall's zone unless `date` is given):
    the manager's day list, its CSV and `/api/v1/queue/malls/<code>/tickets/`."""

    date = django_filters.DateFilter(
        field_name="local_date",
        label=_("Day"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(
        choices=TicketStatus.choices, label=_("Status"), empty_label="—"
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), label=_("Service"), empty_label="—"
    )

    class Meta:
        model = Ticket
        fields = ["date", "status", "service"]

    def __init__(self, data=None, queryset=None, *, mall: Mall, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("date"):
            data["date"] = mall.local_now().date().isoformat()
        queryset = tickets_of(mall) if queryset is None else queryset
        super().__init__(data, queryset, **kwargs)
        self.filters["service"].queryset = Service.objects.filter(mall=mall).order_by("name")


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _blank_if_none(value):
    return "" if value is None else value


TICKET_CSV_COLUMNS = [
    ("ticket", lambda t: t.display_number),
    ("service", lambda t: t.service.name),
    ("agency", lambda t: t.agency.short_name),
    ("channel", lambda t: t.channel),
    ("priority", lambda t: t.priority_reason),
    ("status", lambda t: t.status),
    ("outcome", lambda t: t.outcome),
    ("counter", lambda t: t.counter.number if t.counter else ""),
    ("issued_at", lambda t: _iso(t.issued_at)),
    ("called_at", lambda t: _iso(t.called_at)),
    ("started_at", lambda t: _iso(t.started_at)),
    ("finished_at", lambda t: _iso(t.finished_at)),
    ("wait_seconds", lambda t: _blank_if_none(t.wait_seconds())),
    ("service_seconds", lambda t: _blank_if_none(t.service_seconds())),
]
