"""One bench run: start both apps, drive them in turn, compare medians, stop everything."""

import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bench.canned import CANNED_RESPONSES_VARIABLE, write_canned_responses
from bench.databases import DatabaseKind, scratch_database
from bench.errors import BenchError
from bench.loadgen import (
    LoadGenerator,
    LoadGeneratorChoice,
    LoadResult,
    LoadShape,
    choose_load_generator,
)
from bench.processes import ServerProcess, free_port, running_server, workers_resident_bytes
from bench.report import (
    ScenarioComparison,
    compare,
    error_line,
    markdown_table,
    memory_line,
)
from bench.scenarios import (
    PreparedScenario,
    check_same_answers,
    prepare_scenarios,
    select_scenarios,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BACKFIT_COMMAND = str(Path(sys.executable).parent / "backfit")


@dataclass(frozen=True)
class BenchOptions:
    """Everything a run can be told on the command line."""

    rounds: int
    seconds: int
    warmup_seconds: int
    workers: int
    database: DatabaseKind
    postgres_server_url: str
    load_generator: LoadGeneratorChoice
    shape: LoadShape
    scenario_names: tuple[str, ...]
    log_level: str


@dataclass(frozen=True)
class BenchOutcome:
    """The comparison and the conditions it was measured under."""

    comparisons: list[ScenarioComparison]
    service_rss: list[int]
    baseline_rss: list[int]
    load_generator: str
    load_average_before: float
    load_average_after: float


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _start_service(
    stack: ExitStack, options: BenchOptions, database_url: str, scratch: Path
) -> ServerProcess:
    """``backfit serve`` as deployed (migrates and seeds first), on ``database_url``."""
    port = free_port()
    env = {
        "BACKFIT_DATABASE_URL": database_url,
        "BACKFIT_HOST": "127.0.0.1",
        "BACKFIT_PORT": str(port),
        "BACKFIT_WORKERS": str(options.workers),
        "BACKFIT_LOG_LEVEL": options.log_level,
    }
    command = [BACKFIT_COMMAND, "serve"]
    log_path = scratch / "service.log"
    return stack.enter_context(
        running_server("service", command, port=port, env=env, log_path=log_path, cwd=PROJECT_ROOT)
    )


def _start_baseline(stack: ExitStack, options: BenchOptions, canned_path: Path) -> ServerProcess:
    """``bench.baseline:app`` under uvicorn (defaults as the service), replaying ``canned_path``."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "bench.baseline:app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(options.workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {CANNED_RESPONSES_VARIABLE: str(canned_path)}
    log_path = canned_path.parent / "baseline.log"
    return stack.enter_context(
        running_server("baseline", command, port=port, env=env, log_path=log_path, cwd=PROJECT_ROOT)
    )


def _fail_if_exited(app: ServerProcess, scenario: str) -> None:
    """Raise, with the end of its log, if ``app`` died while being driven."""
    code = app.process.poll()
    if code is not None:
        raise BenchError(f"{app.name} exited with {code} during {scenario!r}:\n{app.log_tail()}")


def _drive_rounds(
    generator: LoadGenerator,
    apps: Sequence[ServerProcess],
    scenarios: Sequence[PreparedScenario],
    options: BenchOptions,
) -> dict[tuple[str, str], list[LoadResult]]:
    """Every (scenario, app) pair once a round; who goes first alternates between rounds."""
    runs: defaultdict[tuple[str, str], list[LoadResult]] = defaultdict(list)
    for round_index in range(options.rounds):
        order = apps if round_index % 2 == 0 else list(reversed(apps))
        for scenario in scenarios:
            for app in order:
                try:
                    warmup = generator.run(
                        app.base_url, scenario, options.warmup_seconds, check_statuses=True
                    )
                    result = generator.run(app.base_url, scenario, options.seconds)
                finally:
                    _fail_if_exited(app, scenario.name)
                # Statuses are checked in the warm-up only; its failures taint the run.
                result = replace(result, errors=result.errors + warmup.errors)
                runs[scenario.name, app.name].append(result)
                _progress(
                    f"round {round_index + 1}/{options.rounds}  {scenario.name:<17} "
                    f"{app.name:<8} {result.requests_per_second:>9,.0f} req/s  "
                    f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
                    + (f"  errors {result.errors}" if result.errors else "")
                )
    return runs


def run_bench(options: BenchOptions) -> BenchOutcome:
    """Start the service and the baseline side by side, measure both, stop both."""
    scenarios = select_scenarios(options.scenario_names)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="backfit-bench-")))
        generator = choose_load_generator(options.load_generator, options.shape, scratch)
        database_url = stack.enter_context(
            scratch_database(options.database, scratch, options.postgres_server_url)
        )
        _progress(f"starting the service ({options.database}, {options.workers} workers)")
        service = _start_service(stack, options, database_url, scratch)
        prepared, canned = prepare_scenarios(service.base_url, scenarios)
        canned_path = scratch / "canned-responses.json"
        write_canned_responses(canned_path, canned)
        _progress(f"starting the baseline ({options.workers} workers)")
        baseline = _start_baseline(stack, options, canned_path)
        check_same_answers(service.base_url, service.name, prepared)
        check_same_answers(baseline.base_url, baseline.name, prepared)
        _progress(f"load: {generator.description}")
        load_before = os.getloadavg()[0]
        runs = _drive_rounds(generator, (service, baseline), prepared, options)
        load_after = os.getloadavg()[0]
        service_rss = workers_resident_bytes(service)
        baseline_rss = workers_resident_bytes(baseline)
        _progress("stopping both apps")
    comparisons = [
        compare(
            scenario.name, runs[scenario.name, service.name], runs[scenario.name, baseline.name]
        )
        for scenario in prepared
    ]
    return BenchOutcome(
        comparisons, service_rss, baseline_rss, generator.description, load_before, load_after
    )


def _commit() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "unknown"


def render_report(outcome: BenchOutcome, options: BenchOptions, wall_seconds: float) -> str:
    """The whole Markdown page: conditions, the table, memory, errors."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    conditions = (
        f"{options.rounds} round(s) of {options.seconds} s per app and scenario "
        f"(after a {options.warmup_seconds} s warm-up), medians; service and baseline on "
        f"{options.workers} uvicorn workers each; service on {options.database}; "
        f"load: {outcome.load_generator}; {os.cpu_count()} CPUs shared by everything."
    )
    lines = [
        "# Backfit bench: service against a bare FastAPI baseline",
        "",
        f"{when}, commit {_commit()}. {conditions}",
        "",
        markdown_table(outcome.comparisons),
        "",
        "ours/baseline is the median over rounds of the ratio of req/s of the two back-to-back "
        "runs (1.00 = the service costs nothing over a bare app replaying its bytes); ± is half "
        "the round-to-round range of req/s. Absolute figures depend on this noisy machine: "
        "compare ratios.",
        "",
        memory_line(outcome.service_rss, outcome.baseline_rss),
        error_line(outcome.comparisons),
        f"Load average (1 min): {outcome.load_average_before:.2f} before, "
        f"{outcome.load_average_after:.2f} after. Whole run: {wall_seconds:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def bench_and_report(options: BenchOptions, output: Path) -> str:
    """Run the bench, write the Markdown report to ``output`` and return it."""
    started = time.monotonic()
    outcome = run_bench(options)
    report = render_report(outcome, options, time.monotonic() - started)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    return report
