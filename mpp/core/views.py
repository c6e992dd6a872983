from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .health import metrics_allowed, readiness


@never_cache
def healthz(request):
    """Liveness for load balancers: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: every check by name; 503 naming each failure when one fails ("degraded"
    and 200 when only a non-critical one does: the replica)."""
    ok, checks = readiness()
    status = "fail" if not ok else "ok" if all(c["ok"] for c in checks.values()) else "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ok else 503)


@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


DATABASE_DOWN_RETRY_SECONDS = 5


def server_error(request, *args, **kwargs):
    """handler500. When the database cannot be reached (a restart, a failover) the visitor
    and the kiosk get a 503 "try again" with Retry-After, not a 500: nothing was written
    (each write is one transaction) and the next request reconnects. The page is built
    without templates or context processors: they would need the database too."""
    import sys
    from html import escape

    from django.db import InterfaceError, OperationalError
    from django.utils.translation import gettext as _
    from django.views.defaults import server_error as default_server_error

    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return default_server_error(request, *args, **kwargs)
    detail = _("The service is briefly unavailable. Please try again in a moment.")
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"code": "unavailable", "field": None, "detail": detail}, status=503
        )
    else:
        refresh = f"{DATABASE_DOWN_RETRY_SECONDS}"
        back = _page_to_retry(request)
        if back:
            refresh += f"; url={back}"
        response = HttpResponse(
            f'<!doctype html><html lang="{escape(getattr(request, "LANGUAGE_CODE", "id"))}">'
            f'<meta charset="utf-8"><meta http-equiv="refresh" '
            f'content="{escape(refresh)}"><title>{escape(detail)}</title>'
            f"<p>{escape(detail)}</p></html>",
            status=503,
        )
    response["Retry-After"] = str(DATABASE_DOWN_RETRY_SECONDS)
    return response


def _page_to_retry(request) -> str:
    """Where the 503 page goes back to: the same address for a GET; after a form was sent
    (the kiosk's "take a number"), the page the form came from, since reloading a POST-only
    address with GET would land on an error. Only an address on this site."""
    if request.method in ("GET", "HEAD"):
        return ""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_failure(request, reason=""):
    """A form sent with a missing or stale security token (an old tab, a tampered form): a
    translated page asking to reload and try again, instead of Django's bare English 403.
    The reason stays in the log, not on the page."""
    return render(request, "csrf_failure.html", status=403)
