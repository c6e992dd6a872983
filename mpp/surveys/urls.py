from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("survey/<uuid:uuid>/", views.ticket_survey, name="ticket_survey"),
    path("ikm/", views.ikm_table, name="ikm_table"),
    path("report/", views.skm_report, name="skm_report"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("complaints/track/", views.complaint_track, name="complaint_track"),
    path("complaints/<str:code>/", views.complaint_status, name="complaint_status"),
    path("manage/complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("manage/<slug:code>/complaints/", views.complaint_list, name="complaint_list"),
    path(
        "manage/<slug:code>/complaints/new/",
        views.complaint_officer_new,
        name="complaint_officer_new",
    ),
    path("manage/<slug:code>/responses/", views.response_list, name="response_list"),
    path("manage/<slug:code>/responses/paper/", views.paper_entry, name="paper_entry"),
    path("manage/<slug:code>/legacy/", views.legacy_reports, name="legacy_reports"),
    path("manage/<slug:code>/compliance/", views.compliance_page, name="compliance"),
    path(
        "manage/<slug:code>/compliance/empty-counters/",
        views.empty_counters_fragment,
        name="empty_counters",
    ),
    path("<slug:code>/", views.mall_quality, name="mall_quality"),
    path("<slug:code>/survey/", views.mall_survey, name="mall_survey"),
    path("<slug:code>/survey/<slug:slug>/", views.mall_service_survey, name="mall_service_survey"),
    path("<slug:code>/survey-done/", views.thanks, name="thanks"),
    path("<slug:code>/complaint/", views.complaint_new, name="complaint_new"),
]
