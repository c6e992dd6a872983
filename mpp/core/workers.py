"""The one loop every background worker runs: do a batch, record a heartbeat, log one
structured line per batch, sleep (beating while asleep, so a worker with a long interval is
still seen alive), repeat. Workers are management commands with `--loop`."""

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger("mpp.workers")
_stop = threading.Event()


def due_rows_claim(due, *, batch: int, lease_until) -> list:
    """Claim up to `batch` rows of an outbox queryset (`due`: pending, due now, in order) for
    one worker: rows another worker holds are skipped (SKIP LOCKED where the database has
    it), and each claimed row's `send_after` moves to `lease_until`, so a worker that dies
    mid-batch gives its rows back when the lease runs out."""
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due[:batch])
        if rows:
            due.model.objects.filter(pk__in=[row.pk for row in rows]).update(send_after=lease_until)
    return rows


def worker_stopping() -> bool:
    """True once the worker was asked to stop (SIGTERM): a batch that checks it between
    items finishes the item in hand, releases the rest and returns."""
    return _stop.is_set()


def _on_sigterm(signum, frame) -> None:
    _stop.set()


def heartbeat_record(*, worker: str, batch: dict | None = None) -> None:
    """Mark `worker` alive now; with `batch` (counts of what the batch did), also its result."""
    now = timezone.now()
    values = {"beat_at": now, "host": socket.gethostname()[:200], "pid": os.getpid()}
    if batch is not None:
        values |= {"last_batch_at": now, "last_batch": batch}
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults=values)


def worker_run(
    *,
    worker: str,
    batch: Callable[[], dict],
    interval: float,
    loop: bool,
    report: Callable[[dict], None] | None = None,
) -> None:
    """Run `batch()` once, or forever every `interval` seconds with `loop`. `batch` returns
    counts (no personal data: they go to the log); `report` prints them for the operator.
    SIGTERM (systemd, honcho, a rolling restart) ends the loop after the batch in hand."""
    if not (loop and threading.current_thread() is threading.main_thread()):
        return _worker_loop(worker=worker, batch=batch, interval=interval, loop=loop, report=report)
    _stop.clear()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _worker_loop(worker=worker, batch=batch, interval=interval, loop=loop, report=report)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _worker_loop(*, worker, batch, interval, loop, report) -> None:
    beat_every = max(1.0, float(settings.WORKER_HEARTBEAT_SECONDS))
    while True:
        started = time.monotonic()
        try:
            counts = batch()
        except Exception as error:
            if not loop:
                raise
            # A loop outlives a failing batch (a mail server down): /readyz names the worker
            # until a batch succeeds again, and the next pass retries.
            counts = None
            failure = {"error": type(error).__name__}
            logger.exception("worker batch failed", extra={"worker": worker} | failure)
            heartbeat_record(worker=worker, batch=failure)
        if counts is not None:
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            heartbeat_record(worker=worker, batch=counts)
            # A pass that found nothing to do logs at DEBUG: a quiet night is not news.
            logger.log(
                logging.INFO if any(counts.values()) else logging.DEBUG,
                "worker batch",
                extra={"worker": worker, "duration_ms": duration_ms, "counts": counts},
            )
            if report:
                report(counts)
        if not loop:
            return
        if _stop.is_set():
            logger.info("worker stopped", extra={"worker": worker})
            return
        close_old_connections()  # reconnect after a database restart instead of dying
        wake_at = time.monotonic() + interval
        while (left := wake_at - time.monotonic()) > 0:
            if _stop.wait(min(left, beat_every)):
                break
            if wake_at - time.monotonic() > 0:
                close_old_connections()
                heartbeat_record(worker=worker)
        if _stop.is_set():
            logger.info("worker stopped", extra={"worker": worker})
            return
