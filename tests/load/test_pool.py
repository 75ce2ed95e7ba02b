"""A request holds at most one pooled connection: bursts of plan writes never exhaust the pool.

The catalog cache once opened a second session inside plan requests (to check the catalog
version, or to load the classes) while the request's own session held a connection: with as
many requests in flight as the pool has connections, every one waited for a second connection
that no one could release, until the pool timeout answered 503. Bursts of four times the pool
size, after a pause longer than the version-check interval, must all succeed.
"""

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.faults.support import print_figures, served
from tests.load.support import Tally, bearer, make_users, this_monday

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

POOL_SIZE = 3
IN_FLIGHT = 4 * POOL_SIZE
IDLE_SECONDS = 1.5  # longer than the catalog cache's version-check interval


async def test_plan_bursts_after_idle_never_wait_for_a_second_connection(
    scratch_database_url: str, tmp_path: Path
) -> None:
    tally = Tally()
    week = this_monday()
    with served(
        scratch_database_url,
        tmp_path / "server.log",
        workers=2,
        log_level="info",
        extra_env={"BACKFIT_DATABASE_POOL_SIZE": str(POOL_SIZE)},
    ) as service:
        service.wait_for_workers(2)
        users = await make_users(scratch_database_url, IN_FLIGHT, f"pool-{uuid.uuid4().hex[:8]}")
        headers = [bearer(user) for user in users]
        started = time.monotonic()
        limits = httpx.Limits(max_connections=IN_FLIGHT)
        async with httpx.AsyncClient(base_url=service.base_url, timeout=30, limits=limits) as http:

            async def create(h: dict[str, str]) -> httpx.Response:
                return await http.post("/v1/me/plans", json={"week_start": week}, headers=h)

            async def replan(h: dict[str, str], plan_id: int) -> httpx.Response:
                return await http.post(f"/v1/me/plans/{plan_id}/replan", json={}, headers=h)

            await asyncio.sleep(IDLE_SECONDS)
            created = await asyncio.gather(*(tally.call("create", create(h)) for h in headers))
            await asyncio.sleep(IDLE_SECONDS)
            await asyncio.gather(
                *(
                    tally.call("replan", replan(h, r.json()["id"]))
                    for h, r in zip(headers, created, strict=True)
                    if r is not None and r.status_code == 201
                )
            )
        elapsed = time.monotonic() - started
        unhandled = service.unhandled_errors()

    print_figures(
        f"Plan bursts of {IN_FLIGHT} (pool {POOL_SIZE} per worker, 2 workers)",
        {"statuses": tally.table(), "seconds": round(elapsed, 2)},
    )
    assert tally.count(status=201, operation="create") == IN_FLIGHT, tally.failures()
    assert tally.count(status=200, operation="replan") == IN_FLIGHT, tally.failures()
    assert not unhandled
