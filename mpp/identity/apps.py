from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "mpp.identity"
    verbose_name = _("Sign-in with MPP")

    def ready(self):
        from . import receivers  # noqa: F401  (withdrawn consent → revoked tokens)
