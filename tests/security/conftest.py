"""The OWASP API Security Top 10 (2023) matrix: each test names its item; the run prints counts."""

from collections import Counter

import pytest

ITEMS = {
    "API1": "Broken object-level authorization",
    "API2": "Broken authentication",
    "API3": "Broken object property-level authorization",
    "API4": "Unrestricted resource consumption",
    "API5": "Broken function-level authorization",
    "API8": "Security misconfiguration",
}
NOT_APPLICABLE = {
    "API6": "no business flow to abuse at scale beyond sign-in, which API2 throttles",
    "API7": "the service never fetches a URL a client supplies (no SSRF surface)",
    "API9": "one versioned API; tests/test_openapi checks every route is documented",
    "API10": "no third-party API is consumed",
}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcomes: dict[str, Counter[str]] = {item: Counter() for item in ITEMS}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if report.when == "setup" and outcome == "passed":
                continue
            for key, value in getattr(report, "user_properties", []):
                if key == "owasp":
                    outcomes[value][outcome] += 1
    if not any(outcomes.values()):
        return
    terminalreporter.section("OWASP API Security Top 10 (2023) matrix")
    for item, title in ITEMS.items():
        counts = outcomes[item]
        terminalreporter.write_line(
            f"{item:<6} {title:<45} checks {sum(counts.values()):>3}  "
            f"passed {counts['passed']:>3}  failed {counts['failed'] + counts['error']:>3}"
        )
    for item, why in NOT_APPLICABLE.items():
        terminalreporter.write_line(f"{item:<6} not applicable: {why}")


@pytest.fixture(autouse=True)
def _record_owasp_item(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("owasp")
    if marker is not None:
        request.node.user_properties.append(("owasp", marker.args[0]))
