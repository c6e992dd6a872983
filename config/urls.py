from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Resolved top to bottom, and the prefixes do not overlap: the queue's pages (kiosk taps,
# board polls, counter consoles: most requests a mall makes) come first.
urlpatterns = [
    path("queue/", include("mpp.visits.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("mpp.accounts.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("mpp.registry.api_urls")),
    path("api/v1/", include("mpp.citizens.api_urls")),
    path("api/v1/", include("mpp.visits.api_urls")),
    path("api/v1/", include("mpp.surveys.api_urls")),
    path("api/v1/", include("mpp.monitoring.api_urls")),
    path("api/v1/", include("mpp.identity.api_urls")),
    path("oidc/", include("mpp.identity.urls")),
    path("", include("mpp.core.urls")),
    path("", include("mpp.registry.urls")),
    path("citizen/", include("mpp.citizens.urls")),
    path("quality/", include("mpp.surveys.urls")),
    path("monitoring/", include("mpp.monitoring.urls")),
]

# A database that does not answer is a 503 "try again", not a 500 (mpp.core.views).
handler500 = "mpp.core.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
