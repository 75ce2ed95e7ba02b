"""The processes under test: scratch databases, ``backfit serve``, the ceilings; CPU and RSS."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import asyncpg  # type: ignore[import-untyped]  # no stubs in the project's dev tools
import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BACKFIT_COMMAND = str(Path(sys.executable).parent / "backfit")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
Store = Literal["postgres", "sqlite"]


class BenchError(Exception):
    """The bench cannot go on; the message says why."""


def _process_cpu_seconds(pid: int | str) -> float:
    """User + system CPU of one process so far (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


@dataclass(frozen=True)
class Server:
    """A server we started: its uvicorn supervisor, address and log."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])

    def workers(self) -> list[int]:
        """The uvicorn worker processes (children that are not multiprocessing helpers)."""
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            if parent == self.process.pid and b"resource_tracker" not in command:
                found.append(int(entry.name))
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU of all workers so far."""
        return sum(_process_cpu_seconds(pid) for pid in self.workers())

    def resident_mb(self) -> list[float]:
        """Each worker's resident set in MB (10⁶ bytes, as the target is written)."""
        sizes = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) * 1024 / 1e6)
        return sizes


def database_cpu_seconds(database: str) -> float:
    """CPU so far of the PostgreSQL backends serving ``database`` on this machine (their
    process titles name it), so the bench can say what a request costs the database too."""
    marker = f" {database} ".encode()
    total = 0.0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            total += _process_cpu_seconds(entry.name)
    return total


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
    # Started as the leader of its own group: whatever of it is left goes too.
    with suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)


@contextmanager
def running(
    name: str, command: list[str], env: Mapping[str, str], log_path: Path, port: int
) -> Iterator[Server]:
    """Run ``command`` until /readyz answers 200; stop it on leaving, however we leave."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the harness, which stops the server
        )
    server = Server(name, process, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise BenchError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
            try:
                if httpx.get(server.base_url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"{name} not ready after 120 s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(server)


def service(
    database_url: str, workers: int, pool_size: int, log_level: str, log_path: Path
) -> AbstractContextManager[Server]:
    """``backfit serve`` as deployed (it migrates and seeds first)."""
    port = _free_port()
    env = {
        "BACKFIT_DATABASE_URL": database_url,
        "BACKFIT_HOST": "127.0.0.1",
        "BACKFIT_PORT": str(port),
        "BACKFIT_WORKERS": str(workers),
        "BACKFIT_DATABASE_POOL_SIZE": str(pool_size),
        "BACKFIT_LOG_LEVEL": log_level,
    }
    return running("service", [BACKFIT_COMMAND, "serve"], env, log_path, port)


def ceiling(
    app: str, spec_path: Path, workers: int, log_path: Path
) -> AbstractContextManager[Server]:
    """One of ``bench.ceilings``' apps under uvicorn, serving what ``spec_path`` holds."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"bench.ceilings:{app}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return running(app, command, {"BENCH_CEILING_SPEC": str(spec_path)}, log_path, port)


async def _on_postgres(server_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(f"{server_url}/postgres")
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def scratch_database(store: Store, folder: Path, postgres_server: str, name: str) -> Iterator[str]:
    """The URL of an empty database (PostgreSQL ``name`` or a SQLite file), dropped after."""
    if store == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    server = postgres_server.rstrip("/")
    drop = f'DROP DATABASE IF EXISTS "{name}" (FORCE)'
    try:
        asyncio.run(_on_postgres(server, drop, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        raise BenchError(f"cannot create database {name} on {server}: {error}") from error
    try:
        yield f"{server}/{name}"
    finally:
        asyncio.run(_on_postgres(server, drop))
