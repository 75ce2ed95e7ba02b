"""Starting the two apps the bench compares: ``backfit serve`` and the bare baseline."""

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from bench.baseline_spec import BASELINE_SPEC_VARIABLE
from bench.errors import BenchError
from bench.processes import ServerProcess, free_port, running_server

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BACKFIT_COMMAND = str(Path(sys.executable).parent / "backfit")


def start_service(
    stack: ExitStack,
    *,
    name: str,
    database_url: str,
    workers: int,
    log_level: str,
    log_path: Path,
) -> ServerProcess:
    """``backfit serve`` as deployed (migrates and seeds first), on ``database_url``."""
    port = free_port()
    env = {
        "BACKFIT_DATABASE_URL": database_url,
        "BACKFIT_HOST": "127.0.0.1",
        "BACKFIT_PORT": str(port),
        "BACKFIT_WORKERS": str(workers),
        "BACKFIT_LOG_LEVEL": log_level,
    }
    command = [BACKFIT_COMMAND, "serve"]
    return stack.enter_context(
        running_server(name, command, port=port, env=env, log_path=log_path, cwd=PROJECT_ROOT)
    )


def start_baseline(
    stack: ExitStack, *, spec_path: Path, workers: int, log_path: Path
) -> ServerProcess:
    """``bench.baseline:app`` under uvicorn (defaults as the service), serving ``spec_path``."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "bench.baseline:app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {BASELINE_SPEC_VARIABLE: str(spec_path)}
    return stack.enter_context(
        running_server("baseline", command, port=port, env=env, log_path=log_path, cwd=PROJECT_ROOT)
    )


def run_backfit_command(arguments: list[str], database_url: str, log_path: Path) -> None:
    """``backfit <arguments>`` on ``database_url`` (migrate, seed), failing loudly."""
    with log_path.open("ab") as log:
        completed = subprocess.run(
            [BACKFIT_COMMAND, *arguments],
            env={**os.environ, "BACKFIT_DATABASE_URL": database_url},
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if completed.returncode != 0:
        raise BenchError(f"backfit {' '.join(arguments)} failed; see {log_path}")
