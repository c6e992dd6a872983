from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mpp.core"
    verbose_name = _("Core")

    def ready(self):
        from prometheus_client import REGISTRY

        from .health import DomainCollector

        if not getattr(REGISTRY, "_mpp_domain", False):  # ready() may run twice in tests
            REGISTRY.register(DomainCollector())
            REGISTRY._mpp_domain = True
