"""The requests the bench sends: add a scenario to ``SCENARIOS`` and both apps get it."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bench.errors import BenchError

# How the baseline answers a scenario: replay the service's bytes, or insert the same workout
# row with the raw driver (asyncpg / aiosqlite) and answer a body of the same size.
BaselineKind = Literal["canned", "raw workout insert"]
# Bench accounts: the reader has a few hundred logged workouts and some plans; the writer
# logs workouts during the run.
BenchAccount = Literal["reader", "writer"]

# Replaced in the body, and in ``unique_header``'s value, by a token new on every request.
UNIQUE_MARKER = "{unique}"
JSON_HEADERS = {"Content-Type": "application/json"}
PREVIEW_WEEK_START = "2026-11-23"  # a Monday

PLAN_PREVIEW_BODY = {
    "week_start": PREVIEW_WEEK_START,
    "experience_level": "intermediate",
    "equipment": ["mat"],
    "available_days": ["mon", "wed", "fri", "sat"],
}
# The contract's example workout, with a note that makes every request a new workout.
WORKOUT_BODY = {
    "class_slug": "revitalise-your-spine",
    "completed_at": "2026-11-23T18:30:00+01:00",
    "duration_minutes": 30,
    "rpe": 6,
    "pain": 2,
    "notes": f"Bench workout {UNIQUE_MARKER}",
    "exercises": [{"exercise_slug": "glute-bridge", "sets": [{"reps": 12}, {"reps": 10}]}],
}


def _json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


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
    baseline: BaselineKind = "canned"
    signed_in_as: BenchAccount | None = None
    # A header whose value holds UNIQUE_MARKER, made new on every request like the body.
    unique_header: str | None = None
    # Measured on every store of a two-store run: its cost depends on the database. The
    # others are answered from the per-process catalog cache, so one store says it all.
    store_bound: bool = False


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
    Scenario(
        "plan preview",
        "POST",
        "/v1/plans/preview",
        headers=JSON_HEADERS,
        body=_json(PLAN_PREVIEW_BODY),
        store_bound=True,
    ),
    Scenario(
        "workout POST",
        "POST",
        "/v1/me/workouts",
        headers={**JSON_HEADERS, "Idempotency-Key": f"bench-{UNIQUE_MARKER}"},
        body=_json(WORKOUT_BODY),
        expected_status=201,
        baseline="raw workout insert",
        signed_in_as="writer",
        unique_header="Idempotency-Key",
        store_bound=True,
    ),
    Scenario("history page", "GET", "/v1/me/workouts", signed_in_as="reader", store_bound=True),
    Scenario("stats", "GET", "/v1/me/stats?weeks=52", signed_in_as="reader", store_bound=True),
)


def select_scenarios(names: Iterable[str]) -> tuple[Scenario, ...]:
    """The scenarios called ``names``, in the order of ``SCENARIOS``; all when none is named."""
    wanted = set(names)
    unknown = wanted - {scenario.name for scenario in SCENARIOS}
    if unknown:
        known = ", ".join(scenario.name for scenario in SCENARIOS)
        raise BenchError(f"unknown scenario {sorted(unknown)}; known: {known}")
    return tuple(scenario for scenario in SCENARIOS if not wanted or scenario.name in wanted)


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario with every header resolved and the response both apps must give.

    With ``unique_header`` set, UNIQUE_MARKER in the body and in that header's value stands
    for a token the load generator makes new on every request; ``expected_body`` is then
    None (every answer differs) and only the status is checked.
    """

    name: str
    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes | None
    expected_status: int
    expected_body: bytes | None
    unique_header: str | None = None

    def request_for(self, unique: str) -> tuple[dict[str, str], bytes | None]:
        """Headers and body of one request, UNIQUE_MARKER replaced by ``unique``."""
        headers = dict(self.headers)
        if self.unique_header is None:
            return headers, self.body
        headers[self.unique_header] = headers[self.unique_header].replace(UNIQUE_MARKER, unique)
        body = self.body.replace(UNIQUE_MARKER.encode(), unique.encode()) if self.body else None
        return headers, body
