"""National staff register agency clients in the admin (superusers: national staff)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AgencyClient, SignIn
from .scopes import DATA_SCOPES
from .services import agency_client_register


class RegisterForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes it may ask for"),
        choices=[(name, s.label) for name, s in DATA_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    redirect_uris = forms.CharField(label=_("redirect URIs (one a line)"), widget=forms.Textarea)
    post_logout_redirect_uris = forms.CharField(
        label=_("after-logout URIs (one a line)"), widget=forms.Textarea, required=False
    )
    confidential = forms.BooleanField(
        label=_("confidential (a server that keeps a secret)"), required=False, initial=True
    )

    class Meta:
        model = AgencyClient
        fields = [
            "agency",
            "display_name",
            "logo",
            "purpose",
            "purpose_text",
            "consent_days",
            "backchannel_logout_uri",
            "backchannel_logout_session_required",
        ]


@admin.register(AgencyClient)
class AgencyClientAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["display_name", "agency", "client_id", "registered_at"]
    list_select_related = ["agency", "application"]
    search_fields = ["display_name", "agency__name", "application__client_id"]

    @admin.display(description=_("client id"))
    def client_id(self, obj):
        return obj.application.client_id

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RegisterForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*RegisterForm.Meta.fields, "scopes", "redirect_uris",
                    "post_logout_redirect_uris", "confidential"]  # fmt: skip
        return ["agency", "display_name", "logo", "scopes", "purpose", "purpose_text",
                "backchannel_logout_uri", "backchannel_logout_session_required"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        client, secret = agency_client_register(
            agency=data["agency"],
            display_name=data["display_name"],
            redirect_uris=data["redirect_uris"].split(),
            post_logout_redirect_uris=data["post_logout_redirect_uris"].split(),
            scopes=data["scopes"],
            confidential=data["confidential"],
            purpose=data["purpose"],
            purpose_text=data["purpose_text"],
            consent_days=data["consent_days"],
            backchannel_logout_uri=data["backchannel_logout_uri"],
            backchannel_logout_session_required=data["backchannel_logout_session_required"],
            by=request.user,
        )
        if data.get("logo"):
            client.logo = data["logo"]
            client.save(update_fields=["logo"])
        obj.pk = client.pk
        obj.application = client.application
        shown = _("Client id %(id)s.") % {"id": client.application.client_id}
        if secret:
            shown += " " + _("Secret (shown once): %(s)s") % {"s": secret}
        messages.warning(request, shown)


@admin.register(SignIn)
class SignInAdmin(admin.ModelAdmin):
    list_display = ["created_at", "application", "acr", "used_at"]
    readonly_fields = [f.name for f in SignIn._meta.fields]

    def has_add_permission(self, request):
        return False
