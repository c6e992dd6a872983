"""/readyz names each failure with 503; /metrics carries the domain gauges and is closed to
anyone without the token or an allowed address; workers beat while they sleep."""

import json
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mpp.core import health
from mpp.core.models import WorkerHeartbeat
from mpp.core.workers import heartbeat_record
from mpp.visits.models import Notification

WORKERS = ["notifications", "summaries", "weekly_mail"]
# With DATABASE_REPLICA_URL set (CI's hot standby), /readyz also asks the replica.
pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def all_alive(db, settings):
    settings.READY_WORKERS = WORKERS
    for worker in WORKERS:
        heartbeat_record(worker=worker)


def test_ready_when_every_check_passes(client, all_alive):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "cache", "migrations", "workers", "outbox"}


def test_a_stopped_worker_and_a_stuck_outbox_are_each_named(client, all_alive, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    WorkerHeartbeat.objects.filter(worker="summaries").update(
        beat_at=timezone.now() - timedelta(minutes=5)
    )
    WorkerHeartbeat.objects.filter(worker="weekly_mail").delete()
    Notification.objects.create(
        channel="sms", address="0812", body="x", send_after=timezone.now() - timedelta(hours=1)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["workers"]["ok"] is False
    assert "summaries: last heartbeat 300 s ago (limit 60 s)" in checks["workers"]["error"]
    assert "weekly_mail: never seen" in checks["workers"]["error"]
    assert checks["outbox"]["ok"] is False and checks["outbox"]["lag_seconds"] >= 3600
    assert checks["database"]["ok"] and checks["migrations"]["ok"]


def test_an_unapplied_migration_is_named(client, all_alive, monkeypatch):
    class Migration:
        app_label, name = "visits", "9999_future"

    class Executor:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": list})()})()

        def migration_plan(self, targets):
            return [(Migration(), False)]

    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "MigrationExecutor", Executor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["pending"] == ["visits.9999_future"]


def test_a_broken_check_fails_alone_and_is_named(client, all_alive, monkeypatch):
    def broken():
        raise ConnectionError("cache server refused")

    monkeypatch.setitem(health.READINESS_CHECKS, "cache", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == {"ok": False, "error": "ConnectionError: cache server refused"}
    assert checks["database"]["ok"]


def test_metrics_answer_the_allowed_network_and_the_token_only(client, all_alive, settings):
    settings.METRICS_TOKEN = "t0ken-for-prometheus"
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    # Through the proxy, the address is the proxy's: only the token counts.
    proxied = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert proxied.status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR="192.0.2.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    right = client.get(
        "/metrics", REMOTE_ADDR="192.0.2.9", HTTP_AUTHORIZATION="Bearer t0ken-for-prometheus"
    )
    assert right.status_code == 200


def test_metrics_carry_the_domain_gauges(client, all_alive, mall_sampit):
    from mpp.registry.models import Agency, Service
    from mpp.visits.models import Ticket

    agency = Agency.objects.get(code="dukcapil")
    service = Service.objects.create(
        mall=mall_sampit, agency=agency, name="KTP-el", slug="ktp-el", ticket_prefix="A"
    )
    queued = timezone.now() - timedelta(minutes=7)
    Ticket.objects.create(
        mall=mall_sampit,
        service=service,
        agency=agency,
        prefix="A",
        number=1,
        local_date=queued.date(),
        queued_at=queued,
        sort_key=queued,
    )
    text = client.get("/metrics").content.decode()
    assert 'mpp_tickets_waiting{mall="mpp-6202"} 1.0' in text
    age = text.split('mpp_oldest_waiting_ticket_age_seconds{mall="mpp-6202"} ')[1].split()[0]
    assert 420 <= float(age) < 480
    for name in (
        "mpp_notifications_pending 0.0",
        "mpp_outbox_lag_seconds 0.0",
        "mpp_ingest_rows_per_minute 0.0",
        'mpp_worker_heartbeat_age_seconds{worker="summaries"}',
        "# TYPE mpp_counters_open gauge",
        "# TYPE mpp_face_checks_24h gauge",
        "# TYPE mpp_summary_lag_days gauge",
    ):
        assert name in text


def test_a_worker_batch_beats_and_logs_one_line_without_personal_data(db, caplog):
    with caplog.at_level(logging.DEBUG, logger="mpp.workers"):
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    beat = WorkerHeartbeat.objects.get(worker="notifications")
    assert beat.last_batch == {
        "sent": 0,
        "failed": 0,
        "dropped": 0,
        "released": 0,
        "unclaimed": 0,
        "forms_forgotten": 0,  # kiosk forms' issue claims pruned (decision 0040)
    }
    (record,) = [r for r in caplog.records if r.name == "mpp.workers"]
    assert record.worker == "notifications" and record.counts["sent"] == 0


def test_the_request_line_is_json_with_ids_but_no_path(client, citizen, caplog, settings):
    from mpp.core.logs import JsonFormatter

    client.force_login(citizen)
    with caplog.at_level(logging.INFO, logger="mpp.requests"):
        response = client.get("/queue/mpp-6202/today/?q=3174", HTTP_X_REQUEST_ID="req-12345678")
    assert response["X-Request-ID"] == "req-12345678"
    (record,) = [r for r in caplog.records if r.name == "mpp.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-12345678"
    assert line["user_id"] == citizen.pk
    assert line["mall"] == "mpp-6202"
    assert line["status"] == response.status_code
    assert line["route"] == "queue/<slug:code>/today/"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["time"].endswith("Z")
    assert "3174" not in json.dumps(line) and citizen.username not in json.dumps(line)


def test_a_malformed_request_id_is_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_a_failing_batch_does_not_stop_the_loop_and_readyz_names_it(
    client, all_alive, settings, monkeypatch
):
    from mpp.core import workers

    settings.WORKER_HEARTBEAT_SECONDS = 1
    calls = []

    def batch():
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionRefusedError("smtp down")
        raise KeyboardInterrupt  # the second pass ran: stop the test's loop here

    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    with pytest.raises(KeyboardInterrupt):
        workers.worker_run(worker="weekly_mail", batch=batch, interval=0, loop=True)
    assert len(calls) == 2
    checks = client.get("/readyz").json()["checks"]
    assert "weekly_mail: last batch failed (ConnectionRefusedError)" in checks["workers"]["error"]
    heartbeat_record(worker="weekly_mail", batch={"sent": 1, "reminded": 0})
    assert client.get("/readyz").status_code == 200
