"""The growth bench: the same requests against a small and a large database, side by side.

Per store: two databases (e.g. 10k and 1M workouts over 10k users) are migrated, seeded and
bulk-loaded, a service runs on each, and rounds alternate between them, one connection at a
time, so a request's cost is measured without queueing. The ratio of the two costs in each
round (1M over 10k, by median latency) is the answer; its median over rounds is reported.
"""

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bench.apps_under_test import run_backfit_command, start_service
from bench.bulk_load import LoadedTables, bulk_load, vacuum_analyze_postgres
from bench.databases import DatabaseKind, scratch_database
from bench.growth_probes import GrowthProbes, prepare_growth_probes
from bench.growth_rows import PROBE_EMAIL, GrowthShape
from bench.harness import fail_if_exited, progress
from bench.loadgen import LoadGenerator, LoadGeneratorChoice, LoadResult, LoadShape
from bench.loadgen import choose_load_generator as choose_generator
from bench.processes import ServerProcess
from bench.query_plans import ExplainedQuery, HotQueryInputs, explain_hot_queries
from bench.report import MedianResult, median_result

# One connection: the cost of a request alone, not of a queue of them.
GROWTH_LOAD_SHAPE = LoadShape(connections=1, threads=1, timeout_seconds=10)
Result = TypeVar("Result")


@dataclass(frozen=True)
class GrowthOptions:
    """Everything a growth run can be told on the command line."""

    stores: tuple[DatabaseKind, ...]
    users: int
    small_workouts: int
    large_workouts: int
    rounds: int
    seconds: int
    warmup_seconds: int
    workers: int
    postgres_server_url: str
    load_generator: LoadGeneratorChoice
    log_level: str


@dataclass(frozen=True)
class ProbeGrowth:
    """One probe at both sizes, and the cost ratio large over small."""

    probe: str
    small: MedianResult
    large: MedianResult
    cost_ratio: float  # median over rounds of (large p50) / (small p50)


@dataclass(frozen=True)
class StoreGrowth:
    """Everything one store's growth run measured."""

    store: DatabaseKind
    size_labels: tuple[str, str]
    loaded: tuple[LoadedTables, LoadedTables]
    probes: list[ProbeGrowth]
    queries: tuple[list[ExplainedQuery], list[ExplainedQuery]]
    phases: list[tuple[str, float]]


def size_label(workouts: int) -> str:
    """10000 → "10k", 1000000 → "1M"."""
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if workouts >= divisor and workouts % (divisor // 10) == 0:
            return f"{workouts / divisor:g}{suffix}"
    return f"{workouts:,}"


class PhaseClock:
    """Times each phase and prints it as it ends."""

    def __init__(self, store: DatabaseKind) -> None:
        self.store = store
        self.phases: list[tuple[str, float]] = []

    def run(self, name: str, work: Callable[[], Result]) -> Result:
        progress(f"[{self.store}] {name}…")
        started = time.monotonic()
        result = work()
        seconds = time.monotonic() - started
        self.phases.append((name, seconds))
        progress(f"[{self.store}] {name}: {seconds:.1f} s")
        return result


def _measure(
    generator: LoadGenerator,
    services: Sequence[ServerProcess],
    probes: Sequence[GrowthProbes],
    options: GrowthOptions,
    store: DatabaseKind,
) -> list[ProbeGrowth]:
    runs: dict[tuple[str, int], list[LoadResult]] = {}
    for round_index in range(options.rounds):
        order = [0, 1] if round_index % 2 == 0 else [1, 0]
        for name in probes[0].names():
            for size in order:
                scenario = probes[size].scenario(name)
                app = services[size]
                try:
                    warmup = generator.run(
                        app.base_url, scenario, options.warmup_seconds, check_statuses=True
                    )
                    result = generator.run(app.base_url, scenario, options.seconds)
                finally:
                    fail_if_exited(app, name)
                # Statuses are checked in the warm-up only; its failures taint the run.
                result = replace(result, errors=result.errors + warmup.errors)
                runs.setdefault((name, size), []).append(result)
                progress(
                    f"[{store}] round {round_index + 1}/{options.rounds}  {name:<26} "
                    f"{app.name:>4} {result.requests_per_second:7,.0f} req/s  "
                    f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
                    + (f"  errors {result.errors}" if result.errors else "")
                )
    measured = []
    for name in probes[0].names():
        small, large = runs[name, 0], runs[name, 1]
        ratios = [
            at_large.p50_ms / at_small.p50_ms
            for at_small, at_large in zip(small, large, strict=True)
            if at_small.p50_ms
        ]
        measured.append(
            ProbeGrowth(name, median_result(small), median_result(large), statistics.median(ratios))
        )
    return measured


def _grow_store(
    store: DatabaseKind, options: GrowthOptions, generator: LoadGenerator, scratch: Path
) -> StoreGrowth:
    clock = PhaseClock(store)
    now = datetime.now(UTC)
    shapes = (
        GrowthShape(options.users, options.small_workouts),
        GrowthShape(options.users, options.large_workouts),
    )
    labels = (size_label(options.small_workouts), size_label(options.large_workouts))
    with ExitStack() as stack:
        urls = tuple(
            stack.enter_context(scratch_database(store, scratch, options.postgres_server_url, name))
            for name in ("bench_growth_small", "bench_growth_large")
        )

        def migrate_and_seed() -> None:
            for url in urls:
                run_backfit_command(["migrate"], url, scratch / f"setup-{store}.log")
                run_backfit_command(["seed"], url, scratch / f"setup-{store}.log")

        clock.run("create, migrate and seed both databases", migrate_and_seed)
        loaded = (
            clock.run(f"bulk load {labels[0]}", lambda: bulk_load(store, urls[0], shapes[0], now)),
            clock.run(f"bulk load {labels[1]}", lambda: bulk_load(store, urls[1], shapes[1], now)),
        )
        if store == "postgres":

            def vacuum_both() -> None:
                for url in urls:
                    vacuum_analyze_postgres(url)

            clock.run("VACUUM ANALYZE both", vacuum_both)

        def start_both() -> tuple[ServerProcess, ServerProcess]:
            return tuple(  # type: ignore[return-value]  # exactly two
                start_service(
                    stack,
                    name=label,
                    database_url=url,
                    workers=options.workers,
                    log_level=options.log_level,
                    log_path=scratch / f"service-{store}-{label}.log",
                )
                for label, url in zip(labels, urls, strict=True)
            )

        services = clock.run("start a service on each", start_both)
        probes = clock.run(
            "sign in and prepare the probes",
            lambda: prepare_growth_probes([service.base_url for service in services], now),
        )

        def explain_both() -> tuple[list[ExplainedQuery], list[ExplainedQuery]]:
            explained = [
                explain_hot_queries(
                    url,
                    store,
                    HotQueryInputs(1, PROBE_EMAIL, probe.deep_cursor, probe.plan_week_start),
                )
                for url, probe in zip(urls, probes, strict=True)
            ]
            return explained[0], explained[1]

        # Before measuring: the plans of the data as loaded, not after the plan-creation
        # probe has replaced the probe user's plan thousands of times (dead row versions).
        queries = clock.run("EXPLAIN the hot queries", explain_both)

        measured = clock.run(
            "measure", lambda: _measure(generator, services, probes, options, store)
        )
        progress(f"[{store}] stopping the services and dropping the databases")
    return StoreGrowth(store, labels, loaded, measured, queries, clock.phases)


def run_growth(options: GrowthOptions) -> list[StoreGrowth]:
    """The growth bench on every store asked for, one after the other."""
    with tempfile.TemporaryDirectory(prefix="backfit-growth-") as scratch_name:
        scratch = Path(scratch_name)
        generator = choose_generator(options.load_generator, GROWTH_LOAD_SHAPE, scratch)
        progress(f"load: {generator.description}")
        return [_grow_store(store, options, generator, scratch) for store in options.stores]
