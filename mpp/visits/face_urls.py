# Face check-in at the kiosk (issue 6): mpp/visits/face_checkin.py; at the reception desk,
# by an officer on the visitor's behalf: mpp/visits/face_desk.py.
from django.urls import path

from . import face_checkin as views
from . import face_desk as desk

urlpatterns = [
    path("<slug:code>/kiosk/face/", views.kiosk_face, name="kiosk_face"),
    path("<slug:code>/kiosk/face/code/", views.kiosk_face_code, name="kiosk_face_code"),
    path(
        "<slug:code>/kiosk/face/<uuid:uuid>/camera/",
        views.kiosk_face_camera,
        name="kiosk_face_camera",
    ),
    path(
        "<slug:code>/kiosk/face/<uuid:uuid>/frames/",
        views.kiosk_face_frames,
        name="kiosk_face_frames",
    ),
    path("<slug:code>/kiosk/face/<uuid:uuid>/", views.kiosk_face_hello, name="kiosk_face_hello"),
    path(
        "<slug:code>/kiosk/face/<uuid:uuid>/code/",
        views.kiosk_face_second,
        name="kiosk_face_second",
    ),
    path(
        "<slug:code>/kiosk/face/<uuid:uuid>/issue/", views.kiosk_face_issue, name="kiosk_face_issue"
    ),
    path("desk/face/", desk.desk_face, name="desk_face"),
    path("desk/face/code/", desk.desk_face_code, name="desk_face_code"),
    path("desk/face/<uuid:uuid>/camera/", desk.desk_face_camera, name="desk_face_camera"),
    path("desk/face/<uuid:uuid>/frames/", desk.desk_face_frames, name="desk_face_frames"),
    path("desk/face/<uuid:uuid>/", desk.desk_face_hello, name="desk_face_hello"),
    path("desk/face/<uuid:uuid>/issue/", desk.desk_face_issue, name="desk_face_issue"),
]
