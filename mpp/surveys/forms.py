from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency, Mall, Province, Service

from .ikm import Period
from .models import (
    AgeBand,
    ComplaintCategory,
    ComplaintStatus,
    Education,
    Occupation,
    Sex,
)
from .questions import ELEMENTS


def _optional(choices):
    return [("", _("Prefer not to say"))] + list(choices)


class SurveyForm(forms.Form):
    """Nine questions with four big answer buttons each, then the optional profile."""

    age_band = forms.ChoiceField(label=_("Age"), choices=_optional(AgeBand.choices), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=_optional(Sex.choices), required=False)
    education = forms.ChoiceField(
        label=_("Education"), choices=_optional(Education.choices), required=False
    )
    occupation = forms.ChoiceField(
        label=_("Occupation"), choices=_optional(Occupation.choices), required=False
    )
    suggestion = forms.CharField(
        label=_("Suggestion (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, title, question, answers in ELEMENTS:
            self.fields[code] = forms.TypedChoiceField(
                label=question,
                choices=[(str(i), answer) for i, answer in enumerate(answers, start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer.")},
            )
            self.fields[code].element_title = title

    def questions(self):
        return [self[code] for code, *_rest in ELEMENTS]

    def profile_fields(self):
        return [self[name] for name in ("age_band", "sex", "education", "occupation")]

    def scores(self) -> dict:
        return {code: self.cleaned_data[code] for code, *_rest in ELEMENTS}

    def profile(self) -> dict:
        return {n: self.cleaned_data[n] for n in ("age_band", "sex", "education", "occupation")}


class PaperSurveyForm(SurveyForm):
    """Staff typing in a questionnaire collected on paper: the service, the day it was
    filled in, then the same nine answers and profile."""

    def __init__(self, *args, mall: Mall, **kwargs):
        super().__init__(*args, **kwargs)
        service = forms.ModelChoiceField(
            label=_("Service"),
            queryset=mall.services.select_related("agency").order_by("agency__short_name", "name"),
            to_field_name="slug",
        )
        service.label_from_instance = lambda s: f"{s.agency} — {s.name}"
        collected = forms.DateField(
            label=_("Filled in on"),
            initial=timezone.localdate(timezone=mall.tz),
            widget=forms.DateInput(attrs={"type": "date"}),
        )
        # Service and date first, as on the paper form's header.
        self.fields = {"service": service, "collected_on": collected, **self.fields}


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), choices=ComplaintCategory.choices)
    service = forms.ModelChoiceField(
        label=_("Service (if you know it)"), queryset=Service.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("What happened?"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=120)
    contact = forms.CharField(
        label=_("Phone or e-mail for the answer (optional)"),
        required=False,
        max_length=200,
        help_text=_("Never shown on the tracking page."),
    )
    lapor_number = forms.CharField(
        label=_("SP4N-LAPOR! ticket number (if you also reported there)"),
        required=False,
        max_length=40,
    )

    def __init__(self, *args, mall: Mall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = mall.services.filter(is_active=True).select_related(
            "agency"
        )
        self.fields["service"].label_from_instance = lambda s: f"{s.agency} — {s.name}"


class KioskComplaintForm(ComplaintForm):
    """The kiosk's large-type form: the category as big buttons, no LAPOR! number."""

    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=ComplaintCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the complaint is about.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["lapor_number"]
        self.fields["description"].widget.attrs.update(rows=4)


class ComplaintUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), required=False)
    message = forms.CharField(
        label=_("Reply or note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_public = forms.BooleanField(
        label=_("Show this reply to the complainant"), required=False, initial=True
    )

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("(unchanged)"))] + [
            (value, ComplaintStatus(value).label) for value in complaint.allowed_next()
        ]


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=12)

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        return code if code.startswith("ADU-") else f"ADU-{code}"


def default_period() -> str:
    return str(Period.containing(timezone.localdate(), "quarter"))


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value) or default_period()
        try:
            return Period.parse(value)
        except ValueError as exc:
            # the reason quotes what was typed: a parameter, never part of the format string
            raise forms.ValidationError("%(reason)s", params={"reason": str(exc)}) from None


GROUPS = [
    ("mall", _("Mall")),
    ("service", _("Service")),
    ("agency", _("Agency")),
    ("province", _("Province")),
]


class IkmFilterForm(forms.Form):
    period = PeriodField(
        label=_("Period"),
        required=False,
        help_text=_("2026, 2026-S1 (semester) or 2026-Q3 (quarter)"),
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.all(), required=False
    )
    mall = forms.ModelChoiceField(
        label=_("Mall"), queryset=Mall.objects.all(), required=False, to_field_name="code"
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.all(), required=False, to_field_name="code"
    )
    group = forms.ChoiceField(label=_("Per"), choices=GROUPS, required=False)
    weights = forms.ChoiceField(
        label=_("Weights"),
        required=False,
        choices=[("exact", _("1/9 exact")), ("0.111", "0.111"), ("0.11", "0.11")],
    )


class LegacyImportForm(forms.Form):
    """An old report made with the 2004 method: one questionnaire per row, U1..U14."""

    MAX_BYTES = 5 * 1024 * 1024

    service = forms.ModelChoiceField(
        label=_("Service (empty: the whole mall)"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="slug",
    )
    period = PeriodField(
        label=_("Period of the old report"),
        help_text=_("2016, 2016-S1 (semester) or 2016-Q3 (quarter)"),
    )
    reported_ikm = forms.DecimalField(
        label=_("IKM printed in the old report (optional)"),
        required=False,
        min_value=25,
        max_value=100,
        decimal_places=2,
        help_text=_("Shown beside the recomputed value, to check the old arithmetic."),
    )
    file = forms.FileField(
        label=_("Questionnaires (CSV or XLSX)"),
        help_text=_("One row per questionnaire, columns U1 to U14, answers 1–4."),
    )

    def __init__(self, *args, mall: Mall, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = mall.services.select_related("agency")
        self.fields["service"].label_from_instance = lambda s: f"{s.agency} — {s.name}"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
