"""Readiness (/readyz) and metrics (/metrics). Core checks what it owns (database, cache,
migrations, worker heartbeats, replica); apps register their own checks and collectors in
AppConfig.ready() (visits: the outbox; monitoring: the domain gauges), so imports keep
flowing one way."""

import ipaddress
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat

# name → function returning a dict with "ok" (bool) and details; an exception is a failure.
READINESS_CHECKS: dict[str, Callable[[], dict]] = {}
_migrations_applied = False  # once true, stays true for this process (a deploy restarts it)


def readiness_check(name: str):
    def register(function):
        READINESS_CHECKS[name] = function
        return function

    return register


def readiness() -> tuple[bool, dict]:
    """Run every check; (all ok, {name: result}). A failing check never hides the others."""
    results = {}
    for name, check in READINESS_CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # noqa: BLE001 - report every failure by name
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    # A non-critical failure (the replica: pages fall back to the primary) is named but
    # does not take this web process out of the load balancer.
    return all(r["ok"] or r.get("critical") is False for r in results.values()), results


@readiness_check("database")
def _database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


@readiness_check("cache")
def _cache() -> dict:
    value = secrets.token_hex(8)
    cache.set("readyz:probe", value, 30)
    if cache.get("readyz:probe") != value:
        return {"ok": False, "error": "the cache did not return what was just stored"}
    return {"ok": True}


@readiness_check("migrations")
def _migrations() -> dict:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
            return {"ok": False, "error": "migrations not applied", "pending": names[:20]}
        _migrations_applied = True
    return {"ok": True}


@readiness_check("replica")
def _replica() -> dict:
    from .replica import replica_configured, replica_status

    if not replica_configured():
        return {"ok": True, "configured": False}
    try:
        status = replica_status()
    except Exception as error:  # noqa: BLE001 - named, and the pages read the primary
        return {
            "ok": False,
            "critical": False,
            "error": f"replica unreachable: {type(error).__name__}: {error}"[:300],
        }
    limit = settings.READY_REPLICA_LAG_SECONDS
    result = {
        "ok": status["lag_seconds"] <= limit,
        "critical": False,
        "lag_seconds": status["lag_seconds"],
        "data_as_of": status["data_as_of"].isoformat() if status["data_as_of"] else None,
    }
    if not result["ok"]:
        result["error"] = f"replica {status['lag_seconds']:.0f} s behind (limit {limit} s)"
    return result


@readiness_check("workers")
def _workers() -> dict:
    now = timezone.now()
    limit = settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    beats = {
        worker: (beat_at, last_batch)
        for worker, beat_at, last_batch in WorkerHeartbeat.objects.filter(
            worker__in=settings.READY_WORKERS
        ).values_list("worker", "beat_at", "last_batch")
    }
    ages, failures = {}, []
    for worker in settings.READY_WORKERS:
        if worker not in beats:
            failures.append(f"{worker}: never seen")
            continue
        beat_at, last_batch = beats[worker]
        ages[worker] = round((now - beat_at).total_seconds(), 1)
        if ages[worker] > limit:
            failures.append(f"{worker}: last heartbeat {ages[worker]:.0f} s ago (limit {limit} s)")
        if isinstance(last_batch, dict) and last_batch.get("error"):
            failures.append(f"{worker}: last batch failed ({last_batch['error']})")
    result = {"ok": not failures, "age_seconds": ages}
    if failures:
        result["error"] = "; ".join(failures)
    return result


def metrics_allowed(request) -> bool:
    """The bearer token, or a client address in METRICS_ALLOWED_NETWORKS that did not come
    through the reverse proxy."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return secrets.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    if "X-Forwarded-For" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for network in settings.METRICS_ALLOWED_NETWORKS:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


# Metrics: functions yielding prometheus_client metric families, registered by apps.
METRICS_SOURCES: list[Callable] = []


def metrics_source(function):
    METRICS_SOURCES.append(function)
    return function


class DomainCollector:
    """Asks every registered source at each scrape: the numbers come from the database, so
    every web process answers the same whatever process served earlier requests."""

    def describe(self):
        return []  # registering must not query the database (it may not exist yet)

    def collect(self):
        for source in METRICS_SOURCES:
            yield from source()


@metrics_source
def _worker_metrics():
    from prometheus_client.core import GaugeMetricFamily

    now = timezone.now()
    gauge = GaugeMetricFamily(
        "mpp_worker_heartbeat_age_seconds",
        "Seconds since each worker's last heartbeat.",
        labels=["worker"],
    )
    for worker, beat_at in WorkerHeartbeat.objects.values_list("worker", "beat_at"):
        gauge.add_metric([worker], (now - beat_at).total_seconds())
    yield gauge
