"""``python -m bench``: measure the service against a bare baseline (see ``--help``)."""

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import NoReturn, get_args

from bench.apps_under_test import PROJECT_ROOT
from bench.databases import DatabaseChoice
from bench.errors import BenchError
from bench.harness import BenchOptions
from bench.loadgen import LoadGeneratorChoice, LoadShape
from bench.scenario_page import bench_and_report
from bench.scenarios import SCENARIOS

DEFAULT_OUTPUT = PROJECT_ROOT / "bench" / "results" / "latest.md"


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def parse_options(argv: list[str] | None) -> tuple[BenchOptions, Path]:
    """The run's options and where to write the report, from the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Run the real service and a bare FastAPI app serving the same bytes side "
        "by side, load each in turn on 127.0.0.1 and compare req/s and latency.",
    )
    add = parser.add_argument
    add("--rounds", type=_at_least_one, default=3, help="runs per app and scenario (3)")
    add("--seconds", type=_at_least_one, default=5, help="length of each measured run (5)")
    add("--warmup", type=_at_least_one, default=1, help="unmeasured run before each (1)")
    add("--connections", type=_at_least_one, default=16, help="concurrent connections (16)")
    add("--threads", type=_at_least_one, default=1, help="wrk threads (1)")
    add("--workers", type=_at_least_one, default=2, help="uvicorn workers per app (2)")
    add(
        "--database",
        choices=get_args(DatabaseChoice),
        default="both",
        help="store(s) the service runs on (both): with both, every scenario runs on "
        "PostgreSQL and those whose cost is the database's (plan preview, workout POST, "
        "history page, stats) on SQLite too",
    )
    add(
        "--postgres-server",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server in which the scratch database 'bench' is (re)created",
    )
    add("--load-generator", choices=get_args(LoadGeneratorChoice), default="auto")
    add(
        "--scenario",
        action="append",
        default=[],
        choices=[scenario.name for scenario in SCENARIOS],
        help="run only this scenario (repeatable)",
    )
    add("--log-level", choices=["debug", "info", "warning", "error"], default="info")
    add("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report path")
    arguments = parser.parse_args(argv)
    if arguments.threads > arguments.connections:
        parser.error("--threads cannot exceed --connections")
    options = BenchOptions(
        rounds=arguments.rounds,
        seconds=arguments.seconds,
        warmup_seconds=arguments.warmup,
        workers=arguments.workers,
        database=arguments.database,
        postgres_server_url=arguments.postgres_server,
        load_generator=arguments.load_generator,
        shape=LoadShape(arguments.connections, arguments.threads, timeout_seconds=5),
        scenario_names=tuple(arguments.scenario),
        log_level=arguments.log_level,
    )
    return options, arguments.output


def _interrupt_on_sigterm(_signal: int, _frame: FrameType | None) -> NoReturn:
    # Unwinds like Ctrl-C, so every server is stopped on the way out.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 on success, 1 on a bench error, 130 when interrupted."""
    options, output = parse_options(argv)
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    try:
        report = bench_and_report(options, output)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every server it started is stopped", file=sys.stderr)
        return 130
    print(report)
    print(f"(written to {output})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
