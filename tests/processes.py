"""Real processes for tests that must cross them: web servers (runserver or gunicorn) and
`manage.py` commands against the test database, started, waited for and stopped one way.
Used by tests/test_two_processes.py, tests/faults/ and the federation test
(mpp/monitoring/tests/test_federation.py)."""

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
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port(ports: range | None = None, taken=()) -> int:
    """A free loopback port not in `taken`: the first free one of TEST_SERVER_PORTS
    ("8550-8599") when set, so that engineers sharing a machine keep to their own range, or
    else of `ports`; any the system gives when neither is. Skips the test when the range
    is full."""
    if spec := os.environ.get("TEST_SERVER_PORTS"):
        first, _, last = spec.partition("-")
        ports = range(int(first), int(last or first) + 1)
    if ports is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for port in ports:
        if port in taken:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {ports.start}-{ports.stop - 1}")


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_until(condition, what: str, timeout: float = 30.0, interval: float = 0.05) -> None:
    """Poll `condition` until it is true (a state, not a fixed sleep); fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    """Run `manage.py args…` in `env`; its stdout, or a failure with the end of its stderr."""
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {args[0]}: {done.stderr[-2000:]}"
    return done.stdout


def production_env(database: str, name: str, **extra: str) -> dict:
    """The environment of a production web server (DEBUG=False) on loopback, with
    throwaway keys named after the test."""
    from mpp.identity.tests.keys import rsa_pem

    return {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "False",
        "SECRET_KEY": f"{name}-test-key-not-secret",
        "CITIZEN_DATA_KEY": f"{name}-citizen-key",
        "ACCESS_LOG_KEY": f"{name}-log-key",
        "FACE_TEMPLATE_KEY": f"{name}-face-key",
        "OIDC_RSA_PRIVATE_KEYS": rsa_pem(),  # production refuses to start without one
        "MESSAGING_ALLOW_CONSOLE": "True",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        **extra,
    }


def answers(url: str) -> bool:
    """True once something answers HTTP at `url` (any status: it is up)."""
    try:
        urllib.request.urlopen(url, timeout=5)  # noqa: S310 (loopback)
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError):
        return False
    return True


def web_start(
    *,
    port: int,
    env: dict,
    gunicorn: bool = False,
    workers: int = 2,
    graceful_timeout: int = 5,
    ready=None,
    timeout: float = 60,
) -> subprocess.Popen:
    """A web server on 127.0.0.1:`port` (runserver, or gunicorn with `workers`), returned
    once `ready()` is true (default: /healthz answers). If it never is, it is stopped and
    the test fails."""
    if gunicorn:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}"]
        command += ["-w", str(workers), "--graceful-timeout", str(graceful_timeout)]
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ready = ready or (lambda: answers(f"http://127.0.0.1:{port}/healthz"))
    try:
        wait_until(ready, f"the web server on port {port} to start", timeout=timeout, interval=0.1)
    except BaseException:
        process_stop(proc)
        raise
    return proc


def process_stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    proc.terminate()
    proc.wait(timeout=timeout)


@contextmanager
def web_running(*, port: int, env: dict, **options):
    """`web_start` as a context: yields the server's base URL, stops it afterwards."""
    proc = web_start(port=port, env=env, **options)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process_stop(proc)


@contextmanager
def server_processes(count: int, env_extra: dict):
    """`count` development servers (DEBUG) on the test database; yields their base URLs."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "True", **env_extra}
    ports, procs = [], []
    try:
        for _ in range(count):
            ports.append(free_port(taken=ports))
            url = f"http://127.0.0.1:{ports[-1]}/api/schema/"
            procs.append(web_start(port=ports[-1], env=env, ready=lambda url=url: answers(url)))
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            process_stop(proc)
