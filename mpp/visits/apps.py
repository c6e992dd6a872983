from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _books_visits(mall) -> bool:
    # The public mall page prefetches the active services: no extra query.
    return mall.status == "open" and bool(mall.services.all())


class VisitsConfig(AppConfig):
    name = "mpp.visits"
    verbose_name = _("Queue and visits")

    def ready(self):
        # The registry's mall pages cannot name the queue's URLs (imports flow one way).
        from mpp.registry.links import MallLink, mall_link_register

        for link in [
            MallLink("public", _("Book a visit"), "visits:booking_new", True, False, _books_visits),
            MallLink("queue", _("Today's queue"), "visits:queue_today", primary=True),
            MallLink("queue", _("Kiosk"), "visits:kiosk"),
            MallLink("queue", _("Display board"), "visits:board"),
            MallLink("queue", _("Booking page"), "visits:booking_new"),
            MallLink("queue", _("Kiosks and boards"), "visits:device_list", editors_only=True),
        ]:
            mall_link_register(link)
        from . import health  # noqa: F401 - registers the outbox readiness check
