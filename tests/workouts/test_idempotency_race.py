"""Sixteen simultaneous retries with one key against two uvicorn workers leave one row."""

import asyncio
from collections import Counter

import httpx
import pytest

from tests.support.server import running_service

RETRIES = 16


async def race(base_url: str) -> tuple[Counter[int], set[str], int]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        account = {"email": "racer@example.com", "password": "long enough pw"}
        assert (await client.post("/v1/auth/register", json=account)).status_code == 201
        token = (
            await client.post(
                "/v1/auth/token", data={"username": account["email"], "password": "long enough pw"}
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "flaky-phone-1"}
        payload = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 30, "pain": 1}
        responses = await asyncio.gather(
            *(client.post("/v1/me/workouts", json=payload, headers=headers) for _ in range(RETRIES))
        )
        bodies = {response.text for response in responses if response.status_code == 201}
        listed = await client.get("/v1/me/workouts", headers={"Authorization": f"Bearer {token}"})
        return Counter(r.status_code for r in responses), bodies, len(listed.json()["items"])


@pytest.mark.slow
def test_concurrent_retries_store_one_workout(scratch_database_url: str) -> None:
    with running_service(scratch_database_url, workers=2) as base_url:
        statuses, bodies, stored = asyncio.run(race(base_url))
    print(f"{RETRIES} concurrent retries: statuses {dict(statuses)}, stored rows {stored}")
    # The contract: a racing retry gets the first's 201 again, byte for byte. (409 is for a
    # retry while the first is still in flight; a twin waits for the first's key instead.)
    assert statuses == Counter({201: RETRIES})
    assert len(bodies) == 1
    assert stored == 1
