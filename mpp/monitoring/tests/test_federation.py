"""Federation: a regency's instance reports its mall to the national instance by itself.

The two-server test runs two real instances with two databases: the national one on the
test database, the regency's on its own SQLite file. A queue system posts visits to the
regency's server; `push_to_national --loop` carries the closed days to the national server;
the national weekly report then shows the regency's mall, once however often it is sent."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from mpp.registry.models import Mall
from tests.processes import database_url, free_port, manage, web_running

from ..federation import mall_push, national_push_run
from ..models import NationalPush
from ..report import ReportOptions, weekly_report_build
from ..services import system_token_issue
from ..weeks import IsoWeek

ROOT = Path(__file__).resolve().parents[3]
PORTS = range(8160, 8170)  # this issue's range


def _post(url: str, token: str, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def _sampit_visits(week: IsoWeek) -> int | None:
    report = weekly_report_build(week=week, options=ReportOptions(quality=False))
    return next(m for m in report["malls"] if m["code"] == "mpp-6202")["visits"]


@pytest.mark.django_db(transaction=True)
def test_a_regency_instance_reports_its_mall_to_the_national_instance(tmp_path):
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    national_mall = Mall.objects.get(code="mpp-6202")
    _device, national_token = system_token_issue(mall=national_mall, name="Kotawaringin", by=None)
    week = IsoWeek.last_complete()
    assert _sampit_visits(week) is None

    base = {k: v for k, v in os.environ.items() if k not in ("NATIONAL_URL",)}
    base |= {"DEBUG": "True", "CACHE_URL": "", "INGEST_REQUESTS_PER_MINUTE": "1000"}
    regency_env = base | {"DATABASE_URL": f"sqlite:///{tmp_path / 'regency.sqlite3'}"}
    national_env = base | {"DATABASE_URL": database_url()}
    manage(regency_env, "migrate", "-v0")
    manage(regency_env, "load_reference_data", "--skip-villages", "-v0")
    regency_token = manage(
        regency_env,
        "shell",
        "-v",
        "0",
        "-c",
        "from mpp.monitoring.tests.conftest import service_for;"
        "from mpp.monitoring.services import system_token_issue;"
        "from mpp.registry.models import Mall;"
        "m = Mall.objects.get(code='mpp-6202'); service_for(m);"
        "print(system_token_issue(mall=m, name='SIMPEL', by=None)[1])",
    ).split()[-1]

    national_port = free_port(PORTS)
    regency_port = free_port(PORTS, taken={national_port})
    with (
        web_running(port=national_port, env=national_env) as national,
        web_running(port=regency_port, env=regency_env) as regency,
    ):
        # The mall's queue system reports 5 visits on the week's Tuesday to the regency.
        tuesday = week.monday + timedelta(days=1)
        events = [
            {
                "key": f"v{i}",
                "service": "ktp-el",
                "status": "served",
                "issued_at": f"{tuesday}T09:0{i}:00+07:00",
                "called_at": f"{tuesday}T09:1{i}:00+07:00",
                "started_at": f"{tuesday}T09:1{i}:00+07:00",
                "finished_at": f"{tuesday}T09:2{i}:00+07:00",
            }
            for i in range(5)
        ]
        assert (
            _post(f"{regency}/api/v1/ingest/visits", regency_token, {"events": events})["inserted"]
            == 5
        )

        push_env = regency_env | {
            "NATIONAL_URL": national,
            "NATIONAL_PUSH_TOKENS": json.dumps({"mpp-6202": national_token}),
            "NATIONAL_PUSH_RESEND_DAYS": "14",  # the resend covers the Tuesday
        }
        loop = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", "push_to_national", "--loop", "--interval", "1"],
            cwd=ROOT,
            env=push_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Wait on the national report's state: the regency's visits arrive.
            for _ in range(1200):
                if _sampit_visits(week) is not None:
                    break
                time.sleep(0.1)
            assert _sampit_visits(week) == 5
        finally:
            loop.terminate()
            loop.wait(timeout=30)
        # Another pass resends the recent closed days: still counted once.
        manage(push_env, "push_to_national")
        assert _sampit_visits(week) == 5
        state = "from mpp.monitoring.models import NationalPush as P; p = P.objects.get(); "
        state += "print(p.sent_through, p.failures, repr(p.last_error))"
        sent_through, failures, error = manage(push_env, "shell", "-v", "0", "-c", state).split()
        local_today = timezone.now().astimezone(national_mall.tz).date()
        assert sent_through == str(local_today - timedelta(days=1))
        assert failures == "0" and error == "''"


@pytest.mark.django_db
@override_settings(
    NATIONAL_URL="http://127.0.0.1:8169",  # nothing listens there
    NATIONAL_PUSH_TOKENS={"mpp-6202": "x"},
    NATIONAL_PUSH_RETRY_SECONDS=30,
    NATIONAL_PUSH_MAX_BACKOFF_SECONDS=100,
)
def test_a_failed_push_is_kept_as_the_last_error_and_retried_with_back_off(
    client, mall_sampit, mall_manager_sampit
):
    now = timezone.now()
    assert national_push_run(now=now) == {"malls": 1, "days": 0, "failed": 0}  # nothing to send
    from .conftest import service_for, visits

    visits(service_for(mall_sampit), mall_sampit.local_now().date() - timedelta(days=2), 3)
    from mpp.visits.rollups import rollups_rebuild

    rollups_rebuild()
    NationalPush.objects.all().delete()
    assert national_push_run(now=now)["failed"] == 1
    push = NationalPush.objects.get()
    assert push.sent_through is None and push.failures == 1 and push.last_error
    assert push.next_attempt_at == now + timedelta(seconds=30)
    # Not due yet: skipped; then each failure doubles the wait, up to the maximum.
    assert mall_push(mall=mall_sampit, token="x", now=now + timedelta(seconds=10))["skipped"]
    for step, wait in [(1, 60), (2, 100), (3, 100)]:
        moment = now + timedelta(hours=step)
        mall_push(mall=mall_sampit, token="x", now=moment)
        push.refresh_from_db()
        assert push.next_attempt_at == moment + timedelta(seconds=wait)
    # The mall manager sees the state.
    client.force_login(mall_manager_sampit)
    page = client.get(f"/monitoring/tokens/{mall_sampit.code}/").content.decode()
    assert 'data-testid="national-push"' in page and push.last_error[:20] in page
