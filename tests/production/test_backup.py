"""Backups you can restore: the nightly pg_dump of the production database restores into a
new database, whose access log verifies and whose weekly report renders, with the keys kept
apart from the dump (docs/operations.md, "Backups"). Without the keys the restore is of no
use: the access log no longer verifies."""

import base64
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mpp.monitoring.weeks import IsoWeek

from .conftest import ENV_FILE, ROOT, production_only

pytestmark = [
    production_only,
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump not installed"),
]


def deploy_env() -> dict:
    if not ENV_FILE:
        pytest.skip("MPP_PRODUCTION_ENV is not set")
    env = {}
    for line in Path(ENV_FILE).read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value.strip('"')
    return env


def run(args, env=None, check=True):
    done = subprocess.run(  # noqa: S603 - fixed arguments
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert done.returncode == 0, (args, done.stdout[-1000:], done.stderr[-2000:])
    return done


@pytest.fixture
def restored(tmp_path):
    env = deploy_env()
    source = env["DATABASE_URL"]
    server, name = source.rsplit("/", 1)
    target = f"{name}_restore_test"
    dump = tmp_path / "mpp.dump"
    run(["pg_dump", "-Fc", "-f", str(dump), source])
    run(["psql", f"{server}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{target}"'])
    run(["psql", f"{server}/postgres", "-qc", f'CREATE DATABASE "{target}"'])
    run(["pg_restore", "--no-owner", "-d", f"{server}/{target}", str(dump)])
    yield {**os.environ, **env, "DATABASE_URL": f"{server}/{target}"}
    run(["psql", f"{server}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{target}"'])


def manage(env, *args, check=True):
    return run([sys.executable, "manage.py", *args], env=env, check=check)


def test_a_restored_dump_verifies_and_reports(restored, tmp_path):
    checked = manage(restored, "verify_access_log")
    assert "The access log is intact." in checked.stdout
    count = int(checked.stdout.split(" records checked")[0].replace(",", ""))
    assert count > 0, "the deploy holds no access log records: nothing was verified"
    pdf = tmp_path / "report.pdf"
    week = str(IsoWeek.last_complete())
    manage(restored, "weekly_report", "--week", week, "--format", "pdf", "--out", str(pdf))
    assert pdf.read_bytes()[:4] == b"%PDF"
    # The restored database is complete: nothing left to migrate.
    plan = manage(restored, "migrate", "--plan")
    assert "No planned migration operations." in plan.stdout


def test_without_the_access_log_key_the_restore_does_not_verify(restored):
    other_key = base64.b64encode(secrets.token_bytes(32)).decode()
    done = manage(restored | {"ACCESS_LOG_KEY": other_key}, "verify_access_log", check=False)
    assert done.returncode == 1
    assert "tampered" in done.stderr
