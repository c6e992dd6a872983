"""The provider's endpoints under /oidc/ (namespace `oauth2_provider`, the name
django-oauth-toolkit's discovery document reverses)."""

from django.urls import path, re_path
from oauth2_provider import views as dot

from . import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("step-up/", views.step_up, name="step-up"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke/", views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectTokenView.as_view(), name="introspect"),
    path("userinfo/", views.userinfo, name="user-info"),
    path("logout/", dot.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    # RFC 8414 metadata; its base is also the `iss` of each authorization response (RFC 9207).
    path(
        ".well-known/oauth-authorization-server",
        dot.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]
