from django.urls import include, path

from . import views

app_name = "visits"

urlpatterns = [
    path("device/", views.device_activate_view, name="device_activate"),
    # Face check-in at the kiosk (issue 6), in its own module.
    path("", include("mpp.visits.face_urls")),
    path("console/", views.console_home, name="console_home"),
    path("console/<int:counter_id>/", views.console, name="console"),
    path("console/<int:counter_id>/<slug:action>/", views.console_action, name="console_action"),
    path("t/<uuid:uuid>/", views.ticket_status, name="ticket_status"),
    path("t/<uuid:uuid>/print/", views.ticket_print, name="ticket_print"),
    path("booking/<uuid:uuid>/", views.booking_detail, name="booking_detail"),
    path("<slug:code>/kiosk/", views.kiosk, name="kiosk"),
    path("<slug:code>/kiosk/issue/", views.kiosk_issue, name="kiosk_issue"),
    path("<slug:code>/kiosk/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("<slug:code>/board/", views.board, name="board"),
    path("<slug:code>/counter/<int:counter_id>/", views.counter_display, name="counter_display"),
    path("<slug:code>/book/", views.booking_new, name="booking_new"),
    path("<slug:code>/today/", views.queue_today, name="queue_today"),
    path("<slug:code>/devices/", views.device_list, name="device_list"),
]
