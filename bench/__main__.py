"""``python -m bench``: measure the service against a bare baseline, or as data grows."""

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import NoReturn, get_args

from bench.apps_under_test import PROJECT_ROOT
from bench.databases import DatabaseChoice, stores_for
from bench.errors import BenchError
from bench.growth import GrowthOptions
from bench.growth_page import growth_and_report
from bench.harness import BenchOptions
from bench.loadgen import LoadGeneratorChoice, LoadShape
from bench.scenario_page import bench_and_report
from bench.scenarios import SCENARIOS

RESULTS = PROJECT_ROOT / "bench" / "results"
DEFAULT_OUTPUT = RESULTS / "latest.md"
DEFAULT_GROWTH_OUTPUT = RESULTS / "growth.md"
SCENARIO_ROUNDS = 3
# One connection is more exposed to the other processes on the machine: more rounds.
GROWTH_ROUNDS = 5


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Run the real service and a bare FastAPI baseline (the same bytes; for "
        "the workout POST the same row inserted with the raw driver) side by side, load each "
        "in turn on 127.0.0.1 and compare req/s and latency. With --growth, measure instead "
        "how the cost of history, stats and plan creation grows from a small to a large "
        "bulk-loaded database.",
    )
    add = parser.add_argument
    add(
        "--rounds",
        type=_at_least_one,
        help=f"runs per app and scenario ({SCENARIO_ROUNDS}; with --growth, per probe and size: "
        f"{GROWTH_ROUNDS})",
    )
    add("--seconds", type=_at_least_one, default=5, help="length of each measured run (5)")
    add("--warmup", type=_at_least_one, default=1, help="unmeasured run before each (1)")
    add(
        "--connections",
        type=_at_least_one,
        default=16,
        help="concurrent connections (16; --growth always uses one, to time a request alone)",
    )
    add("--threads", type=_at_least_one, default=1, help="wrk threads (1)")
    add("--workers", type=_at_least_one, default=2, help="uvicorn workers per app (2)")
    add(
        "--database",
        choices=get_args(DatabaseChoice),
        default="both",
        help="store(s) the service runs on (both): with both, every scenario runs on "
        "PostgreSQL and those whose cost is the database's (plan preview, workout POST, "
        "history page, stats) on SQLite too; --growth runs wholly on each",
    )
    add(
        "--postgres-server",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server on which the scratch databases bench, bench_growth_small and "
        "bench_growth_large are (re)created and dropped",
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
    add("--output", type=Path, help=f"Markdown report path ({DEFAULT_OUTPUT.name}, with "
        f"--growth {DEFAULT_GROWTH_OUTPUT.name}, in bench/results/)")  # fmt: skip
    growth = parser.add_argument_group("growth")
    growth.add_argument("--growth", action="store_true", help="run the growth bench instead")
    growth.add_argument(
        "--growth-users",
        type=_at_least_one,
        default=10_000,
        help="users the workouts are spread over (10000)",
    )
    growth.add_argument(
        "--growth-sizes",
        type=_at_least_one,
        nargs=2,
        default=[10_000, 1_000_000],
        metavar=("SMALL", "LARGE"),
        help="workouts in the small and the large database (10000 1000000)",
    )
    return parser


def parse_options(argv: list[str] | None) -> tuple[BenchOptions | GrowthOptions, Path]:
    """The run's options and where to write the report, from the command line."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.threads > arguments.connections:
        parser.error("--threads cannot exceed --connections")
    if arguments.growth:
        small, large = arguments.growth_sizes
        if not 300 < small < large:
            parser.error("--growth-sizes: SMALL must be over 300 and below LARGE")
        growth_options = GrowthOptions(
            stores=stores_for(arguments.database),
            users=arguments.growth_users,
            small_workouts=small,
            large_workouts=large,
            rounds=arguments.rounds or GROWTH_ROUNDS,
            seconds=arguments.seconds,
            warmup_seconds=arguments.warmup,
            workers=arguments.workers,
            postgres_server_url=arguments.postgres_server,
            load_generator=arguments.load_generator,
            log_level=arguments.log_level,
        )
        return growth_options, arguments.output or DEFAULT_GROWTH_OUTPUT
    options = BenchOptions(
        rounds=arguments.rounds or SCENARIO_ROUNDS,
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
    return options, arguments.output or DEFAULT_OUTPUT


def _interrupt_on_sigterm(_signal: int, _frame: FrameType | None) -> NoReturn:
    # Unwinds like Ctrl-C, so every server is stopped on the way out.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 on success, 1 on a bench error, 130 when interrupted."""
    options, output = parse_options(argv)
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    try:
        if isinstance(options, GrowthOptions):
            report = growth_and_report(options, output)
        else:
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
