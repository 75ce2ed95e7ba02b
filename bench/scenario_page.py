"""The Markdown page of a scenario run: the table, the targets, memory, conditions."""

import time
from pathlib import Path

from bench.harness import BenchOptions, BenchOutcome, run_bench
from bench.report import error_line, markdown_table, memory_line
from bench.run_context import run_heading
from bench.targets import scenario_verdicts, verdicts_table


def _generator_line(outcome: BenchOutcome) -> str:
    timing = outcome.generator
    if timing is None:
        return ""
    per_level = ", ".join(
        f"{level} {milliseconds * 1000:.0f} µs"
        for level, milliseconds in timing.milliseconds_by_level.items()
    )
    return (
        f"`generate_plan` alone (timeit, median of 7, seeded catalog of {timing.classes} "
        f"classes): {per_level} per plan."
    )


def _answer_size_lines(outcome: BenchOutcome) -> list[str]:
    lines = []
    for store in outcome.stores:
        for name, (ours, theirs) in store.answer_sizes.items():
            if name == "workout POST":
                lines.append(
                    f"Workout POST answer on {store.store}: ours {ours} bytes, "
                    f"baseline {theirs} bytes."
                )
    return lines


def render_report(outcome: BenchOutcome, options: BenchOptions, wall_seconds: float) -> str:
    """The whole Markdown page: conditions, the table, targets, memory, errors."""
    conditions = (
        f"{options.rounds} round(s) of {options.seconds} s per app and scenario (after a "
        f"{options.warmup_seconds} s warm-up), medians; service and baseline on "
        f"{options.workers} uvicorn workers each; load: {outcome.load_generator}."
    )
    comparisons = [row for store in outcome.stores for row in store.comparisons]
    rss_by_store = {store.store: store.service_rss for store in outcome.stores}
    durations = ", ".join(f"{store.store} {store.seconds:.0f} s" for store in outcome.stores)
    lines = [
        "# Backfit bench: service against a bare FastAPI baseline",
        "",
        f"{run_heading()} {conditions}",
        "",
        markdown_table(comparisons),
        "",
        "ours/baseline is the median over rounds of the ratio of req/s of the two back-to-back "
        "runs (1.00 = the service costs nothing over a bare app); ± is half the round-to-round "
        "range of req/s. The baseline replays the service's bytes, except for the workout POST, "
        "where it inserts the same row with the raw driver. Absolute figures depend on this "
        "noisy machine: compare ratios.",
        "",
        "## Targets",
        "",
        verdicts_table(scenario_verdicts(comparisons, rss_by_store, outcome.generator)),
        "",
        _generator_line(outcome),
        *_answer_size_lines(outcome),
    ]
    lines += [
        memory_line(store.store, store.service_rss, store.baseline_rss) for store in outcome.stores
    ]
    lines += [
        error_line(comparisons),
        f"Load average (1 min): {outcome.load_average_before:.2f} before, "
        f"{outcome.load_average_after:.2f} after. Whole run: {wall_seconds:.0f} s ({durations}).",
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
