"""Medians over the rounds, and the Markdown table that shows them."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.databases import DatabaseKind
from bench.loadgen import LoadResult

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class MedianResult:
    """The medians of one app's runs of one scenario, and how far the rounds spread."""

    requests_per_second: float
    spread_percent: float | None  # (max - min) / 2 of req/s over the rounds, % of the median
    p50_ms: float
    p99_ms: float
    errors: int  # summed over the rounds


def median_result(runs: Sequence[LoadResult]) -> MedianResult:
    """Medians of ``runs`` (one per round)."""
    rates = [run.requests_per_second for run in runs]
    middle = statistics.median(rates)
    spread = (max(rates) - min(rates)) / 2 / middle * 100 if middle and len(rates) > 1 else None
    return MedianResult(
        requests_per_second=middle,
        spread_percent=spread,
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        errors=sum(run.errors for run in runs),
    )


@dataclass(frozen=True)
class ScenarioComparison:
    """One table row: the service against the baseline on one scenario and store."""

    scenario: str
    store: DatabaseKind
    service: MedianResult
    baseline: MedianResult
    ratio: float  # median over rounds of service req/s / baseline req/s (1.0: no extra cost)


def compare(
    scenario: str,
    store: DatabaseKind,
    service_runs: Sequence[LoadResult],
    baseline_runs: Sequence[LoadResult],
) -> ScenarioComparison:
    """Medians of each app's runs, and the median of the per-round ratios.

    The two runs of a round are back to back, so their ratio shrugs off slow drifts in the
    machine's load that would skew a ratio of the two medians.
    """
    ratios = [
        ours.requests_per_second / theirs.requests_per_second
        for ours, theirs in zip(service_runs, baseline_runs, strict=True)
        if theirs.requests_per_second
    ]
    return ScenarioComparison(
        scenario,
        store,
        median_result(service_runs),
        median_result(baseline_runs),
        statistics.median(ratios) if ratios else 0.0,
    )


def _rate(result: MedianResult) -> str:
    rate = f"{result.requests_per_second:,.0f}"
    return rate if result.spread_percent is None else f"{rate} ±{result.spread_percent:.0f}%"


def _milliseconds(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def markdown_table(comparisons: Sequence[ScenarioComparison]) -> str:
    """The comparison as a Markdown table, one row per scenario."""
    header = (
        "| scenario | store | ours req/s | baseline req/s | ours/baseline "
        "| ours p50 ms | ours p99 ms | baseline p50 ms | baseline p99 ms |"
    )
    rows = [header, "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in comparisons:
        cells = [
            row.scenario,
            row.store,
            _rate(row.service),
            _rate(row.baseline),
            f"{row.ratio:.2f}",
            _milliseconds(row.service.p50_ms),
            _milliseconds(row.service.p99_ms),
            _milliseconds(row.baseline.p50_ms),
            _milliseconds(row.baseline.p99_ms),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def memory_line(
    store: DatabaseKind, service_workers: Sequence[int], baseline_workers: Sequence[int]
) -> str:
    """Worker RSS of both apps after the run on ``store``, and how they compare."""

    def sizes(workers: Sequence[int]) -> str:
        return " + ".join(f"{size / MEBIBYTE:.1f}" for size in workers) + " MiB" if workers else "?"

    line = f"Worker RSS after the {store} run: ours {sizes(service_workers)}"
    line += f", baseline {sizes(baseline_workers)}"
    if service_workers and baseline_workers:
        line += f" (ours/baseline {sum(service_workers) / sum(baseline_workers):.2f})"
    return line + "."


def error_line(comparisons: Sequence[ScenarioComparison]) -> str:
    """Socket errors, timeouts and bad statuses counted during the measured runs."""
    failures = [
        f"{row.scenario} ({row.store}): ours {row.service.errors}, baseline {row.baseline.errors}"
        for row in comparisons
        if row.service.errors or row.baseline.errors
    ]
    if not failures:
        return "Errors (socket, timeout, non-2xx/3xx): none."
    return "Errors (socket, timeout, non-2xx/3xx), results suspect: " + "; ".join(failures) + "."
