"""The Markdown page of a growth run: cost ratios, targets, phases, the hot queries' plans."""

import time
from collections.abc import Sequence
from pathlib import Path

from bench.growth import GrowthOptions, StoreGrowth, run_growth
from bench.report import MedianResult
from bench.run_context import run_heading
from bench.targets import growth_verdict, verdicts_table

STORE_TITLES = {"postgres": "PostgreSQL", "sqlite": "SQLite"}


def _rate(result: MedianResult) -> str:
    rate = f"{result.requests_per_second:,.0f}"
    return rate if result.spread_percent is None else f"{rate} ±{result.spread_percent:.0f}%"


def _probe_table(growth: StoreGrowth) -> str:
    small, large = growth.size_labels
    rows = [
        f"| probe | {small} req/s | {large} req/s | {small} p50 ms | {large} p50 ms "
        f"| {small} p99 ms | {large} p99 ms | cost {large}/{small} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for probe in growth.probes:
        rows.append(
            f"| {probe.probe} | {_rate(probe.small)} | {_rate(probe.large)} "
            f"| {probe.small.p50_ms:.2f} | {probe.large.p50_ms:.2f} "
            f"| {probe.small.p99_ms:.2f} | {probe.large.p99_ms:.2f} | {probe.cost_ratio:.2f} |"
        )
    return "\n".join(rows)


def _loaded_line(growth: StoreGrowth) -> str:
    parts = [
        f"{label}: {tables.workouts:,} workouts, {tables.users:,} users, {tables.plans:,} plans, "
        f"{tables.planned_sessions:,} planned sessions in {tables.seconds:.1f} s"
        for label, tables in zip(growth.size_labels, growth.loaded, strict=True)
    ]
    return "Loaded with the raw driver: " + "; ".join(parts) + "."


def _phase_table(growth: StoreGrowth) -> str:
    rows = ["| phase | seconds |", "|---|---:|"]
    rows += [f"| {name} | {seconds:.1f} |" for name, seconds in growth.phases]
    rows.append(f"| total | {sum(seconds for _, seconds in growth.phases):.1f} |")
    return "\n".join(rows)


def _query_sections(growth: StoreGrowth) -> list[str]:
    small, large = growth.size_labels
    explain = "EXPLAIN (ANALYZE, BUFFERS)" if growth.store == "postgres" else "EXPLAIN QUERY PLAN"
    timing = (
        "execution time, fastest of 3 EXPLAIN ANALYZE runs"
        if growth.store == "postgres"
        else "median of 5 timed runs through the driver, its thread hop included"
    )
    rows = [f"| query | {small} ms | {large} ms |", "|---|---:|---:|"]
    for at_small, at_large in zip(*growth.queries, strict=False):
        rows.append(
            f"| {at_large.label} | {at_small.execution_ms or 0:.3f} "
            f"| {at_large.execution_ms or 0:.3f} |"
        )
    lines = [f"### Hot queries ({timing})", "", *rows, "", f"### {explain} at {large}", ""]
    for query in growth.queries[1]:
        lines += [
            f"#### {query.label}",
            "",
            "```sql",
            query.sql.strip(),
            f"-- parameters: {query.parameters}",
            "```",
            "",
            "```",
            query.plan,
            "```",
            "",
        ]
    return lines


def render_growth_report(
    results: Sequence[StoreGrowth], options: GrowthOptions, wall_seconds: float
) -> str:
    """The whole growth page."""
    lines = [
        "# Backfit growth bench: the same requests on a small and a large database",
        "",
        f"{run_heading()} {options.rounds} round(s) of {options.seconds} s per probe and size "
        f"(after a {options.warmup_seconds} s warm-up), one connection (a request's cost, no "
        f"queueing), services on {options.workers} uvicorn workers each. Whole run: "
        f"{wall_seconds / 60:.1f} min.",
        "",
        "The probe user's own history is the same at both sizes (300 workouts over two years, "
        "plans for the last 12 weeks); the other users' rows make up the size. A request's cost "
        "is its median latency (p50) on the one connection; cost large/small is the median over "
        "rounds of the ratio of the two back-to-back runs' costs (1.00: size costs nothing). "
        "The median latency shrugs off the stalls other processes on this machine cause, "
        "which req/s (the mean) does not.",
        "",
    ]
    verdicts = [
        growth_verdict(probe.probe, growth.store, probe.cost_ratio, growth.size_labels)
        for growth in results
        for probe in growth.probes
    ]
    lines += ["## Targets", "", verdicts_table(verdicts), ""]
    for growth in results:
        lines += [
            f"## {STORE_TITLES[growth.store]}",
            "",
            _probe_table(growth),
            "",
            _loaded_line(growth),
            "",
            _phase_table(growth),
            "",
            *_query_sections(growth),
        ]
    return "\n".join(lines)


def growth_and_report(options: GrowthOptions, output: Path) -> str:
    """Run the growth bench, write its Markdown page to ``output`` and return the page."""
    started = time.monotonic()
    results = run_growth(options)
    report = render_growth_report(results, options, time.monotonic() - started)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    return report
