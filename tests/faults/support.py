"""Shared helpers for the fault tests: a service whose process is exposed, PostgreSQL control."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.support.server import BACKFIT_COMMAND, free_port, wait_until_ready

PASSWORD = "long enough pw"


@dataclass
class Service:
    """A running ``backfit serve``: its URL, its uvicorn master process and its log file."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_workers(self, count: int, timeout: float = 90) -> None:
        """Until ``count`` workers have started (needs log level info): /readyz answering
        means one has, and a loaded machine can take many seconds to start the next."""
        deadline = time.monotonic() + timeout
        while self.log().count("Application startup complete") < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} workers not started after {timeout}s")
            time.sleep(0.2)

    def unhandled_errors(self) -> list[str]:
        """The log lines of errors that were answered with a 500."""
        return [line for line in self.log().splitlines() if "unhandled error" in line]


@contextmanager
def served(
    database_url: str,
    log_path: Path,
    *,
    workers: int = 2,
    log_level: str = "warning",
    extra_env: dict[str, str] | None = None,
) -> Iterator[Service]:
    """``backfit serve`` on a free port, its stderr kept in ``log_path``.

    Unlike ``tests.support.server.running_service`` this exposes the process, so a test can
    signal it itself; on exit the process is stopped (SIGTERM, then SIGKILL) if still alive.
    """
    port = free_port()
    env = {
        **os.environ,
        "BACKFIT_DATABASE_URL": database_url,
        "BACKFIT_PORT": str(port),
        "BACKFIT_WORKERS": str(workers),
        "BACKFIT_LOG_LEVEL": log_level,
        **(extra_env or {}),
    }
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [BACKFIT_COMMAND, "serve"], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        service = Service(f"http://127.0.0.1:{port}", process, log_path)
        try:
            wait_until_ready(service.base_url, process)
            yield service
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def sign_up(base_url: str, email: str) -> str:
    """Register ``email`` over HTTP and return a bearer token for it."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        registered = client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        token = client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
        assert token.status_code == 200, token.text
        access_token: str = token.json()["access_token"]
        return access_token


# The machine's PostgreSQL cluster (Debian's pg_ctlcluster), which the PostgreSQL run uses.
PG_HOST, PG_PORT = "127.0.0.1", "5432"


def _cluster_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"))
    assert versions, "no PostgreSQL cluster under /etc/postgresql"
    return versions[-1]


def pg_ctlcluster(action: str) -> subprocess.Popen[bytes]:
    """Start ``pg_ctlcluster <version> main <action>`` (start, stop, restart); not waited for."""
    command = shutil.which("pg_ctlcluster")
    assert command, "pg_ctlcluster is not installed"
    return subprocess.Popen(
        [command, "--skip-systemctl-redirect", _cluster_version(), "main", action],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def change_pg(action: str, *, ready: bool, timeout: float = 60) -> float:
    """Run ``action`` and return when pg_isready first said ``ready`` (monotonic time).

    pg_ctlcluster itself returns a while after the server accepts (or refuses) connections,
    so the moment is taken from pg_isready polled alongside it.
    """
    process = pg_ctlcluster(action)
    try:
        moment = wait_for_pg(ready=ready, timeout=timeout)
    finally:
        output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"pg_ctlcluster {action}: {output.decode(errors='replace')}"
    return moment


def pg_is_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", PG_HOST, "-p", PG_PORT], check=False, timeout=10
        ).returncode
        == 0
    )


def wait_for_pg(*, ready: bool, timeout: float = 30) -> float:
    """Poll pg_isready until it says ``ready`` (or not); returns when it did (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pg_is_ready() == ready:
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError(f"PostgreSQL still {'down' if ready else 'up'} after {timeout}s")


def ensure_pg_running() -> None:
    """Start the cluster if it is down and wait until it accepts connections."""
    if pg_is_ready():
        return
    # Its exit status does not matter (it may be starting already): pg_isready decides.
    pg_ctlcluster("start").communicate(timeout=60)
    wait_for_pg(ready=True, timeout=60)


def print_figures(title: str, figures: dict[str, object], out: IO[str] | None = None) -> None:
    print(f"\n== {title}", file=out)
    for name, value in figures.items():
        print(f"   {name:<28} {value}", file=out)


async def scalar(database_url: str, sql: str, **params: object) -> object:
    """One value from the database at ``database_url`` (on a connection of its own)."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql), params)).scalar_one()
    finally:
        await engine.dispose()
