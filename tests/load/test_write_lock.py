"""Writers contending for SQLite's single write lock: they complete, and a lock held too long
answers 503 with Retry-After (problem details), never 500.

Sixteen clients, each signed in as its own user, log workouts, change their profile and sign
in again across two workers at once; every request must succeed and every workout be stored
once. The PostgreSQL run checks the same numbers there (its row locks never say "locked").
"""

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest

from app.sqlite_writers import WriteTurns
from tests.faults.support import print_figures, scalar, served
from tests.load.support import PASSWORD, Tally, bearer, make_users

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

WRITERS = 16
ROUNDS = 12


async def write_rounds(
    http: httpx.AsyncClient, tally: Tally, email: str, auth: dict[str, str]
) -> None:
    for index in range(ROUNDS):
        key = f"{email}-{index}"
        body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "notes": key}
        await tally.call(
            "workout",
            http.post("/v1/me/workouts", json=body, headers={**auth, "Idempotency-Key": key}),
        )
        await tally.call(
            "profile", http.patch("/v1/me", json={"max_session_minutes": 20 + index}, headers=auth)
        )
        if index % 4 == 0:
            form = {"username": email, "password": PASSWORD}
            # Each writer from its own address (as a proxy says): sixteen sign-ins at once
            # from one address are what the throttle is there to stop.
            device = {"X-Forwarded-For": f"192.0.2.{abs(hash(email)) % 250 + 1}"}
            await tally.call("sign-in", http.post("/v1/auth/token", data=form, headers=device))


async def test_sixteen_writers_on_two_workers_all_complete(
    scratch_database_url: str, tmp_path: Path
) -> None:
    tally = Tally()
    log_path = tmp_path / "server.log"
    with served(scratch_database_url, log_path, workers=2, log_level="info") as service:
        service.wait_for_workers(2)
        users = await make_users(scratch_database_url, WRITERS, f"locks-{uuid.uuid4().hex[:8]}")
        started = time.monotonic()
        limits = httpx.Limits(max_connections=WRITERS)
        async with httpx.AsyncClient(base_url=service.base_url, timeout=60, limits=limits) as http:
            await asyncio.gather(
                *(write_rounds(http, tally, user.email, bearer(user)) for user in users)
            )
        elapsed = time.monotonic() - started
        unhandled = service.unhandled_errors()
    stored = await scalar(scratch_database_url, "SELECT count(DISTINCT notes) FROM workout")
    rows = await scalar(scratch_database_url, "SELECT count(*) FROM workout")
    print_figures(
        f"{WRITERS} writers x {ROUNDS} rounds, 2 workers",
        {"statuses": tally.table(), "workouts": rows, "seconds": round(elapsed, 2)},
    )
    expected = {"workout": 201, "profile": 200, "sign-in": 200}
    for operation, status in expected.items():
        assert tally.count(status=status, operation=operation) == sum(
            n for (name, _), n in tally.statuses.items() if name == operation
        ), tally.failures()
    assert not unhandled
    assert rows == stored == WRITERS * ROUNDS


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Another process's write transaction on the SQLite file, open for the block's duration."""
    holder = sqlite3.connect(database_url.partition(":///")[2], isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def write_turn_held(database_url: str) -> Iterator[None]:
    """Another worker's turn to write, kept for the block's duration."""
    turn = asyncio.run(WriteTurns(database_url.partition(":///")[2]).take())
    try:
        yield
    finally:
        WriteTurns.give_back(turn)


@pytest.mark.parametrize("holder", [write_lock_held, write_turn_held])
def test_a_write_lock_held_too_long_is_a_503_with_retry_after(
    scratch_database_url: str, tmp_path: Path, holder: Callable[[str], AbstractContextManager[None]]
) -> None:
    if not scratch_database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's; PostgreSQL writers lock rows, not the store")
    with served(scratch_database_url, tmp_path / "server.log", workers=1) as service:
        user = asyncio.run(make_users(scratch_database_url, 1, f"held-{uuid.uuid4().hex[:8]}"))[0]
        body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
        with holder(scratch_database_url):
            response = httpx.post(
                f"{service.base_url}/v1/me/workouts",
                json=body,
                headers=bearer(user),
                timeout=60,
            )
        unhandled = service.unhandled_errors()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    assert not unhandled


def test_a_write_lock_held_briefly_by_another_program_is_waited_for(
    scratch_database_url: str, tmp_path: Path
) -> None:
    if not scratch_database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's; PostgreSQL writers lock rows, not the store")
    with served(scratch_database_url, tmp_path / "server.log", workers=1) as service:
        user = asyncio.run(make_users(scratch_database_url, 1, f"brief-{uuid.uuid4().hex[:8]}"))[0]
        body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
        responses: list[httpx.Response] = []

        def log_workout() -> None:
            url = f"{service.base_url}/v1/me/workouts"
            responses.append(httpx.post(url, json=body, headers=bearer(user), timeout=60))

        request = threading.Thread(target=log_workout)
        with write_lock_held(scratch_database_url):
            request.start()
            time.sleep(1)  # well within the busy timeout
        request.join(timeout=60)
        unhandled = service.unhandled_errors()
    assert [response.status_code for response in responses] == [201], responses[0].text
    assert not unhandled
