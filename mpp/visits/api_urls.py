from django.urls import path

from . import api

urlpatterns = [
    path("queue/tickets/", api.ticket_issue, name="api-queue-issue"),
    path("queue/tickets/<uuid:uuid>/", api.ticket_status, name="api-queue-ticket"),
    path(
        "queue/tickets/<uuid:uuid>/<slug:action>/",
        api.ticket_action,
        name="api-queue-ticket-action",
    ),
    path(
        "queue/counters/<int:counter_id>/<slug:action>/",
        api.counter_action,
        name="api-queue-counter-action",
    ),
    path("queue/bookings/", api.booking_create, name="api-queue-booking"),
    path("queue/bookings/check-in/", api.booking_check_in, name="api-queue-check-in"),
    path("queue/malls/<slug:code>/board/", api.board, name="api-queue-board"),
    path("queue/malls/<slug:code>/tickets/", api.MallTicketList.as_view(), name="api-queue-day"),
]
