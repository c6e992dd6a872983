"""Reads that may come from a PostgreSQL hot standby (DATABASE_REPLICA_URL): the weekly
report, dashboards, open data and exports, and nothing else. Views opt in with
@replica_reads; everything else, every write and the queue stay on the primary.

Read-your-own-write: a request that wrote (POST, …) marks the browser for
REPLICA_STICKY_SECONDS, and its next pages read the primary; inside a request, a write or an
open transaction sends the following reads to the primary too. A replica that does not
answer is skipped for a few seconds, so pages keep coming from the primary."""

import contextvars
import functools
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
STICKY_COOKIE = "mpp_primary"
DOWN_RETRY_SECONDS = 5.0

logger = logging.getLogger(__name__)
_reading = contextvars.ContextVar("mpp_replica_reading", default=False)
_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_status() -> dict:
    """Ask the replica how far behind it is: {"lag_seconds", "data_as_of"} (lag 0 when it
    has replayed everything the primary wrote). Raises when it does not answer."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), "
            "pg_last_xact_replay_timestamp(), now()"
        )
        in_recovery, replayed, replayed_at, now = cursor.fetchone()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    if not in_recovery:
        raise RuntimeError("the replica is not in recovery (not a standby)")
    caught_up = replayed is not None and _lsn(replayed) >= _lsn(written)
    lag = 0.0 if caught_up or replayed_at is None else (now - replayed_at).total_seconds()
    return {"lag_seconds": round(max(lag, 0.0), 3), "data_as_of": now if caught_up else replayed_at}


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_usable() -> bool:
    """True when the replica answers now; a failure benches it for DOWN_RETRY_SECONDS."""
    global _down_until
    if not replica_configured() or time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
        return True
    except Exception as error:  # noqa: BLE001 - any failure means: read the primary
        _down_until = time.monotonic() + DOWN_RETRY_SECONDS
        connections[REPLICA].close()
        logger.warning("replica unavailable, reading the primary", extra={"error": str(error)})
        return False


@contextmanager
def reading_replica(enabled: bool = True):
    """Inside, reads go to the replica (the router's rules apply); callers check
    replica_usable() first. For views use @replica_reads."""
    token = _reading.set(enabled)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view):
    """Serve this read-only view from the replica when there is one, it answers, and the
    visitor did not just write. The response says where it read (X-Data-Source) and, from
    the replica, `request.data_as_of` is set for the page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.data_source = "primary"
        if (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and STICKY_COOKIE not in request.COOKIES
            and replica_usable()
        ):
            try:
                request.data_as_of = replica_status()["data_as_of"]
            except Exception:  # noqa: BLE001 - a replica failing now: read the primary
                request.data_as_of = None
            else:
                request.data_source = REPLICA
        with reading_replica(request.data_source == REPLICA):
            response = view(request, *args, **kwargs)
        response["X-Data-Source"] = request.data_source
        return response

    return wrapper


class ReplicaRouter:
    """Reads go to the replica only inside @replica_reads, outside a transaction and before
    any write of the same request."""

    def db_for_read(self, model, **hints):
        if _reading.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        if _reading.get():
            _reading.set(False)  # read your own write: the rest of this request reads the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """After a request that may have written, read the primary for a few seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
