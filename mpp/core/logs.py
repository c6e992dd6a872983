"""Structured logs: one JSON object per line (python-json-logger), one line per request
and per worker batch (mpp.core.workers). Nothing personal: the request line carries the
user's id, never a name, and the URL pattern, never the path or query string (which may
hold a ticket's uuid or a search term)."""

import logging
import re
import time
import uuid

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from .logredact import redact

logger = logging.getLogger("mpp.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class JsonFormatter(_JsonFormatter):
    """Time, level, logger and message, then whatever the call passed in `extra`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "{asctime}{levelname}{name}{message}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level"})
        kwargs.setdefault("json_ensure_ascii", False)  # names and messages stay readable
        super().__init__(*args, **kwargs)

    def format(self, record):
        # Fields passed in `extra` (Django's `request`, with its query string) are added to
        # the record after the redacting record factory ran: redact the whole line.
        return redact(super().format(record))

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + (
            f".{int(record.msecs):03d}Z"
        )


def request_mall_code(request) -> str:
    """The mall a request is about: the URL's mall code, or the signed-in device's mall."""
    match = getattr(request, "resolver_match", None)
    if match and isinstance(match.kwargs.get("code"), str) and match.kwargs["code"]:
        return match.kwargs["code"][:40]
    device = getattr(request, "device", None)
    mall = getattr(device, "mall", None)
    return getattr(mall, "code", "") or ""


class RequestLogMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when well-formed, else a new
    one), answers with it, and logs one line when the response is ready."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        logger.info(
            "request",
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "route": match.route if match else "",
                "view": match.view_name if match else "",
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "mall": request_mall_code(request),
            },
        )
        return response
