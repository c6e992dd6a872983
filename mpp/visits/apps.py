from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _books_visits(mall) -> bool:
    # The public mall page prefetches the active services: no extra query.
    return mall.status == "open" and bool(mall.services.all())


def _ticket_at_the_officers_counter(*, citizen, officer) -> bool:
    """Serving context for citizen data reads: this citizen's ticket is called or being
    served by this officer now."""
    from .models import Ticket, TicketStatus

    return Ticket.objects.filter(
        citizen=citizen,
        officer=officer,
        status__in=[TicketStatus.CALLED, TicketStatus.SERVING],
    ).exists()


def _closure_saved(sender, instance, created, **kwargs):
    """A closure entered for a day people have booked: cancel and tell them (the registry
    cannot name the queue: imports flow one way, so the queue listens)."""
    from .services import closure_bookings_cancel

    closure_bookings_cancel(mall=instance.mall, day=instance.date, reason=instance.reason)


def _hours_changed(sender, instance, **kwargs):
    from .services.hours import hours_forget

    hours_forget(instance.mall_id)


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
        from django.db.models.signals import post_delete, post_save

        from mpp.citizens import access
        from mpp.registry.models import Closure, OpeningHours

        from . import health  # noqa: F401 - registers the outbox readiness check

        post_save.connect(_closure_saved, sender=Closure, dispatch_uid="visits-closure-saved")
        for model in (Closure, OpeningHours):
            for signal in (post_save, post_delete):
                signal.connect(_hours_changed, sender=model, dispatch_uid=f"visits-hours-{model}")
        if _ticket_at_the_officers_counter not in access.SERVING_CHECKS:
            access.SERVING_CHECKS.append(_ticket_at_the_officers_counter)
