"""The provider's pages and endpoints: the consent screen at sign-in, the step-up page,
userinfo and the person resource; django-oauth-toolkit's endpoints wrapped so that every
refused attempt is logged (the client and the OAuth error, never a token or a code)."""

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as dot
from oauth2_provider.forms import AllowForm
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized

from mpp.accounts.models import Role
from mpp.citizens.access import AccessRefused
from mpp.citizens.models import Citizen, FaceCheck, OneTimeCode
from mpp.citizens.services import citizen_notify
from mpp.citizens.vocabulary import FIELDS
from mpp.core.ratelimit import rate_limit_allow

from . import services
from .backchannel import session_id_of
from .claims import USERINFO_CLAIMS, userinfo_claims
from .models import ACR_RANK, Acr, AgencyClient
from .scopes import DATA_SCOPES, OPENID, scope_label

log = logging.getLogger("mpp.identity")
STEP_UP = "mpp_oidc_step_up"
DAYS = [(30, gettext_lazy("30 days")), (90, gettext_lazy("90 days")), (365, gettext_lazy("1 year"))]


def _client_id(request) -> str:
    client_id = request.POST.get("client_id") or request.GET.get("client_id") or ""
    if not client_id and request.META.get("HTTP_AUTHORIZATION", "").startswith("Basic "):
        try:
            raw = base64.b64decode(request.META["HTTP_AUTHORIZATION"][6:]).decode()
            client_id = raw.split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            client_id = "?"
    return client_id[:80]


def _error_of(response) -> str:
    if getattr(response, "is_rendered", True) is False:  # an error page not yet rendered
        if response.status_code < 400:
            return ""
        error = (response.context_data or {}).get("error")
        return getattr(error, "error", None) or (error or {}).get("error") or "error"
    location = response.get("Location", "")
    if "error=" in location:
        return parse_qs(urlsplit(location).query).get("error", ["?"])[0]
    if response.status_code >= 400:
        try:
            return json.loads(response.content or b"{}").get("error", str(response.status_code))
        except (ValueError, AttributeError):
            return str(response.status_code)
    return ""


class Logged:
    """Log each refused attempt at an endpoint (client id and the OAuth error)."""

    endpoint = ""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if error := _error_of(response):
            log.warning(
                "oidc refused at %s: client=%s error=%s", self.endpoint, _client_id(request), error
            )
        return response


# Machine endpoints: no CSRF (the client authenticates itself), as in django-oauth-toolkit.
@method_decorator(csrf_exempt, name="dispatch")
class TokenView(Logged, dot.TokenView):
    """One transaction per token request (django-oauth-toolkit commits the ID token, the
    tokens, the code's deletion and our sign-in mark separately: four commits, each a disk
    flush). An exception rolls all of it back; an OAuth error answer keeps what was written
    (a replayed code's revocation)."""

    endpoint = "token"

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().post(request, *args, **kwargs)

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def authorization_flow_token_response(self, request, *args, **kwargs):
        if app_authorized.has_listeners(self):
            return super().authorization_flow_token_response(request, *args, **kwargs)
        # django-oauth-toolkit selects the new access token again only to send this signal;
        # nobody listens, so the answer goes out without that query.
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response


@method_decorator(csrf_exempt, name="dispatch")
class RevokeTokenView(Logged, dot.RevokeTokenView):
    endpoint = "revoke"


@method_decorator(csrf_exempt, name="dispatch")
class IntrospectTokenView(Logged, dot.IntrospectTokenView):
    endpoint = "introspect"


class ConnectDiscoveryInfoView(dot.ConnectDiscoveryInfoView):
    """django-oauth-toolkit's discovery document, plus Back-Channel Logout 1.0 (§2.1)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["backchannel_logout_supported"] = True
        data["backchannel_logout_session_supported"] = True
        claims = {*data.get("claims_supported", []), *ID_TOKEN_CLAIMS, *USERINFO_CLAIMS}
        data["claims_supported"] = sorted(claims)
        replaced = JsonResponse(data)
        replaced["Access-Control-Allow-Origin"] = "*"
        return replaced


ID_TOKEN_CLAIMS = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid"]


# --- step-up --------------------------------------------------------------------------


def _acr_reached(request) -> tuple[str, list[str]]:
    """The assurance of this session: a recent step-up, else the sign-in's second factor
    (django-otp), else the password."""
    step = request.session.get(STEP_UP) or {}
    fresh = timezone.now().timestamp() - step.get("at", 0) < settings.OIDC_STEP_UP_MINUTES * 60
    if fresh and step.get("acr") in ACR_RANK:
        return step["acr"], step["amr"]
    verified = getattr(request.user, "is_verified", lambda: False)()
    if verified:
        return Acr.CODE.value, ["pwd", "otp", "mfa"]
    return Acr.PASSWORD.value, ["pwd"]


def _acr_wanted(request) -> str:
    """The lowest level named in acr_values (any of them satisfies the client)."""
    values = (request.GET.get("acr_values") or request.POST.get("acr_values") or "").split()
    known = [v for v in values if v in ACR_RANK]
    return min(known, key=lambda v: ACR_RANK[v]) if known else ""


# --- the consent screen ---------------------------------------------------------------


class ConsentForm(AllowForm):
    acr_values = forms.CharField(required=False, widget=forms.HiddenInput())
    granted = forms.MultipleChoiceField(
        label=gettext_lazy("Data you share"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.TypedChoiceField(
        label=gettext_lazy("For how long"), choices=DAYS, coerce=int, initial=365
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = (self.data.get("scope") if self.is_bound else self.initial.get("scope")) or ""
        self.fields["granted"].choices = [
            (s, scope_label(s)) for s in scope.split() if s in DATA_SCOPES
        ]
        self.fields["granted"].initial = [s for s, _label in self.fields["granted"].choices]


def _field_labels(scope) -> str:
    if scope.document_type:
        return ""
    return ", ".join(str(FIELDS[k].label) for k in scope.fields if k in FIELDS)


def _citizen(request) -> Citizen | None:
    if request.user.role != Role.CITIZEN:
        return None
    return Citizen.objects.active().filter(user=request.user).first()


class AuthorizeView(Logged, dot.AuthorizationView):
    """Sign-in with MPP: the citizen sees the agency (name, logo), each field group it
    asks for and why, and grants or refuses each; the grant is a citizens Consent."""

    endpoint = "authorize"
    template_name = "identity/consent.html"
    form_class = ConsentForm

    def get_initial(self):
        initial = super().get_initial()
        initial["acr_values"] = self.request.GET.get("acr_values", "")
        return initial

    def get(self, request, *args, **kwargs):
        if _citizen(request) is None:
            return render(request, "identity/not_citizen.html", status=403)
        wanted = _acr_wanted(request)
        reached, _amr = _acr_reached(request)
        if wanted and ACR_RANK[wanted] > ACR_RANK[reached]:
            # Check the client and redirect URI first: never step up for a bad request.
            try:
                self.validate_authorization_request(request)
            except dot.base.OAuthToolkitError as error:
                return self.error_response(error, application=None)
            return HttpResponseRedirect(
                f"{_step_up_url()}?{_query(next=request.get_full_path(), acr=wanted)}"
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        context["client"] = AgencyClient.objects.filter(application=application).first()
        requested = context.get("scopes") or []
        context["requested"] = [
            {"name": s, "label": scope_label(s), "fields": _field_labels(DATA_SCOPES[s])}
            for s in requested
            if s in DATA_SCOPES
        ]
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # The browser follows the form's redirect to the client: allow its origin (CSP).
        uri = context.get("redirect_uri") or ""
        if uri:
            parts = urlsplit(uri)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response

    def form_valid(self, form):
        citizen = _citizen(self.request)
        if citizen is None:
            return render(self.request, "identity/not_citizen.html", status=403)
        client = AgencyClient.objects.filter(
            application__client_id=form.cleaned_data["client_id"]
        ).first()
        if client is None:
            return super().form_valid(form)  # django-oauth-toolkit answers the error
        requested = form.cleaned_data["scope"].split()
        granted = [s for s in requested if s in form.cleaned_data.get("granted", [])]
        allow = form.cleaned_data.get("allow")
        acr, amr = _acr_reached(self.request)
        wanted = form.cleaned_data.get("acr_values", "")
        wanted_acr = _acr_wanted_of(wanted)
        if allow and wanted_acr and ACR_RANK[wanted_acr] > ACR_RANK[acr]:
            allow = False  # the step-up lapsed while the screen was open
            form.cleaned_data["allow"] = False
        with transaction.atomic():
            consent = None
            if allow:
                try:
                    consent = services.sign_in_consent_record(
                        citizen=citizen,
                        client=client,
                        scopes=granted,
                        days=min(form.cleaned_data["days"], client.consent_days),
                        by=self.request.user,
                    )
                except ValidationError:
                    transaction.set_rollback(True)
                    return super().form_invalid(form)
                form.cleaned_data["scope"] = " ".join([OPENID, *granted])
            self._sign_in = {"consent": consent, "scopes": [OPENID, *granted]}
            self._sign_in.update(acr=acr, amr=amr, user=self.request.user)
            response = super().form_valid(form)
            if allow and not getattr(self, "_recorded", None):
                transaction.set_rollback(True)  # no code issued: no consent either
        return response

    def redirect(self, redirect_to, application):
        pending = getattr(self, "_sign_in", None)
        if pending and application is not None:
            self._recorded = services.sign_in_record(
                redirect_to=redirect_to,
                user=pending["user"],
                application=application,
                consent=pending["consent"],
                scopes=pending["scopes"],
                acr=pending["acr"],
                amr=pending["amr"],
                auth_time=timezone.now(),
                session_id=session_id_of(self.request.session),
                issuer=oauth2_settings.oidc_issuer(self.request),
            )
        return super().redirect(redirect_to, application)


def _acr_wanted_of(values: str) -> str:
    known = [v for v in values.split() if v in ACR_RANK]
    return min(known, key=lambda v: ACR_RANK[v]) if known else ""


def _step_up_url() -> str:
    from django.urls import reverse

    return reverse("oauth2_provider:step-up")


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


class StepUpForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the SMS"), max_length=6, required=False)


@login_required
def step_up(request):
    """Confirm a sign-in with a one-time code by SMS, or with a face check at a kiosk or
    desk made after this page was opened."""
    citizen = _citizen(request)
    if citizen is None:
        return render(request, "identity/not_citizen.html", status=403)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    wanted = request.GET.get("acr", Acr.CODE)
    state = request.session.get("mpp_oidc_step_up_pending") or {}
    if request.method == "GET" and not state:
        state = {"opened": timezone.now().timestamp()}
        request.session["mpp_oidc_step_up_pending"] = state
    form = StepUpForm(request.POST or None)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "send":
            if rate_limit_allow(
                scope="oidc-step-up-sms",
                identity=str(citizen.pk),
                limit=settings.REGISTRATION_SMS_PER_PHONE_PER_HOUR,
                window_seconds=3600,
            ):
                challenge = OneTimeCode(
                    use=OneTimeCode.Use.SIGN_IN,
                    phone_masked="",
                    expires_at=timezone.now() + OneTimeCode.TTL,
                )
                code = OneTimeCode.new_code()
                challenge.set_code(code)
                challenge.save()
                citizen_notify(
                    citizen=citizen,
                    body=_("Code %(code)s confirms your sign-in with MPP. Never share it.")
                    % {"code": code},
                )
                state["challenge"] = str(challenge.uuid)
                request.session["mpp_oidc_step_up_pending"] = state
            else:
                error = _("Too many codes sent. Try again later.")
        elif action == "code" and form.is_valid():
            error = _step_up_by_code(request, citizen, state, form.cleaned_data["code"])
            if not error:
                return HttpResponseRedirect(next_url)
        elif action == "face":
            if _step_up_by_face(request, citizen, state):
                return HttpResponseRedirect(next_url)
            error = _("No face check found since this page was opened.")
    return render(
        request,
        "identity/step_up.html",
        {
            "form": form,
            "error": error,
            "sent": bool(state.get("challenge")),
            "face": wanted == Acr.FACE,
            "wanted": wanted,
        },
    )


def _step_up_done(request, acr: str, amr: list[str]) -> None:
    request.session[STEP_UP] = {"acr": acr, "amr": amr, "at": timezone.now().timestamp()}
    request.session.pop("mpp_oidc_step_up_pending", None)


def _step_up_by_code(request, citizen, state, code: str) -> str:
    if not rate_limit_allow(
        scope="oidc-step-up-code",
        identity=str(citizen.pk),
        limit=settings.ONE_TIME_CODE_CHECKS_PER_HOUR,
        window_seconds=3600,
    ):
        return _("Too many tries. Try again later.")
    challenge = OneTimeCode.objects.filter(
        uuid=state.get("challenge") or None, use=OneTimeCode.Use.SIGN_IN
    ).first()
    if challenge is None or not challenge.is_usable():
        return _("The code has expired. Send a new one.")
    if not challenge.matches(code or ""):
        OneTimeCode.objects.filter(pk=challenge.pk).update(attempts=challenge.attempts + 1)
        return _("The code is not right.")
    OneTimeCode.objects.filter(pk=challenge.pk).update(used_at=timezone.now())
    _step_up_done(request, Acr.CODE.value, ["pwd", "otp", "sms"])
    return ""


def _step_up_by_face(request, citizen, state) -> bool:
    opened = state.get("opened")
    if not opened:
        return False
    since = datetime.fromtimestamp(opened, tz=UTC)
    window = timezone.now() - timedelta(minutes=settings.OIDC_STEP_UP_MINUTES)
    if FaceCheck.objects.filter(
        citizen=citizen, verified_at__gte=max(since, window), verified_at__isnull=False
    ).exists():
        _step_up_done(request, Acr.FACE.value, ["pwd", "face"])
        return True
    return False


# --- data given once ------------------------------------------------------------------


def _bearer_error(status: int, error: str, description: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    response["Cache-Control"] = "no-store"
    return response


_core = []


def _oauthlib_core():
    """One oauthlib server per process, as django-oauth-toolkit's own views keep (building
    it for each request costs more than the bearer check it serves)."""
    if not _core or oauth2_settings.ALWAYS_RELOAD_OAUTHLIB_CORE:
        _core[:] = [get_oauthlib_core()]
    return _core[0]


@receiver(setting_changed)
def _oauthlib_settings_changed(setting, **kwargs):
    if setting == "OAUTH2_PROVIDER":
        _core.clear()


def _release(request, endpoint: str):
    """The granted fields (our field keys) and `sub`, or the error response to send."""
    valid, oauth_request = _oauthlib_core().verify_request(request, scopes=[OPENID])
    if not valid:
        log.warning("oidc refused at %s: client=? error=invalid_token", endpoint)
        return _bearer_error(401, "invalid_token", "The access token is invalid or expired.")
    token = oauth_request.access_token
    try:
        return services.data_release(access_token=token, endpoint=endpoint)
    except AccessRefused as refused:
        log.warning(
            "oidc refused at %s: client=%s error=invalid_token (%s)",
            endpoint,
            token.application.client_id,
            refused.code,
        )
        return _bearer_error(401, "invalid_token", "The citizen's consent is withdrawn or over.")
    except Citizen.DoesNotExist:
        return _bearer_error(401, "invalid_token", "The account is closed.")


def _no_store(body: dict) -> JsonResponse:
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def userinfo(request):
    """OpenID Connect's standard claims (mpp.identity.claims), project ones namespaced."""
    if request.method not in ("GET", "POST"):
        return JsonResponse({"error": "invalid_request"}, status=405)
    released = _release(request, "userinfo")
    if isinstance(released, JsonResponse):
        return released
    sub = released.pop("sub")
    return _no_store({"sub": sub, **userinfo_claims(released)})


@csrf_exempt
def person(request):
    """Myinfo-style: exactly the granted fields (the platform's field keys), with the sub
    they belong to."""
    if request.method != "GET":
        return JsonResponse({"error": "invalid_request"}, status=405)
    released = _release(request, "person")
    if isinstance(released, JsonResponse):
        return released
    sub = released.pop("sub")
    return _no_store({"sub": sub, "released_at": services.release_time(), "data": released})
