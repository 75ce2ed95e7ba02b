"""Runs the real service in a uvicorn process for tests that need real HTTP."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

BACKFIT_COMMAND = str(Path(sys.executable).parent / "backfit")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url} not ready after {timeout}s")


@contextmanager
def running_service(
    database_url: str,
    *,
    command: Sequence[str] = ("serve",),
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """``backfit serve`` on a free port; yields its base URL and stops it with SIGTERM."""
    port = free_port()
    env = {
        **os.environ,
        "BACKFIT_DATABASE_URL": database_url,
        "BACKFIT_PORT": str(port),
        "BACKFIT_WORKERS": str(workers),
        "BACKFIT_LOG_LEVEL": "warning",
        **(extra_env or {}),
    }
    # A session of its own: if it must be killed, its workers go with it (no orphans).
    process = subprocess.Popen([BACKFIT_COMMAND, *command], env=env, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url, process)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            # uvicorn drains for up to 20 s, then the workers' lifespans end: on a loaded
            # machine that can pass 30 s.
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()  # reaped here, not left to warn in a later test
            raise
