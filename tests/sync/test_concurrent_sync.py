"""Sync under concurrency: one user's writes race across two workers while a device syncs,
and no change that commits late is ever skipped."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.server import running_service

PASSWORD = "correct horse 42"


def sync(api: httpx.Client, copy: dict[tuple[str, int], Any], cursor: str | None) -> str:
    """Apply every change after ``cursor`` to ``copy``; the new cursor."""
    while True:
        params: dict[str, Any] = {"limit": 5, **({"since": cursor} if cursor else {})}
        page = api.get("/v1/me/changes", params=params).raise_for_status().json()
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            if change["op"] == "upsert":
                copy[key] = change["data"]
            else:
                copy.pop(key, None)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return str(cursor)


@pytest.mark.slow
def test_a_device_syncing_during_racing_writes_ends_equal_to_the_server(
    scratch_database_url: str,
) -> None:
    with running_service(scratch_database_url, workers=2) as base_url:
        account = {"email": "racer@example.com", "password": PASSWORD}
        httpx.post(f"{base_url}/v1/auth/register", json=account).raise_for_status()
        token = httpx.post(
            f"{base_url}/v1/auth/token",
            data={"username": account["email"], "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def write(number: int) -> None:
            with httpx.Client(base_url=base_url, headers=headers, timeout=30) as api:
                body = {
                    "completed_at": (datetime.now(UTC) - timedelta(minutes=number)).isoformat(),
                    "duration_minutes": 10 + number % 20,
                }
                logged = api.post("/v1/me/workouts", json=body)
                assert logged.status_code == 201, logged.text
                if number % 3 == 0:
                    api.delete(f"/v1/me/workouts/{logged.json()['id']}").raise_for_status()
                if number % 5 == 0:
                    api.patch(
                        "/v1/me", json={"max_session_minutes": 20 + number}
                    ).raise_for_status()

        copy: dict[tuple[str, int], Any] = {}
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as device:
            cursor = sync(device, copy, None)
            with ThreadPoolExecutor(max_workers=8) as pool:
                futures = [pool.submit(write, number) for number in range(60)]
                while not all(future.done() for future in futures):
                    cursor = sync(device, copy, cursor)  # keeps syncing while writes race
                for future in futures:
                    future.result()
            cursor = sync(device, copy, cursor)
            workouts = device.get("/v1/me/workouts", params={"limit": 100}).json()["items"]
            me = device.get("/v1/me").json()

    assert len(workouts) == 40
    expected = {("workout", item["id"]): item for item in workouts}
    expected["profile", me["id"]] = me
    assert copy == expected
