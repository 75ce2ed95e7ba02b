"""Soak: sign-ins, plans, replans, workouts and feed reads at once against two workers.

Four times the per-worker pool size of clients run for ``BACKFIT_SOAK_SECONDS`` (15 by
default, so CI stays quick; 60 for the issue's run), each client a user of its own. The run
must end with no 500, no request that hangs or fails to connect, and the database holding
exactly the writes that were acknowledged: one workout per idempotency key (replays included)
and one plan per week. A 503 is allowed only with Retry-After, and is retried as a client
would. The figures are printed.
"""

import asyncio
import os
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.faults.support import print_figures, served
from tests.load.soak_figures import latency_figures, stored_writes
from tests.load.support import PASSWORD, Tally, bearer, make_users, this_monday

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SECONDS = float(os.environ.get("BACKFIT_SOAK_SECONDS", "15"))
POOL_SIZE = 4
IN_FLIGHT = 4 * POOL_SIZE
REQUEST_TIMEOUT = 30.0  # a request slower than this counts as a hang
RETRIES_ON_503 = 5
OPERATIONS = ("sign-in", "plan", "replan", "workout", "replay", "feed")
WEIGHTS = (1, 1, 2, 4, 1, 3)


@dataclass
class Client:
    """One simulated user: what the server acknowledged to them."""

    email: str
    headers: dict[str, str]
    feed_url: str = ""
    this_week_plan: int | None = None
    weeks_left: list[date] = field(default_factory=list)
    weeks_planned: set[date] = field(default_factory=set)
    workout_ids: dict[str, int] = field(default_factory=dict)  # idempotency key -> id


class Soak:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tally = Tally()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.missing_retry_after = 0

    async def call(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json: object = None,
        data: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        """The request, retried after Retry-After while the answer is 503."""
        response = None
        for _ in range(RETRIES_ON_503):
            started = time.monotonic()
            request = self.http.request(
                method, url, headers=headers, json=json, data=data, timeout=REQUEST_TIMEOUT
            )
            response = await self.tally.call(operation, request)
            self.seconds[operation].append(time.monotonic() - started)
            if response is None or response.status_code != 503:
                return response
            retry_after = response.headers.get("retry-after")
            if retry_after is None:
                self.missing_retry_after += 1
                return response
            await asyncio.sleep(min(float(retry_after), 1.0))
        return response

    async def run(self, client: Client, deadline: float, rng: random.Random) -> None:
        while time.monotonic() < deadline:
            operation = rng.choices(OPERATIONS, WEIGHTS)[0]
            await getattr(self, operation.replace("-", "_"))(client, rng)

    async def sign_in(self, client: Client, _rng: random.Random) -> None:
        form = {"username": client.email, "password": PASSWORD}
        await self.call("sign-in", "POST", "/v1/auth/token", data=form)

    async def plan(self, client: Client, _rng: random.Random) -> None:
        if not client.weeks_left:
            return
        week = client.weeks_left.pop(0)
        response = await self.call(
            "plan", "POST", "/v1/me/plans", json={"week_start": week.isoformat()},
            headers=client.headers,
        )  # fmt: skip
        if response is not None and response.status_code == 201:
            client.weeks_planned.add(week)
            if client.this_week_plan is None:
                client.this_week_plan = response.json()["id"]

    async def replan(self, client: Client, rng: random.Random) -> None:
        if client.this_week_plan is None:
            await self.plan(client, rng)
            return
        url = f"/v1/me/plans/{client.this_week_plan}/replan"
        await self.call("replan", "POST", url, json={}, headers=client.headers)

    async def workout(self, client: Client, _rng: random.Random, key: str | None = None) -> None:
        operation = "replay" if key else "workout"
        key = key or uuid.uuid4().hex
        body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "notes": key}
        response = await self.call(
            operation, "POST", "/v1/me/workouts", json=body,
            headers={**client.headers, "Idempotency-Key": key},
        )  # fmt: skip
        if response is None or response.status_code != 201:
            return
        workout_id = response.json()["id"]
        assert client.workout_ids.setdefault(key, workout_id) == workout_id, "replay got a new id"

    async def replay(self, client: Client, rng: random.Random) -> None:
        if client.workout_ids:
            await self.workout(client, rng, key=rng.choice(sorted(client.workout_ids)))

    async def feed(self, client: Client, _rng: random.Random) -> None:
        await self.call("feed", "GET", client.feed_url)


async def test_soak(scratch_database_url: str, tmp_path: Path) -> None:
    prefix = f"soak-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "server.log"
    env = {"BACKFIT_DATABASE_POOL_SIZE": str(POOL_SIZE)}
    with served(
        scratch_database_url, log_path, workers=2, log_level="info", extra_env=env
    ) as service:
        service.wait_for_workers(2)
        users = await make_users(scratch_database_url, IN_FLIGHT, prefix)
        limits = httpx.Limits(max_connections=IN_FLIGHT)
        async with httpx.AsyncClient(base_url=service.base_url, limits=limits) as http:
            soak = Soak(http)
            weeks = [date.fromisoformat(this_monday()) + timedelta(weeks=k) for k in range(9)]
            clients = [Client(user.email, bearer(user), weeks_left=list(weeks)) for user in users]
            for client in clients:
                calendar = await http.get("/v1/me/calendar", headers=client.headers)
                client.feed_url = calendar.json()["url"]
            started = time.monotonic()
            await asyncio.wait_for(
                asyncio.gather(
                    *(
                        soak.run(client, started + SECONDS, random.Random(n))
                        for n, client in enumerate(clients)
                    )
                ),
                timeout=SECONDS + 2 * REQUEST_TIMEOUT * RETRIES_ON_503,
            )
            elapsed = time.monotonic() - started
        unhandled = service.unhandled_errors()
    workouts, plans = await stored_writes(scratch_database_url, f"{prefix}-")

    acknowledged = {key for client in clients for key in client.workout_ids}
    total = sum(soak.tally.statuses.values())
    print_figures(
        f"Soak: {IN_FLIGHT} clients for {SECONDS:.0f} s, pool {POOL_SIZE} x 2 workers",
        {
            "requests": total,
            "requests per second": round(total / elapsed),
            "seconds": round(elapsed, 1),
            "statuses": soak.tally.table(),
            **latency_figures(soak.seconds),
            "workouts acknowledged": len(acknowledged),
            "workouts stored": sum(workouts.values()),
            "plans acknowledged": sum(len(client.weeks_planned) for client in clients),
            "plans stored": sum(plans.values()),
        },
    )
    assert soak.tally.count(status=500) == 0, soak.tally.failures()
    assert soak.tally.count(status=None) == 0, "requests hung or failed to connect"
    assert soak.missing_retry_after == 0
    assert not unhandled, unhandled[:3]
    unexpected = {
        f"{name} {code}": n
        for (name, code), n in soak.tally.statuses.items()
        if code not in (200, 201, 304, 503)
    }
    assert not unexpected, soak.tally.failures()
    assert workouts == dict.fromkeys(acknowledged, 1)
    assert plans == {c.email: len(c.weeks_planned) for c in clients if c.weeks_planned}
