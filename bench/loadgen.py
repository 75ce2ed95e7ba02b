"""Load generators: wrk when it is installed, otherwise a small asyncio one built on httpx."""

import asyncio
import itertools
import json
import re
import secrets
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import httpx

from bench.errors import BenchError
from bench.scenarios import PreparedScenario
from bench.wrk_lua import RESULT_MARKER, wrk_script

LoadGeneratorChoice = Literal["auto", "wrk", "httpx"]
# The httpx generator stops after this many requests even if time is left.
HTTPX_MAX_REQUESTS = 200_000


@dataclass(frozen=True)
class LoadResult:
    """What one timed run against one app measured."""

    requests: int
    seconds: float
    errors: int  # socket errors, timeouts and unexpected statuses
    p50_ms: float
    p99_ms: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class LoadShape:
    """How hard to push: concurrent connections, wrk threads, per-request timeout."""

    connections: int
    threads: int
    timeout_seconds: int


class LoadGenerator(Protocol):
    """Sends one scenario's request to ``base_url`` as fast as it can for ``seconds``."""

    description: str

    def run(
        self,
        base_url: str,
        scenario: PreparedScenario,
        seconds: int,
        *,
        check_statuses: bool = False,
    ) -> LoadResult:
        """``check_statuses`` counts unexpected statuses as errors, even where that costs."""
        ...


class WrkLoadGenerator:
    """Drives the app with wrk; a Lua script sets the request and reports p50/p99."""

    def __init__(self, executable: str, shape: LoadShape, scratch_dir: Path) -> None:
        self.executable = executable
        self.shape = shape
        self.scratch_dir = scratch_dir
        self.description = (
            f"wrk, {shape.threads} thread(s), {shape.connections} connections, keep-alive"
        )

    def run(
        self,
        base_url: str,
        scenario: PreparedScenario,
        seconds: int,
        *,
        check_statuses: bool = False,
    ) -> LoadResult:
        script = self.scratch_dir / (re.sub(r"\W+", "-", scenario.name) + ".lua")
        run_token = secrets.token_hex(4)  # new per invocation: unique tokens never repeat
        script.write_text(wrk_script(scenario, run_token=run_token, check_statuses=check_statuses))
        command = [
            self.executable,
            f"--threads={self.shape.threads}",
            f"--connections={self.shape.connections}",
            f"--duration={seconds}s",
            f"--timeout={self.shape.timeout_seconds}s",
            f"--script={script}",
            base_url + scenario.target,
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds + 30, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError(f"wrk did not finish: {' '.join(command)}") from error
        for line in completed.stdout.splitlines():
            if line.startswith(RESULT_MARKER):
                totals = json.loads(line.removeprefix(RESULT_MARKER))
                return LoadResult(
                    requests=int(totals["requests"]),
                    seconds=totals["duration_us"] / 1e6,
                    errors=int(totals["errors"]),
                    p50_ms=totals["p50_us"] / 1000,
                    p99_ms=totals["p99_us"] / 1000,
                )
        raise BenchError(f"wrk printed no result ({completed.returncode}):\n{completed.stderr}")


class HttpxLoadGenerator:
    """A fallback: ``connections`` asyncio tasks sharing one httpx client, bounded in time
    and in count. The generator itself is the bottleneck, so ratios understate the gap."""

    def __init__(self, shape: LoadShape) -> None:
        self.shape = shape
        self.description = (
            f"httpx fallback (asyncio), {shape.connections} concurrent requests; the generator "
            "is the bottleneck, so ratios understate the gap (install wrk)"
        )

    def run(
        self,
        base_url: str,
        scenario: PreparedScenario,
        seconds: int,
        *,
        check_statuses: bool = False,  # always checked: it costs little here
    ) -> LoadResult:
        return asyncio.run(self._drive(base_url, scenario, seconds))

    async def _drive(self, base_url: str, scenario: PreparedScenario, seconds: int) -> LoadResult:
        latencies: list[float] = []
        errors = 0
        run_token = secrets.token_hex(4)
        request_numbers = itertools.count(1)
        limits = httpx.Limits(
            max_connections=self.shape.connections,
            max_keepalive_connections=self.shape.connections,
        )
        started = time.perf_counter()
        deadline = started + seconds
        async with httpx.AsyncClient(
            base_url=base_url, limits=limits, timeout=self.shape.timeout_seconds
        ) as client:

            async def user() -> None:
                nonlocal errors
                while time.perf_counter() < deadline and len(latencies) < HTTPX_MAX_REQUESTS:
                    headers, body = scenario.request_for(f"{run_token}-{next(request_numbers)}")
                    sent = time.perf_counter()
                    try:
                        response = await client.request(
                            scenario.method, scenario.target, headers=headers, content=body
                        )
                    except httpx.HTTPError:
                        errors += 1
                        continue
                    latencies.append(time.perf_counter() - sent)
                    if response.status_code != scenario.expected_status:
                        errors += 1

            users = asyncio.gather(*(user() for _ in range(self.shape.connections)))
            await asyncio.wait_for(users, timeout=seconds + self.shape.timeout_seconds + 5)
        elapsed = time.perf_counter() - started
        if len(latencies) < 2:
            raise BenchError(f"{scenario.name}: only {len(latencies)} answers from {base_url}")
        cuts = statistics.quantiles(latencies, n=100)
        return LoadResult(len(latencies), elapsed, errors, cuts[49] * 1000, cuts[98] * 1000)


def choose_load_generator(
    choice: LoadGeneratorChoice, shape: LoadShape, scratch_dir: Path
) -> LoadGenerator:
    """wrk if asked for or found on PATH (``auto``), else the httpx generator."""
    executable = shutil.which("wrk")
    if choice == "wrk" and executable is None:
        raise BenchError("wrk is not on PATH (Debian: apt-get install wrk)")
    if choice != "httpx" and executable is not None:
        return WrkLoadGenerator(executable, shape, scratch_dir)
    return HttpxLoadGenerator(shape)
