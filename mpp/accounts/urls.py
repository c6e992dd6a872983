from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import mfa_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("start/", views.start, name="start"),
    path("two-factor/", mfa_views.mfa_manage, name="mfa_manage"),
    path("two-factor/setup/", mfa_views.mfa_setup, name="mfa_setup"),
    path("two-factor/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path("two-factor/recovery/", mfa_views.mfa_recovery_new, name="mfa_recovery_new"),
    path("two-factor/off/", mfa_views.mfa_off, name="mfa_off"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
