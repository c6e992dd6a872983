from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "mpp.visits"
    verbose_name = _("Queue and visits")

    def ready(self):
        from . import health  # noqa: F401 - registers the outbox readiness check
