"""The performance targets of the team's issue, and whether a run meets each."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.databases import DatabaseKind
from bench.generator_timing import GeneratorTiming
from bench.report import MEBIBYTE, ScenarioComparison

TIMES = "\N{MULTIPLICATION SIGN}"
MAX_WORKER_RSS_MIB = 120
MAX_GENERATOR_MILLISECONDS = 1.0
MAX_GROWTH_COST_RATIO = 1.5


@dataclass(frozen=True)
class RatioTarget:
    """ours/baseline of ``scenario`` must be at least ``at_least`` (on ``store``, if named)."""

    scenario: str
    at_least: float
    store: DatabaseKind | None = None


SCENARIO_TARGETS = (
    RatioTarget("class list", 0.8),
    RatioTarget("class detail", 0.8),
    RatioTarget("exercise search", 0.8),
    RatioTarget("304 revalidation", 1.0),
    RatioTarget("plan preview", 0.5),
    RatioTarget("workout POST", 0.5, store="postgres"),
)


@dataclass(frozen=True)
class Verdict:
    """One line of the targets table."""

    target: str
    measured: str
    met: bool


def scenario_verdicts(
    comparisons: Sequence[ScenarioComparison],
    service_rss_by_store: Mapping[DatabaseKind, Sequence[int]],
    generator: GeneratorTiming | None,
) -> list[Verdict]:
    """Each target the run measured, with its figure and whether it is met."""
    verdicts = []
    for target in SCENARIO_TARGETS:
        for row in comparisons:
            if row.scenario == target.scenario and target.store in (None, row.store):
                verdicts.append(
                    Verdict(
                        f"{row.scenario} ({row.store}) ≥ {target.at_least:.1f}{TIMES} baseline",
                        f"{row.ratio:.2f}{TIMES}",
                        row.ratio >= target.at_least,
                    )
                )
    if generator is not None:
        verdicts.append(
            Verdict(
                f"generate_plan alone < {MAX_GENERATOR_MILLISECONDS:g} ms per plan",
                f"{generator.slowest_milliseconds:.3f} ms (slowest level)",
                generator.slowest_milliseconds < MAX_GENERATOR_MILLISECONDS,
            )
        )
    for store, sizes in service_rss_by_store.items():
        if sizes:
            largest = max(sizes) / MEBIBYTE
            verdicts.append(
                Verdict(
                    f"≤ {MAX_WORKER_RSS_MIB} MB RSS per worker after the {store} run",
                    f"{largest:.1f} MiB (largest worker)",
                    largest <= MAX_WORKER_RSS_MIB,
                )
            )
    return verdicts


def growth_verdict(
    probe: str, store: DatabaseKind, cost_ratio: float, size_labels: tuple[str, str]
) -> Verdict:
    """The growth target for one probe: cost at the large size over the small one."""
    small, large = size_labels
    return Verdict(
        f"{probe} ({store}): cost at {large} ≤ {MAX_GROWTH_COST_RATIO:g}{TIMES} cost at {small}",
        f"{cost_ratio:.2f}{TIMES}",
        cost_ratio <= MAX_GROWTH_COST_RATIO,
    )


def verdicts_table(verdicts: Sequence[Verdict]) -> str:
    """The verdicts as a Markdown table."""
    rows = ["| target | measured | met |", "|---|---:|:---:|"]
    rows += [
        f"| {verdict.target} | {verdict.measured} | {'yes' if verdict.met else '**no**'} |"
        for verdict in verdicts
    ]
    return "\n".join(rows)
