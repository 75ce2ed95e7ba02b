"""Resolving scenarios against the running service, and checking both apps answer alike."""

import secrets
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urlsplit

import httpx

from bench.baseline_spec import BaselineSpec, CannedResponse, RawWorkoutInsert
from bench.bench_users import BenchAccounts
from bench.errors import BenchError
from bench.scenarios import PreparedScenario, Scenario

# Response headers the baseline copies, so both apps put about the same bytes on the wire.
COPIED_HEADERS = ("etag", "cache-control")


def _headers(scenario: Scenario, accounts: BenchAccounts | None) -> dict[str, str]:
    headers = dict(scenario.headers)
    if scenario.signed_in_as is not None:
        if accounts is None:
            raise BenchError(f"{scenario.name}: needs the bench accounts")
        headers.update(accounts.authorization(scenario.signed_in_as))
    return headers


def _send(
    client: httpx.Client, scenario: PreparedScenario, unique: str | None = None
) -> httpx.Response:
    headers, body = scenario.request_for(unique or f"prepare-{secrets.token_hex(6)}")
    return client.request(scenario.method, scenario.target, headers=headers, content=body)


def _expect_status(scenario: Scenario, answer: httpx.Response, app_name: str) -> None:
    if answer.status_code != scenario.expected_status:
        raise BenchError(
            f"{scenario.name}: {app_name} answered {answer.status_code}, expected "
            f"{scenario.expected_status}: {answer.text[:300]}"
        )


def _capture(
    client: httpx.Client, scenario: Scenario, accounts: BenchAccounts | None
) -> tuple[PreparedScenario, CannedResponse | None]:
    """Ask the service once; return the resolved request and, if canned, what to replay."""
    prepared = PreparedScenario(
        name=scenario.name,
        method=scenario.method,
        target=scenario.target,
        headers=_headers(scenario, accounts),
        body=scenario.body,
        expected_status=scenario.expected_status,
        expected_body=None,
        unique_header=scenario.unique_header,
    )
    original = _send(client, prepared)
    if scenario.baseline != "canned":
        _expect_status(scenario, original, "service")
        return prepared, None
    if not original.is_success:
        raise BenchError(f"{scenario.name}: service answered {original.status_code}")
    if scenario.revalidate:
        etag = original.headers.get("etag")
        if etag is None:
            raise BenchError(f"{scenario.name}: service sent no ETag for {scenario.target}")
        prepared = replace(prepared, headers={**prepared.headers, "If-None-Match": etag})
    answer = _send(client, prepared) if scenario.revalidate else original
    _expect_status(scenario, answer, "service")
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
    return replace(prepared, expected_body=answer.content), canned


def prepare_scenarios(
    service_url: str,
    scenarios: Iterable[Scenario],
    accounts: BenchAccounts | None,
    database_url: str,
) -> tuple[list[PreparedScenario], BaselineSpec]:
    """Resolve each scenario against the running service; collect what the baseline serves."""
    prepared: list[PreparedScenario] = []
    canned_by_request: dict[tuple[str, str, str], CannedResponse] = {}
    inserts: dict[str, RawWorkoutInsert] = {}
    with httpx.Client(base_url=service_url, timeout=30) as client:
        for scenario in scenarios:
            request, canned = _capture(client, scenario, accounts)
            prepared.append(request)
            if canned is not None:
                canned_by_request[canned.method, canned.path, canned.query] = canned
            elif scenario.baseline == "raw workout insert":
                assert accounts is not None  # _headers checked: the writer signs in
                path = urlsplit(scenario.target).path
                inserts[path] = RawWorkoutInsert(path, database_url, accounts.writer_id)
    return prepared, BaselineSpec(list(canned_by_request.values()), list(inserts.values()))


def check_same_answers(
    base_url: str, app_name: str, scenarios: Iterable[PreparedScenario]
) -> dict[str, int]:
    """Fail unless the app gives each scenario's expected status (and bytes, when fixed).

    Returns the size of each scenario's answer body, for the report.
    """
    sizes: dict[str, int] = {}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for scenario in scenarios:
            response = _send(client, scenario, f"check-{app_name}-{secrets.token_hex(6)}")
            sizes[scenario.name] = len(response.content)
            expected_body = scenario.expected_body
            if response.status_code == scenario.expected_status and (
                expected_body is None or response.content == expected_body
            ):
                continue
            raise BenchError(
                f"{scenario.name}: {app_name} answered {response.status_code} with "
                f"{len(response.content)} bytes, expected {scenario.expected_status}"
                + ("" if expected_body is None else f" with {len(expected_body)} bytes")
                + f": {response.text[:200]}"
            )
    return sizes
