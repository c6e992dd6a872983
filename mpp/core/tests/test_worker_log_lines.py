"""A worker logs one INFO line per batch that did something and only a DEBUG line for an
idle pass (issue 14: one line per worker batch; a quiet night is not news). Production logs
at INFO, so an idle loop writes nothing; a failing batch is an ERROR line with its reason."""

import logging

import pytest

from mpp.core import workers
from mpp.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def run_passes(monkeypatch, results: list) -> None:
    """Run the loop once per result (a dict of counts, or an exception to raise)."""
    pending = list(results)

    def batch():
        if not pending:
            raise KeyboardInterrupt  # not an Exception: it ends the loop, as Ctrl-C does
        result = pending.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    # The loop reconnects between passes; the test's own transaction must stay open.
    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    with pytest.raises(KeyboardInterrupt):
        workers.worker_run(worker="test", batch=batch, interval=0, loop=True)


def worker_lines(caplog) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "mpp.workers"]


def test_idle_passes_log_at_debug_and_a_pass_with_work_at_info(monkeypatch, caplog):
    idle = {"sent": 0, "failed": 0, "released": 0}
    with caplog.at_level(logging.DEBUG, logger="mpp.workers"):
        run_passes(monkeypatch, [idle, {"sent": 3, "failed": 0, "released": 0}, idle])
    assert worker_lines(caplog) == [
        (logging.DEBUG, "worker batch"),
        (logging.INFO, "worker batch"),
        (logging.DEBUG, "worker batch"),
    ]
    assert WorkerHeartbeat.objects.get(worker="test").last_batch == idle


def test_at_the_production_level_an_idle_loop_writes_no_line(monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger="mpp.workers"):
        run_passes(monkeypatch, [{"created": [], "detached": []}] * 3)
    assert worker_lines(caplog) == []


def test_a_failing_batch_is_one_error_line_and_the_loop_goes_on(monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger="mpp.workers"):
        run_passes(monkeypatch, [ConnectionError("smtp down"), {"sent": 1}])
    assert worker_lines(caplog) == [
        (logging.ERROR, "worker batch failed"),
        (logging.INFO, "worker batch"),
    ]
