from django.urls import path

from . import api

urlpatterns = [
    path("citizen/me/", api.MyProfile.as_view(), name="api-citizen-me"),
    path("citizen/me/export/", api.MyExport.as_view(), name="api-citizen-export"),
    path("citizen/me/access-log/", api.MyAccessLog.as_view(), name="api-citizen-access-log"),
    path("citizen/me/consents/", api.MyConsents.as_view(), name="api-citizen-consents"),
    path("citizen/me/face/", api.MyFace.as_view(), name="api-citizen-face"),
    path(
        "citizen/me/consents/<uuid:uuid>/revoke/",
        api.MyConsentRevoke.as_view(),
        name="api-citizen-consent-revoke",
    ),
    path(
        "citizen/me/applications/",
        api.MyApplications.as_view(),
        name="api-citizen-applications",
    ),
    path(
        "citizen/me/applications/<uuid:uuid>/",
        api.MyApplication.as_view(),
        name="api-citizen-application",
    ),
    path("agency/citizens/read/", api.AgencyCitizenRead.as_view(), name="api-agency-read"),
    path("agency/applications/", api.AgencyApplications.as_view(), name="api-agency-applications"),
    path(
        "agency/applications/<uuid:uuid>/",
        api.AgencyApplication.as_view(),
        name="api-agency-application",
    ),
    path(
        "agency/applications/<uuid:uuid>/transition/",
        api.AgencyApplicationTransition.as_view(),
        name="api-agency-application-transition",
    ),
    path(
        "applications/overdue/",
        api.OverdueApplications.as_view(),
        name="api-applications-overdue",
    ),
]
