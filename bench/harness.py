"""One bench run: per store, start both apps, drive them in turn, compare medians, stop all."""

import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from bench.apps_under_test import start_baseline, start_service
from bench.baseline_spec import write_baseline_spec
from bench.bench_users import create_bench_accounts
from bench.databases import DatabaseChoice, DatabaseKind, scratch_database, stores_for
from bench.errors import BenchError
from bench.generator_timing import GeneratorTiming, time_generator
from bench.loadgen import (
    LoadGenerator,
    LoadGeneratorChoice,
    LoadResult,
    LoadShape,
    choose_load_generator,
)
from bench.prepare import check_same_answers, prepare_scenarios
from bench.processes import ServerProcess, workers_resident_bytes
from bench.report import ScenarioComparison, compare
from bench.scenarios import PreparedScenario, Scenario, select_scenarios


@dataclass(frozen=True)
class BenchOptions:
    """Everything a run can be told on the command line."""

    rounds: int
    seconds: int
    warmup_seconds: int
    workers: int
    database: DatabaseChoice
    postgres_server_url: str
    load_generator: LoadGeneratorChoice
    shape: LoadShape
    scenario_names: tuple[str, ...]
    log_level: str


@dataclass(frozen=True)
class StoreOutcome:
    """What one store's half of the run measured."""

    store: DatabaseKind
    comparisons: list[ScenarioComparison]
    service_rss: list[int]
    baseline_rss: list[int]
    # Answer body bytes per scenario: (service, baseline), from the answer check.
    answer_sizes: dict[str, tuple[int, int]]
    seconds: float


@dataclass(frozen=True)
class BenchOutcome:
    """The comparisons on every store and the conditions they were measured under."""

    stores: list[StoreOutcome]
    generator: GeneratorTiming | None
    load_generator: str
    load_average_before: float
    load_average_after: float


def progress(message: str) -> None:
    """A line on stderr, so the report on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)


def scenarios_on(
    store: DatabaseKind, stores: Sequence[DatabaseKind], scenarios: Sequence[Scenario]
) -> list[Scenario]:
    """Every scenario on the first store; on the others, those whose cost is the store's."""
    return [s for s in scenarios if store == stores[0] or s.store_bound]


def fail_if_exited(app: ServerProcess, what: str) -> None:
    """Raise, with the end of its log, if ``app`` died while being driven."""
    code = app.process.poll()
    if code is not None:
        raise BenchError(f"{app.name} exited with {code} during {what!r}:\n{app.log_tail()}")


def drive_rounds(
    generator: LoadGenerator,
    apps: Sequence[ServerProcess],
    scenarios: Sequence[PreparedScenario],
    *,
    rounds: int,
    seconds: int,
    warmup_seconds: int,
    label: str,
) -> dict[tuple[str, str], list[LoadResult]]:
    """Every (scenario, app) pair once a round; who goes first alternates between rounds."""
    runs: defaultdict[tuple[str, str], list[LoadResult]] = defaultdict(list)
    for round_index in range(rounds):
        order = apps if round_index % 2 == 0 else list(reversed(apps))
        for scenario in scenarios:
            for app in order:
                try:
                    warmup = generator.run(
                        app.base_url, scenario, warmup_seconds, check_statuses=True
                    )
                    result = generator.run(app.base_url, scenario, seconds)
                finally:
                    fail_if_exited(app, scenario.name)
                # Statuses are checked in the warm-up only; its failures taint the run.
                result = replace(result, errors=result.errors + warmup.errors)
                runs[scenario.name, app.name].append(result)
                progress(
                    f"{label} round {round_index + 1}/{rounds}  {scenario.name:<17} "
                    f"{app.name:<8} {result.requests_per_second:>9,.0f} req/s  "
                    f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
                    + (f"  errors {result.errors}" if result.errors else "")
                )
    return runs


def _bench_store(
    store: DatabaseKind,
    scenarios: Sequence[Scenario],
    options: BenchOptions,
    generator: LoadGenerator,
    scratch: Path,
    *,
    time_the_generator: bool,
) -> tuple[StoreOutcome, GeneratorTiming | None]:
    started = time.monotonic()
    with ExitStack() as stack:
        database_url = stack.enter_context(
            scratch_database(store, scratch, options.postgres_server_url)
        )
        progress(f"[{store}] starting the service ({options.workers} workers)")
        service = start_service(
            stack,
            name="service",
            database_url=database_url,
            workers=options.workers,
            log_level=options.log_level,
            log_path=scratch / f"service-{store}.log",
        )
        accounts_needed = {s.signed_in_as for s in scenarios if s.signed_in_as is not None}
        accounts = None
        if accounts_needed:
            progress(f"[{store}] creating the bench accounts and the reader's history (API)")
            accounts = create_bench_accounts(
                service.base_url, with_reader="reader" in accounts_needed
            )
        timing = None
        if time_the_generator:
            progress(f"[{store}] timing generate_plan on the seeded catalog")
            timing = time_generator(database_url)
        prepared, spec = prepare_scenarios(service.base_url, scenarios, accounts, database_url)
        spec_path = scratch / f"baseline-{store}.json"
        write_baseline_spec(spec_path, spec)
        progress(f"[{store}] starting the baseline ({options.workers} workers)")
        baseline = start_baseline(
            stack,
            spec_path=spec_path,
            workers=options.workers,
            log_path=scratch / f"baseline-{store}.log",
        )
        ours = check_same_answers(service.base_url, service.name, prepared)
        theirs = check_same_answers(baseline.base_url, baseline.name, prepared)
        runs = drive_rounds(
            generator,
            (service, baseline),
            prepared,
            rounds=options.rounds,
            seconds=options.seconds,
            warmup_seconds=options.warmup_seconds,
            label=f"[{store}]",
        )
        service_rss = workers_resident_bytes(service)
        baseline_rss = workers_resident_bytes(baseline)
        progress(f"[{store}] stopping both apps")
    comparisons = [
        compare(s.name, store, runs[s.name, service.name], runs[s.name, baseline.name])
        for s in prepared
    ]
    sizes = {name: (ours[name], theirs[name]) for name in ours}
    seconds = time.monotonic() - started
    return StoreOutcome(store, comparisons, service_rss, baseline_rss, sizes, seconds), timing


def run_bench(options: BenchOptions) -> BenchOutcome:
    """Per store, start the service and the baseline side by side, measure both, stop both."""
    scenarios = select_scenarios(options.scenario_names)
    stores = stores_for(options.database)
    outcomes: list[StoreOutcome] = []
    timing: GeneratorTiming | None = None
    with tempfile.TemporaryDirectory(prefix="backfit-bench-") as scratch_name:
        scratch = Path(scratch_name)
        generator = choose_load_generator(options.load_generator, options.shape, scratch)
        progress(f"load: {generator.description}")
        load_before = os.getloadavg()[0]
        for store in stores:
            on_store = scenarios_on(store, stores, scenarios)
            if not on_store:
                continue
            outcome, store_timing = _bench_store(
                store, on_store, options, generator, scratch, time_the_generator=timing is None
            )
            outcomes.append(outcome)
            timing = timing or store_timing
        load_after = os.getloadavg()[0]
    return BenchOutcome(outcomes, timing, generator.description, load_before, load_after)
