"""The requests the bench sends: add a scenario to ``SCENARIOS`` and both apps get it."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx

from bench.canned import CannedResponse
from bench.errors import BenchError

# How the baseline answers a scenario. "canned" replays the service's response bytes; a POST
# scenario will name a route of its own here (a raw-driver insert) and the baseline will gain it.
BaselineRoute = Literal["canned"]


@dataclass(frozen=True)
class Scenario:
    """One kind of request, sent the same way to the service and to the baseline."""

    name: str
    method: str
    target: str  # path and query string, e.g. "/v1/exercises?q=row"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expected_status: int = 200
    # Send the ETag the service gives for ``target`` back in If-None-Match (a revalidation).
    revalidate: bool = False
    baseline_route: BaselineRoute = "canned"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("class list", "GET", "/v1/classes"),
    Scenario("class detail", "GET", "/v1/classes/back-fit-workout"),
    Scenario("exercise search", "GET", "/v1/exercises?q=row"),
    Scenario(
        "304 revalidation",
        "GET",
        "/v1/classes/back-fit-workout",
        expected_status=304,
        revalidate=True,
    ),
)

# Response headers the baseline copies, so both apps put about the same bytes on the wire.
COPIED_HEADERS = ("etag", "cache-control")


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario with every header resolved and the response both apps must give."""

    name: str
    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes | None
    expected_status: int
    expected_body: bytes


def select_scenarios(names: Iterable[str]) -> tuple[Scenario, ...]:
    """The scenarios called ``names``, in the order of ``SCENARIOS``; all when none is named."""
    wanted = set(names)
    unknown = wanted - {scenario.name for scenario in SCENARIOS}
    if unknown:
        known = ", ".join(scenario.name for scenario in SCENARIOS)
        raise BenchError(f"unknown scenario {sorted(unknown)}; known: {known}")
    return tuple(scenario for scenario in SCENARIOS if not wanted or scenario.name in wanted)


def _send(client: httpx.Client, scenario: Scenario, headers: Mapping[str, str]) -> httpx.Response:
    return client.request(scenario.method, scenario.target, headers=headers, content=scenario.body)


def _capture(client: httpx.Client, scenario: Scenario) -> tuple[PreparedScenario, CannedResponse]:
    """Ask the service once; return the resolved request and the response to replay."""
    if scenario.baseline_route != "canned":
        raise BenchError(f"{scenario.name}: no baseline route {scenario.baseline_route!r} yet")
    original = _send(client, scenario, scenario.headers)
    if not original.is_success:
        raise BenchError(f"{scenario.name}: service answered {original.status_code}")
    headers = dict(scenario.headers)
    if scenario.revalidate:
        etag = original.headers.get("etag")
        if etag is None:
            raise BenchError(f"{scenario.name}: service sent no ETag for {scenario.target}")
        headers["If-None-Match"] = etag
    answer = _send(client, scenario, headers) if scenario.revalidate else original
    if answer.status_code != scenario.expected_status:
        raise BenchError(
            f"{scenario.name}: service answered {answer.status_code}, "
            f"expected {scenario.expected_status}"
        )
    url = urlsplit(scenario.target)
    canned = CannedResponse(
        method=scenario.method,
        path=url.path,
        query=url.query,
        status=original.status_code,
        media_type=original.headers.get("content-type", "application/json"),
        headers={
            name: original.headers[name] for name in COPIED_HEADERS if name in original.headers
        },
        body=original.content,
    )
    prepared = PreparedScenario(
        name=scenario.name,
        method=scenario.method,
        target=scenario.target,
        headers=headers,
        body=scenario.body,
        expected_status=scenario.expected_status,
        expected_body=answer.content,
    )
    return prepared, canned


def prepare_scenarios(
    service_url: str, scenarios: Iterable[Scenario]
) -> tuple[list[PreparedScenario], list[CannedResponse]]:
    """Resolve each scenario against the running service and collect what the baseline replays."""
    prepared: list[PreparedScenario] = []
    canned_by_request: dict[tuple[str, str, str], CannedResponse] = {}
    with httpx.Client(base_url=service_url, timeout=30) as client:
        for scenario in scenarios:
            request, canned = _capture(client, scenario)
            prepared.append(request)
            canned_by_request[canned.method, canned.path, canned.query] = canned
    return prepared, list(canned_by_request.values())


def check_same_answers(base_url: str, app_name: str, scenarios: Iterable[PreparedScenario]) -> None:
    """Fail unless the app at ``base_url`` gives each scenario's expected status and bytes."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for scenario in scenarios:
            response = client.request(
                scenario.method, scenario.target, headers=scenario.headers, content=scenario.body
            )
            if (response.status_code, response.content) != (
                scenario.expected_status,
                scenario.expected_body,
            ):
                raise BenchError(
                    f"{scenario.name}: {app_name} answered {response.status_code} with "
                    f"{len(response.content)} bytes, expected {scenario.expected_status} with "
                    f"{len(scenario.expected_body)} bytes"
                )
