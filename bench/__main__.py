"""``python -m bench`` (``scripts/bench``): the service against its ceilings, or the evening mix."""

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import NoReturn

from bench.run import Options, run
from bench.scenarios import SCENARIOS
from bench.servers import PROJECT_ROOT, BenchError, Store

STORES: dict[str, tuple[Store, ...]] = {
    "both": ("postgres", "sqlite"),
    "postgres": ("postgres",),
    "sqlite": ("sqlite",),
}


def options(argv: list[str] | None) -> tuple[Options, Path]:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    add = parser.add_argument
    add(
        "--mix",
        action="store_true",
        help="the mixed evening peak (64 connections on PostgreSQL, 16 on SQLite), saturated "
        "against the bare ceiling and paced (1,000 req/s), then 160 concurrent "
        "sign-ins; instead of one request at a time",
    )
    add("--crowd", type=int, default=200, help="users with a history in the mix (200)")
    add("--database", choices=sorted(STORES), default="both")
    add("--scenario", action="append", default=[], choices=[s.name for s in SCENARIOS])
    add("--rounds", type=int, default=3)
    add("--seconds", type=int, default=5, help="per measured run, after a 1 s warm-up")
    add("--connections", type=int, default=16, help="without --mix (16)")
    add("--workers", type=int, default=2)
    add(
        "--postgres-server",
        default="postgresql://postgres@127.0.0.1:5432",
        help="where the scratch database is (re)created and dropped",
    )
    add(
        "--scratch-name",
        default="bench",
        help="the scratch database's name on that server, so two benches can run at once",
    )
    add(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="the service's (info, as deployed: one access-log line a request)",
    )
    add("--output", type=Path, help="Markdown report (bench/results/latest.md or mix.md)")
    arguments = parser.parse_args(argv)
    chosen = Options(
        stores=STORES[arguments.database],
        scenarios=tuple(arguments.scenario),
        mix=arguments.mix,
        crowd=arguments.crowd,
        rounds=arguments.rounds,
        seconds=arguments.seconds,
        connections=arguments.connections,
        workers=arguments.workers,
        postgres_server=arguments.postgres_server,
        scratch_name=arguments.scratch_name,
        log_level=arguments.log_level,
    )
    default = "mix.md" if arguments.mix else "latest.md"
    return chosen, arguments.output or PROJECT_ROOT / "bench" / "results" / default


def _interrupt(_signal: int, _frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt  # unwinds like Ctrl-C, so every server is stopped


def main(argv: list[str] | None = None) -> int:
    chosen, output = options(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        text = run(chosen)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every server it started is stopped", file=sys.stderr)
        return 130
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
