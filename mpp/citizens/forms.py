from django import forms
from django.utils.translation import gettext_lazy as _

from mpp.registry.models import Agency

from .models import ApplicationStatus, Purpose
from .vocabulary import CHOICES, FIELDS, Category, DocumentType


class DateInput(forms.DateInput):
    input_type = "date"


class RegisterForm(forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=24, help_text=_("16 digits, as on your KTP."))
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, help_text=_("We send a one-time code here.")
    )
    username = forms.CharField(label=_("User name"), max_length=60)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    agree = forms.BooleanField(
        label=_(
            "I agree that my data is stored for the once-only service; I decide which agency "
            "may read it."
        )
    )


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, min_length=6)


def profile_field(key: str, *, required: bool = False) -> forms.Field:
    spec = FIELDS[key]
    label = spec.label
    if key in CHOICES:
        return forms.ChoiceField(label=label, choices=[("", "—"), *CHOICES[key]], required=required)
    if spec.kind == "date":
        return forms.DateField(label=label, widget=DateInput, required=required)
    if spec.kind == "email":
        return forms.EmailField(label=label, required=required)
    help_text = _("E.g. 31.71.01.1001") if spec.kind == "region" else ""
    return forms.CharField(label=label, max_length=200, required=required, help_text=help_text)


class ProfileForm(forms.Form):
    """Correction of the profile; the NIK is not editable (it never changes)."""

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for key in keys:
            self.fields[key] = profile_field(key)


class ApplicationForm(forms.Form):
    save_to_profile = forms.BooleanField(
        label=_("Save the new data in my profile so I need not type it again"),
        required=False,
        initial=True,
    )
    agree = forms.BooleanField(
        label=_("I agree that the agency processes the data of this application.")
    )

    def __init__(self, *args, asked: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for key in asked:
            self.fields[key] = profile_field(key, required=True)
        self.order_fields([*asked, "save_to_profile", "agree"])


class ConsentForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all())
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(p, Purpose(p).label) for p in Purpose.consentable() if p != Purpose.BIOMETRIC],
    )
    categories = forms.MultipleChoiceField(
        label=_("Data"),
        choices=[(c.value, c.label) for c in Category if c != Category.BIOMETRIC],
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650, initial=90)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 5 MB)"))


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type HAPUS to confirm"), max_length=10, help_text=_("This cannot be undone.")
    )

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != "HAPUS":
            raise forms.ValidationError(_("Type HAPUS to confirm."))
        return "HAPUS"


class NikLookupForm(forms.Form):
    nik = forms.CharField(label=_("NIK of the citizen at the counter"), max_length=24)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(p, Purpose(p).label) for p in Purpose.consentable() if p != Purpose.BIOMETRIC],
    )


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ApplicationStatus.choices)
    note = forms.CharField(label=_("Note for the citizen"), required=False, widget=forms.Textarea)
