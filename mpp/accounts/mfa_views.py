"""Pages for the second factor: set up an authenticator (QR), verify at sign-in, recovery
codes, and (for a citizen who opted in) turning it off."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import mfa


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url("accounts:start")


@login_required
def mfa_setup(request):
    """Scan the QR (or type the secret) into an authenticator app, then enter its code."""
    user = request.user
    if mfa.totp_device(user) and not user.is_verified():
        return redirect("accounts:mfa_verify")  # replacing a device needs the old one first
    device = mfa.totp_device(user, confirmed=False)
    if request.method == "GET" or device is None:
        device = mfa.totp_enrol_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_enrol_confirm(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except mfa.MfaError as error:
            form.add_error("token", error.message)
        else:
            return render(
                request, "accounts/mfa_recovery.html", {"codes": codes, "next": _next(request)}
            )
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.totp_qr_svg(device),
            "secret": mfa.totp_secret(device),
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def mfa_verify(request):
    """The second step of signing in: a code from the app, or one recovery code."""
    if not mfa.mfa_required(request.user):
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_verify(request=request, token=form.cleaned_data["token"])
        except mfa.MfaError as error:
            form.add_error("token", error.message)
        else:
            return redirect(_next(request))
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
        status=400 if form.errors else 200,
    )


@login_required
def mfa_manage(request):
    user = request.user
    return render(
        request,
        "accounts/mfa_manage.html",
        {
            "enrolled": mfa.totp_device(user) is not None,
            "may_turn_off": not mfa.is_staff_account(user),
        },
    )


@login_required
@require_POST
def mfa_recovery_new(request):
    if not request.user.is_verified():
        raise PermissionDenied
    codes = mfa.recovery_codes_new(user=request.user)
    return render(request, "accounts/mfa_recovery.html", {"codes": codes, "next": ""})


@login_required
@require_POST
def mfa_off(request):
    if mfa.is_staff_account(request.user) or not request.user.is_verified():
        raise PermissionDenied
    mfa.mfa_turn_off(user=request.user)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:mfa_manage")
