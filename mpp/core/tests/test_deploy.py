"""The Procfile, the systemd units and /readyz's list of workers name the same processes,
and every worker command the Procfile names exists and takes --loop."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[3]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_the_procfile_runs_the_web_and_every_worker_readyz_expects():
    processes = procfile()
    assert set(processes) == {"web", *settings.READY_WORKERS}
    assert processes["web"].startswith("gunicorn config.wsgi ")
    for name in settings.READY_WORKERS:
        words = processes[name].split()
        assert words[:3] == ["python", "manage.py", words[2]] and "--loop" in words
        command = load_command_class(get_commands()[words[2]], words[2])
        parser = command.create_parser("manage.py", words[2])
        assert parser.parse_args(words[3:]).loop is True


def test_the_systemd_target_starts_the_web_and_each_worker():
    target = (ROOT / "deploy/systemd/mpp.target").read_text()
    wants = target.split("Wants=")[1].split("\n")[0].split()
    assert wants == ["mpp-web.service"] + [
        f"mpp-worker@{name}.service" for name in settings.READY_WORKERS
    ]


def test_the_worker_script_refuses_a_name_the_procfile_lacks():
    unknown = subprocess.run(  # noqa: S603 - fixed arguments
        ["/bin/sh", str(ROOT / "deploy/worker.sh"), "bitcoin"],
        capture_output=True,
        text=True,
        env={"MPP_PYTHON": sys.executable},
        check=False,
    )
    assert unknown.returncode == 2 and "unknown worker: bitcoin" in unknown.stderr
