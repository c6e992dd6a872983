"""A throwaway PostgreSQL cluster for fault tests that restart the database: its own data
directory and port (never the shared server on 5432), started and removed by the test."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PORT = int(os.environ.get("FAULT_PG_PORT", "8145"))


def _bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.iterdir(), key=lambda p: int(p.name)) if root.exists() else []
    return versions[-1] / "bin" if versions else None


def _as_postgres(*args: str) -> list[str]:
    import getpass

    return (
        list(args)
        if getpass.getuser() == "postgres"
        else ["runuser", "-u", "postgres", "--", *args]
    )


class ThrowawayCluster:
    def __init__(self, port: int = PORT):
        self.port, self.bin = port, _bin()
        self.dir = Path(tempfile.mkdtemp(prefix="mpp-fault-pg-", dir="/var/tmp"))
        self.url = f"postgres://postgres@127.0.0.1:{port}/mpp"

    @staticmethod
    def available() -> bool:
        return _bin() is not None and shutil.which("runuser") is not None

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres(*args), check=True, capture_output=True, timeout=120)  # noqa: S603

    def create(self) -> None:
        shutil.chown(self.dir, "postgres", "postgres")
        self.dir.chmod(0o700)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()
        subprocess.run(  # noqa: S603
            [
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE mpp",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=50"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)
