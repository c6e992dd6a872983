from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    Closure,
    CompletionUnit,
    Counter,
    Mall,
    OpeningHours,
    Service,
    ServiceStandard,
    Tenancy,
)


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class LinesField(forms.CharField):
    """A textarea where each non-empty line becomes one item of a list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class MallForm(forms.ModelForm):
    class Meta:
        model = Mall
        fields = [
            "name",
            "address",
            "latitude",
            "longitude",
            "phone",
            "email",
            "inaugurated_on",
            "closed_on",
            "status",
            "is_digital_pilot",
            "priority_wait_limit_minutes",
        ]
        widgets = {
            "inaugurated_on": DateInput,
            "closed_on": DateInput,
            "address": forms.Textarea(attrs={"rows": 2}),
        }


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]
        widgets = {"opens_at": TimeInput, "closes_at": TimeInput}


OpeningHoursFormSet = forms.inlineformset_factory(
    Mall, OpeningHours, form=OpeningHoursForm, extra=2, can_delete=True
)


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["date", "reason"]
        widgets = {"date": DateInput}


class TenancyForm(forms.ModelForm):
    class Meta:
        model = Tenancy
        fields = ["agency", "booth", "since", "agreement_number", "agreement_date"]
        widgets = {"since": DateInput, "agreement_date": DateInput}


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "agency",
            "slug",
            "name",
            "description",
            "ticket_prefix",
            "last_ticket_minutes",
            "daily_ticket_cap",
            "is_active",
        ]

    def __init__(self, *args, mall: Mall, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.mall = mall
        self.fields["agency"].queryset = self.fields["agency"].queryset.filter(tenancies__mall=mall)


STANDARD_TEXTAREAS = [
    "complaint_channel",
    "legal_basis",
    "facilities",
    "staff_competence",
    "internal_supervision",
    "service_guarantee",
    "safety_guarantee",
    "performance_evaluation",
]


class StandardForm(forms.ModelForm):
    requirements = LinesField(label=_("Requirements"), help_text=_("One per line."))
    procedure = LinesField(label=_("Procedure"), help_text=_("One step per line."))
    completion_time_unit = forms.ChoiceField(
        label=_("Unit of completion time"), choices=CompletionUnit.choices
    )

    class Meta:
        model = ServiceStandard
        # The six public components first, then the eight about management.
        fields = [
            "effective_from",
            "requirements",
            "procedure",
            "completion_time_value",
            "completion_time_unit",
            "fee_amount",
            "fee_note",
            "product",
            "complaint_channel",
            "legal_basis",
            "facilities",
            "staff_competence",
            "internal_supervision",
            "staff_count",
            "service_guarantee",
            "safety_guarantee",
            "performance_evaluation",
        ]
        widgets = {"effective_from": DateInput} | {
            name: forms.Textarea(attrs={"rows": 2}) for name in STANDARD_TEXTAREAS
        }


class PledgeForm(forms.Form):
    text = forms.CharField(label=_("Text of the pledge"), widget=forms.Textarea(attrs={"rows": 6}))
    signer_name = forms.CharField(label=_("Signed by"), max_length=200)
    signer_title = forms.CharField(label=_("Signer's position"), max_length=200)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)


class CounterForm(forms.ModelForm):
    class Meta:
        model = Counter
        fields = ["number", "agency", "services", "is_active"]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, mall: Mall, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.mall = mall
        self.fields["services"].queryset = mall.services.select_related("agency")
        self.fields["agency"].queryset = self.fields["agency"].queryset.filter(tenancies__mall=mall)
