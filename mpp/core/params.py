"""Reading ids from forms and query strings: a malformed value is "no such thing" (a clear
refusal or a 404 upstream), never a ValueError that becomes a 500."""

from uuid import UUID


def pk_or_none(value) -> int | None:
    """A primary key, or None when it is missing or not a whole number."""
    value = str(value if value is not None else "").strip()
    return int(value) if value.isdigit() else None


def uuid_or_none(value) -> UUID | None:
    try:
        return UUID(str(value or ""))
    except ValueError:
        return None


class NulInQueryRefusedMiddleware:
    """A NUL character in a query string is refused with a 400 before any view reads it:
    PostgreSQL cannot store or compare text with NUL (psycopg raises, a 500), and no
    legitimate link carries one. Form and JSON fields are already refused by Django's and
    DRF's character fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # QUERY_STRING is the raw, still percent-encoded string: a NUL can only come as %00.
        if "%00" in request.META.get("QUERY_STRING", ""):
            return self.refusal(request)
        return self.get_response(request)

    @staticmethod
    def refusal(request):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext as _

        message = _("The address contains a null character; remove it and try again.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
