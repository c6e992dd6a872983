"""Pieces shared by the apps' FilterSets (each app's `selectors.py`)."""

import django_filters
from django import forms
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
