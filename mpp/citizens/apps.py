from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "mpp.citizens"
    verbose_name = _("Citizen data")

    def ready(self):
        # A missing or altered face model file stops start-up with a clear message, instead of
        # failing at the first check-in (or embedding with the wrong weights).
        from mpp.biometrics import ModelFileError, models_check

        from . import health  # noqa: F401 - registers the "keys" readiness check

        try:
            models_check()
        except ModelFileError as error:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(str(error)) from error
