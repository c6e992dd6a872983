from django.urls import path

from . import api

urlpatterns = [
    path("quality/ikm/", api.ikm_table, name="api-quality-ikm"),
    path("quality/scorecards/", api.scorecards, name="api-quality-scorecards"),
    path("quality/malls/<slug:code>/", api.mall_quality, name="api-quality-mall"),
    path(
        "quality/malls/<slug:code>/legacy-reports/",
        api.legacy_reports,
        name="api-quality-legacy-reports",
    ),
    path(
        "quality/malls/<slug:code>/empty-counters/",
        api.empty_counters,
        name="api-quality-empty-counters",
    ),
    path("quality/responses/", api.survey_response_create, name="api-quality-response-create"),
    path("quality/responses/list/", api.SurveyResponseList.as_view(), name="api-quality-responses"),
    path("quality/complaints/", api.complaint_create, name="api-quality-complaint-create"),
    path("quality/complaints/list/", api.ComplaintList.as_view(), name="api-quality-complaints"),
    path("quality/complaints/<str:code>/", api.complaint_track, name="api-quality-complaint-track"),
]
