from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender, using="default", **kwargs):
    # The shared cache (rate limits) lives in the database by default: `migrate` makes its
    # table, so `make demo` and a fresh deployment need no extra step.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "mpp.core"
    verbose_name = _("Core")

    def ready(self):
        from . import checks, logredact  # noqa: F401 (registers the start-up checks)

        logredact.install()
        post_migrate.connect(_create_cache_table, sender=self)
        from prometheus_client import REGISTRY

        from .health import DomainCollector

        if not getattr(REGISTRY, "_mpp_domain", False):  # ready() may run twice in tests
            REGISTRY.register(DomainCollector())
            REGISTRY._mpp_domain = True
