from django.urls import path

from mpp.core.replica import replica_reads

from . import api

urlpatterns = [
    path(
        "reports/weekly/<str:week>/",
        replica_reads(api.WeeklyReportView.as_view()),
        name="api-weekly-report",
    ),
    path("reports/subscription/", api.SubscriptionView.as_view(), name="api-subscription"),
    path(
        "open-data/weekly/<str:week>/",
        replica_reads(api.OpenDataWeekView.as_view()),
        name="api-open-data-week",
    ),
    path(
        "ingest/daily-counts",
        api.DailyCountsIngestView.as_view(),
        name="api-ingest-daily-counts",
    ),
    path("ingest/visits", api.VisitEventsIngestView.as_view(), name="api-ingest-visits"),
]
