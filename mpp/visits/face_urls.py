# Face check-in at the kiosk (issue 6): filled in by the face check-in views.
urlpatterns: list = []
