from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "mpp.monitoring"
    verbose_name = _("National monitoring")

    def ready(self):
        from . import metrics  # noqa: F401 - registers the domain gauges at /metrics
