"""Pieces shared by the apps' FilterSets (each app's `selectors.py`)."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

YES = {"1", "true", "on", "yes"}
NO = {"0", "false", "off", "no"}


class OptionalCheckbox(forms.CheckboxInput):
    """A checkbox on the page, true/false in the API: unticked (absent) means "no filter", not
    "false", so a page's "pilots only" box and the API's `?is_digital_pilot=false` share one
    filter."""

    def value_from_datadict(self, data, files, name):
        value = str(data.get(name, "")).strip().lower()
        if value in YES:
            return True
        if value in NO:
            return False
        return value or None  # anything else fails validation, naming the field


class OptionalBooleanField(forms.NullBooleanField):
    widget = OptionalCheckbox

    def to_python(self, value):
        if value in (True, False, None):
            return value
        raise forms.ValidationError(_("Use true or false."), code="invalid")

    def validate(self, value):
        pass


class OptionalBooleanFilter(django_filters.BooleanFilter):
    field_class = OptionalBooleanField


def list_page(request, filterset, per_page: int) -> dict:
    """A list page's context: the filter form, the page of rows (none while a filter is
    invalid: the form says what is wrong) and the query string, without the page, that the
    CSV link and the pager keep."""
    query = request.GET.copy()
    query.pop("page", None)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return {"form": filterset.form, "page": page, "query": query.urlencode()}
