from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _ticket_at_the_officers_counter(*, citizen, officer) -> bool:
    """Serving context for citizen data reads: this citizen's ticket is called or being
    served by this officer now."""
    from .models import Ticket, TicketStatus

    return Ticket.objects.filter(
        citizen=citizen,
        officer=officer,
        status__in=[TicketStatus.CALLED, TicketStatus.SERVING],
    ).exists()


class VisitsConfig(AppConfig):
    name = "mpp.visits"
    verbose_name = _("Queue and visits")

    def ready(self):
        from mpp.citizens import access

        if _ticket_at_the_officers_counter not in access.SERVING_CHECKS:
            access.SERVING_CHECKS.append(_ticket_at_the_officers_counter)
