"""Starting, watching and stopping the servers under test."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.errors import BenchError

READY_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class ServerProcess:
    """A server we started: its uvicorn supervisor process, address and log file."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines the server wrote, for error messages."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(server: ServerProcess, ready_path: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(
                    f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}"
                )
            try:
                if client.get(server.base_url + ready_path).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise BenchError(
        f"{server.name} not ready after {READY_TIMEOUT_SECONDS}s:\n{server.log_tail()}"
    )


def _group_alive(group_id: int) -> bool:
    try:
        os.killpg(group_id, 0)
    except ProcessLookupError:
        return False
    return True


def stop_server(server: ServerProcess) -> None:
    """SIGTERM the supervisor, wait for it, then SIGKILL whatever of its group is left."""
    process = server.process
    group_id = process.pid  # the server was started as the leader of a new session and group
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    deadline = time.monotonic() + 5
    while _group_alive(group_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(group_id):
        os.killpg(group_id, signal.SIGKILL)


@contextmanager
def running_server(
    name: str,
    command: Sequence[str],
    *,
    port: int,
    env: Mapping[str, str],
    log_path: Path,
    cwd: Path,
    ready_path: str = "/readyz",
) -> Iterator[ServerProcess]:
    """Run ``command`` until ``ready_path`` answers 200; stop it on leaving, however we leave."""
    with log_path.open("wb") as log:
        # A new session: Ctrl-C reaches only the harness, which then stops the server itself.
        process = subprocess.Popen(
            list(command),
            env={**os.environ, **env},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = ServerProcess(name, process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_ready(server, ready_path)
        yield server
    finally:
        stop_server(server)


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name, which is in parentheses and may contain spaces.
    return int(stat.rpartition(")")[2].split()[1])


def worker_pids(supervisor_pid: int) -> list[int]:
    """The uvicorn worker processes under ``supervisor_pid`` (not multiprocessing's helpers)."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or _parent_pid(int(entry.name)) != supervisor_pid:
            continue
        try:
            command_line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command_line:
            workers.append(int(entry.name))
    return sorted(workers)


def resident_bytes(pid: int) -> int | None:
    """The resident set size (VmRSS) of ``pid``, or None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def workers_resident_bytes(server: ServerProcess) -> list[int]:
    """The RSS of each of ``server``'s worker processes, now."""
    sizes = (resident_bytes(pid) for pid in worker_pids(server.process.pid))
    return [size for size in sizes if size is not None]
