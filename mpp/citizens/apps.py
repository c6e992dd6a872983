from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "mpp.citizens"
    verbose_name = _("Citizen data")

    def ready(self):
        from . import health  # noqa: F401 - registers the "keys" readiness check
