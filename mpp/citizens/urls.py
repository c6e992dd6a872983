from django.urls import path

from .views import citizen, faces, officer

app_name = "citizens"

urlpatterns = [
    path("", citizen.home, name="home"),
    path("register/", citizen.register, name="register"),
    path("register/<uuid:uuid>/", citizen.register_confirm, name="register_confirm"),
    path("profile/", citizen.profile_edit, name="profile_edit"),
    path("documents/", citizen.document_add, name="document_add"),
    path("documents/<uuid:uuid>/", citizen.document_download, name="document_download"),
    path("consents/", citizen.consents, name="consents"),
    path("consents/<uuid:uuid>/revoke/", citizen.consent_revoke, name="consent_revoke"),
    path("access-log/", citizen.access_log, name="access_log"),
    path("export.json", citizen.export_json, name="export_json"),
    path("export.pdf", citizen.export_pdf, name="export_pdf"),
    path("erase/", citizen.erase, name="erase"),
    path("applications/", citizen.applications, name="applications"),
    path("applications/<uuid:uuid>/", citizen.application, name="application"),
    path("apply/<slug:code>/", citizen.apply_choose, name="apply_choose"),
    path("apply/<slug:code>/<slug:slug>/", citizen.apply_start, name="apply_start"),
    path("face/", faces.face_mine, name="face_mine"),
    path("officer/", officer.officer_home, name="officer_home"),
    path("officer/citizens/<uuid:uuid>/face/", faces.officer_face, name="officer_face"),
    path(
        "officer/citizens/<uuid:uuid>/face/frames/",
        faces.officer_face_frames,
        name="officer_face_frames",
    ),
    path(
        "officer/citizens/<uuid:uuid>/delegation/face/",
        faces.officer_delegation_face,
        name="officer_delegation_face",
    ),
    path(
        "officer/citizens/<uuid:uuid>/delegation/face/<uuid:check>/",
        faces.officer_delegation_face_camera,
        name="officer_delegation_face_camera",
    ),
    path(
        "officer/citizens/<uuid:uuid>/delegation/face/<uuid:check>/frames/",
        faces.officer_delegation_face_frames,
        name="officer_delegation_face_frames",
    ),
    path("officer/face-duplicates/", faces.face_duplicates, name="face_duplicates"),
    path("officer/citizens/<uuid:uuid>/", officer.officer_citizen, name="officer_citizen"),
    path(
        "officer/citizens/<uuid:uuid>/documents/<uuid:document_uuid>/",
        officer.officer_document,
        name="officer_document",
    ),
    path(
        "officer/citizens/<uuid:uuid>/documents/<uuid:document_uuid>/verify/",
        officer.officer_document_verify,
        name="officer_document_verify",
    ),
    path(
        "officer/citizens/<uuid:uuid>/delegation/",
        officer.officer_delegation_request,
        name="officer_delegation_request",
    ),
    path(
        "officer/citizens/<uuid:uuid>/delegation/confirm/",
        officer.officer_delegation_confirm,
        name="officer_delegation_confirm",
    ),
    path(
        "officer/citizens/<uuid:uuid>/apply/<slug:slug>/",
        officer.officer_apply,
        name="officer_apply",
    ),
    path("officer/applications/", officer.officer_applications, name="officer_applications"),
    path(
        "officer/applications/<uuid:uuid>/",
        officer.officer_application,
        name="officer_application",
    ),
    path("manage/<slug:code>/overdue/", officer.overdue, name="overdue"),
    path(
        "manage/<slug:code>/break-glass/",
        officer.break_glass_review,
        name="break_glass_review",
    ),
]
