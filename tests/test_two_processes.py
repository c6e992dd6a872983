"""Limits hold across processes: two real server processes share one database (and so
the shared cache); complaints from one address alternate between them and the 11th is
refused, whichever process answers."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def server_processes(count: int, env_extra: dict):
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "True", **env_extra}
    ports = [_free_port() for _ in range(count)]
    procs = [
        subprocess.Popen(  # noqa: S603 (fixed arguments)
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:  # wait until each answers (state, not a fixed sleep)
            for _ in range(600):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/", timeout=5)  # noqa: S310
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                pytest.fail(f"server on port {port} did not start")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def _post_json(url: str, payload: dict) -> int:
    request = urllib.request.Request(  # noqa: S310
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_the_eleventh_complaint_is_refused_whichever_process_answers():
    call_command("load_reference_data", skip_villages=True, verbosity=0)
    complaint = {"mall": "mpp-6202", "category": "fee", "description": "Diminta uang tambahan."}
    with server_processes(2, {"SURVEYS_COMPLAINT_POSTS_PER_HOUR": "10"}) as (one, two):
        statuses = [
            _post_json(f"{(one, two)[i % 2]}/api/v1/quality/complaints/", complaint)
            for i in range(10)
        ]
        assert statuses == [201] * 10
        assert _post_json(f"{one}/api/v1/quality/complaints/", complaint) == 429
        assert _post_json(f"{two}/api/v1/quality/complaints/", complaint) == 429
