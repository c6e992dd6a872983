from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mpp.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import lockout  # noqa: F401 (connects the lock logger)
