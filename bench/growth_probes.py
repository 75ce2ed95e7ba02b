"""The growth bench's requests, resolved against each size's running service.

The probe user's own data is the same at every size, so the answers must be too (ids aside:
workouts get theirs in time order among everyone's); that is checked before measuring.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx

from bench.bench_users import sign_in
from bench.errors import BenchError
from bench.growth_rows import PROBE_EMAIL, monday_of
from bench.scenarios import JSON_HEADERS, PreparedScenario

# The deep keyset page: this many pages of 20 into the probe's 300 workouts.
DEEP_PAGE = 12
PAGE_SIZE = 20


@dataclass(frozen=True)
class GrowthProbes:
    """The measured requests for one size, by name, and what they were built from."""

    scenarios: dict[str, PreparedScenario]
    deep_cursor: str
    plan_week_start: date

    def names(self) -> list[str]:
        return list(self.scenarios)

    def scenario(self, name: str) -> PreparedScenario:
        return self.scenarios[name]


def _get(client: httpx.Client, target: str, headers: dict[str, str]) -> httpx.Response:
    response = client.get(target, headers=headers)
    if response.status_code != 200:
        raise BenchError(f"GET {target}: {response.status_code} {response.text[:200]}")
    return response


def _deep_cursor(client: httpx.Client, headers: dict[str, str]) -> str:
    cursor = ""
    for page in range(DEEP_PAGE):
        query = f"?limit={PAGE_SIZE}" + (f"&cursor={cursor}" if cursor else "")
        next_cursor = _get(client, "/v1/me/workouts" + query, headers).json()["next_cursor"]
        if next_cursor is None:
            raise BenchError(f"the probe's history ends at page {page + 1}, before {DEEP_PAGE}")
        cursor = str(next_cursor)
    return cursor


def _probes_for(base_url: str, plan_week: date) -> tuple[GrowthProbes, list[bytes]]:
    """The probes on one service, and the answers that must match across sizes."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        headers = {"Authorization": f"Bearer {sign_in(client, PROBE_EMAIL)}"}
        cursor = _deep_cursor(client, headers)
        plan_body = json.dumps({"week_start": plan_week.isoformat()}).encode()
        scenarios = [
            PreparedScenario(
                "history page, first", "GET", "/v1/me/workouts", headers, None, 200, None
            ),
            PreparedScenario(
                "history page, deep keyset",
                "GET",
                f"/v1/me/workouts?cursor={cursor}",
                headers,
                None,
                200,
                None,
            ),
            PreparedScenario(
                "stats, weeks=52", "GET", "/v1/me/stats?weeks=52", headers, None, 200, None
            ),
            PreparedScenario(
                "plan creation (replace)",
                "POST",
                "/v1/me/plans?replace=true",
                {**headers, **JSON_HEADERS},
                plan_body,
                201,
                None,
            ),
        ]
        comparable = []
        for scenario in scenarios:
            response = client.request(
                scenario.method, scenario.target, headers=scenario.headers, content=scenario.body
            )
            if response.status_code != scenario.expected_status:
                raise BenchError(
                    f"{scenario.name} on {base_url}: {response.status_code} {response.text[:200]}"
                )
            comparable.append(_without_ids(response.content))
    probes = GrowthProbes({s.name: s for s in scenarios}, cursor, plan_week)
    return probes, comparable


def _without_ids(body: bytes) -> bytes:
    """An answer with every ``id`` (and cursor) blanked, for comparing sizes."""

    def blank(value: object) -> object:
        if isinstance(value, dict):
            return {
                key: None if key in ("id", "next_cursor") else blank(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [blank(item) for item in value]
        return value

    return json.dumps(blank(json.loads(body)), sort_keys=True).encode()


def prepare_growth_probes(base_urls: Sequence[str], now: datetime) -> list[GrowthProbes]:
    """Sign the probe in on each service, resolve the probes, check the answers agree."""
    plan_week = monday_of(now.date()) + timedelta(weeks=1)
    resolved = [_probes_for(base_url, plan_week) for base_url in base_urls]
    first_answers = resolved[0][1]
    for probes, answers in resolved[1:]:
        for name, ours, theirs in zip(probes.names(), first_answers, answers, strict=True):
            if ours != theirs:
                raise BenchError(f"{name}: the sizes answer differently for the same probe data")
    return [probes for probes, _ in resolved]
