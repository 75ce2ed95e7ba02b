"""The bench's accounts, made through the public API of the service under test.

The reader has a history worth paging through: plans for the last weeks (most sessions done)
and a few hundred logged workouts over two years. The writer starts empty and logs workouts
during the run.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import httpx

from bench.errors import BenchError

BENCH_PASSWORD = "bench password 42"
READER_EMAIL = "reader@bench.example"
WRITER_EMAIL = "writer@bench.example"
READER_WORKOUTS = 300
READER_PLAN_WEEKS = 12
HISTORY_DAYS = 730
READER_PROFILE = {
    "experience_level": "intermediate",
    "equipment": ["mat"],
    "available_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
}


@dataclass(frozen=True)
class BenchAccounts:
    """Bearer tokens of the bench accounts, and the writer's user id (for the baseline)."""

    reader_token: str
    writer_token: str
    writer_id: int

    def authorization(self, account: str) -> dict[str, str]:
        token = self.reader_token if account == "reader" else self.writer_token
        return {"Authorization": f"Bearer {token}"}


def _expect(response: httpx.Response, status: int, what: str) -> Any:
    if response.status_code != status:
        raise BenchError(f"{what}: service answered {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else None


def sign_in(client: httpx.Client, email: str, password: str = BENCH_PASSWORD) -> str:
    """A bearer token for ``email``."""
    answer = _expect(
        client.post("/v1/auth/token", data={"username": email, "password": password}),
        200,
        f"signing in {email}",
    )
    return str(answer["access_token"])


def _register(client: httpx.Client, email: str) -> dict[str, str]:
    _expect(
        client.post("/v1/auth/register", json={"email": email, "password": BENCH_PASSWORD}),
        201,
        f"registering {email}",
    )
    return {"Authorization": f"Bearer {sign_in(client, email)}"}


def _log_workout(
    client: httpx.Client, auth: dict[str, str], day: date, plan_session_id: int | None
) -> None:
    body: dict[str, Any] = {
        "class_slug": "revitalise-your-spine",
        "completed_at": f"{day.isoformat()}T18:30:00Z",
        "duration_minutes": 20 + day.toordinal() % 20,
        "rpe": 5 + day.toordinal() % 4,
        "pain": day.toordinal() % 4,
        "exercises": [{"exercise_slug": "glute-bridge", "sets": [{"reps": 12}, {"reps": 10}]}],
    }
    if plan_session_id is not None:
        body["plan_session_id"] = plan_session_id
    _expect(client.post("/v1/me/workouts", json=body, headers=auth), 201, "logging a workout")


def _give_reader_a_history(client: httpx.Client, auth: dict[str, str], today: date) -> None:
    """Plans for the last weeks, their sessions mostly done, and older free workouts."""
    _expect(client.patch("/v1/me", json=READER_PROFILE, headers=auth), 200, "setting a profile")
    this_monday = today - timedelta(days=today.weekday())
    logged = 0
    for weeks_back in range(READER_PLAN_WEEKS, 0, -1):
        week_start = this_monday - timedelta(weeks=weeks_back)
        plan = _expect(
            client.post("/v1/me/plans", json={"week_start": week_start.isoformat()}, headers=auth),
            201,
            f"planning the week of {week_start}",
        )
        for position, planned in enumerate(cast(list[dict[str, Any]], plan["sessions"])):
            if (weeks_back + position) % 5 != 0:  # one session in five is missed
                _log_workout(client, auth, date.fromisoformat(planned["date"]), planned["id"])
                logged += 1
    first_planned_week = this_monday - timedelta(weeks=READER_PLAN_WEEKS)
    free_workouts = READER_WORKOUTS - logged
    span_days = HISTORY_DAYS - READER_PLAN_WEEKS * 7
    for index in range(free_workouts):
        day = first_planned_week - timedelta(days=1 + index * span_days // free_workouts)
        _log_workout(client, auth, day, None)


def create_bench_accounts(service_url: str, *, with_reader: bool) -> BenchAccounts:
    """Register the writer (and the reader with their history); sign both in."""
    today = datetime.now(UTC).date()
    with httpx.Client(base_url=service_url, timeout=30) as client:
        reader_token = ""
        if with_reader:
            reader_auth = _register(client, READER_EMAIL)
            _give_reader_a_history(client, reader_auth, today)
            reader_token = reader_auth["Authorization"].removeprefix("Bearer ")
        writer_auth = _register(client, WRITER_EMAIL)
        writer = _expect(client.get("/v1/me", headers=writer_auth), 200, "reading the writer")
    return BenchAccounts(
        reader_token=reader_token,
        writer_token=writer_auth["Authorization"].removeprefix("Bearer "),
        writer_id=int(writer["id"]),
    )
