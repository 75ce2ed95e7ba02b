"""A simulated offline client keeps its own copy from GET /v1/me/changes and ends equal to the
server, over seeded random sequences of logged and deleted workouts, plans and replans."""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from app.pagination import encode_cursor
from app.vocabulary import EQUIPMENT
from tests.factories import signed_up

pytestmark = pytest.mark.anyio

Copy = dict[str, dict[int, dict[str, Any]]]


class OfflineClient:
    """What an app keeps on the device: its copy of every entity, and the last cursor."""

    def __init__(self, client: AsyncClient, headers: dict[str, str], page_size: int) -> None:
        self.client, self.headers, self.page_size = client, headers, page_size
        self.copy: Copy = {"profile": {}, "workout": {}, "plan": {}}
        self.cursor: str | None = None
        self.seen_order: list[int] = []

    async def sync(self) -> None:
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if self.cursor is not None:
                params["since"] = self.cursor
            response = await self.client.get("/v1/me/changes", params=params, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            for change in page["changes"]:
                entities = self.copy[change["entity"]]
                if change["op"] == "upsert":
                    entities[change["id"]] = change["data"]
                else:
                    assert change["data"] is None
                    entities.pop(change["id"], None)
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return


async def every_page(client: AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = (await client.get(path, params=params, headers=headers)).json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


async def server_state(client: AsyncClient, headers: dict[str, str]) -> Copy:
    me = (await client.get("/v1/me", headers=headers)).json()
    workouts = await every_page(client, "/v1/me/workouts", headers)
    plans = await every_page(client, "/v1/me/plans", headers)
    return {
        "profile": {me["id"]: me},
        "workout": {item["id"]: item for item in workouts},
        "plan": {item["id"]: item for item in plans},
    }


def this_monday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


class RandomUser:
    """Writes a seeded random mix of what people do, remembering what they can refer to."""

    def __init__(self, client: AsyncClient, headers: dict[str, str], rng: random.Random) -> None:
        self.client, self.headers, self.rng = client, headers, rng
        self.weeks = [this_monday() + timedelta(weeks=offset) for offset in (-2, -1, 0, 1)]

    async def log_workout(self) -> None:
        plans = await every_page(self.client, "/v1/me/plans", self.headers)
        open_sessions = [s["id"] for p in plans for s in p["sessions"] if s["status"] != "done"]
        body: dict[str, Any] = {
            "completed_at": (
                datetime.now(UTC) - timedelta(hours=self.rng.randint(1, 24 * 20))
            ).isoformat(),
            "duration_minutes": self.rng.randint(10, 40),
            "pain": self.rng.randint(0, 4),
        }
        if open_sessions and self.rng.random() < 0.5:
            body["plan_session_id"] = self.rng.choice(open_sessions)
        response = await self.client.post("/v1/me/workouts", json=body, headers=self.headers)
        assert response.status_code == 201, response.text

    async def delete_workout(self) -> None:
        workouts = await every_page(self.client, "/v1/me/workouts", self.headers)
        if workouts:
            chosen = self.rng.choice(workouts)["id"]
            response = await self.client.delete(f"/v1/me/workouts/{chosen}", headers=self.headers)
            assert response.status_code == 204

    async def plan_a_week(self) -> None:
        week = self.rng.choice(self.weeks).isoformat()
        response = await self.client.post(
            "/v1/me/plans",
            json={"week_start": week},
            params={"replace": "true"} if self.rng.random() < 0.7 else {},
            headers=self.headers,
        )
        assert response.status_code in {201, 409, 422}, response.text

    async def replan(self) -> None:
        plans = await every_page(self.client, "/v1/me/plans", self.headers)
        if plans:
            chosen = self.rng.choice(plans)["id"]
            response = await self.client.post(
                f"/v1/me/plans/{chosen}/replan", json={}, headers=self.headers
            )
            assert response.status_code in {200, 422}, response.text

    async def change_profile(self) -> None:
        changes = {
            "experience_level": self.rng.choice(["beginner", "intermediate"]),
            "equipment": sorted({"mat", *self.rng.sample(EQUIPMENT, 2)}),
            "max_session_minutes": self.rng.choice([None, 30, 45]),
        }
        response = await self.client.patch("/v1/me", json=changes, headers=self.headers)
        assert response.status_code == 200, response.text

    async def act(self) -> None:
        actions = [
            self.log_workout,
            self.log_workout,
            self.delete_workout,
            self.plan_a_week,
            self.replan,
            self.change_profile,
        ]
        await self.rng.choice(actions)()


@pytest.mark.parametrize("seed", range(4))
async def test_an_offline_client_ends_equal_to_the_server(client: AsyncClient, seed: int) -> None:
    rng = random.Random(seed)
    headers = await signed_up(client, f"offline-{seed}@example.com")
    user = RandomUser(client, headers, rng)
    device = OfflineClient(client, headers, page_size=rng.choice([1, 3, 100]))
    for _ in range(30):
        await user.act()
        if rng.random() < 0.3:
            await device.sync()
    await device.sync()
    assert device.copy == await server_state(client, headers)
    # A second device starting from nothing gets the same copy.
    fresh = OfflineClient(client, headers, page_size=7)
    await fresh.sync()
    assert fresh.copy == device.copy


async def test_nothing_new_is_an_empty_page_with_a_cursor(client: AsyncClient) -> None:
    headers = await signed_up(client, "quiet@example.com")
    first = (await client.get("/v1/me/changes", headers=headers)).json()
    assert [(c["entity"], c["op"]) for c in first["changes"]] == [("profile", "upsert")]
    again = await client.get(
        "/v1/me/changes", params={"since": first["next_cursor"]}, headers=headers
    )
    assert again.json()["changes"] == []
    assert again.json()["has_more"] is False
    assert again.json()["next_cursor"]


async def test_changes_come_once_per_entity_in_the_order_they_last_changed(
    client: AsyncClient,
) -> None:
    headers = await signed_up(client, "order@example.com")
    cursor = (await client.get("/v1/me/changes", headers=headers)).json()["next_cursor"]
    body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
    first = (await client.post("/v1/me/workouts", json=body, headers=headers)).json()["id"]
    second = (await client.post("/v1/me/workouts", json=body, headers=headers)).json()["id"]
    await client.patch("/v1/me", json={"back_pain": True}, headers=headers)
    await client.delete(f"/v1/me/workouts/{first}", headers=headers)
    page = (await client.get("/v1/me/changes", params={"since": cursor}, headers=headers)).json()
    assert [(c["entity"], c["id"], c["op"]) for c in page["changes"]] == [
        ("workout", second, "upsert"),
        ("profile", page["changes"][1]["id"], "upsert"),
        ("workout", first, "delete"),
    ]
    assert page["changes"][1]["data"]["back_pain"] is True


async def test_a_cursor_older_than_the_tombstones_kept_must_resync(client: AsyncClient) -> None:
    headers = await signed_up(client, "away@example.com")
    long_ago = datetime.now(UTC) - timedelta(days=31)
    stale = encode_cursor([1, int(long_ago.timestamp())])
    response = await client.get("/v1/me/changes", params={"since": stale}, headers=headers)
    assert response.status_code == 410
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/resync"
    assert "resync" in response.json()["detail"]
    malformed = await client.get("/v1/me/changes", params={"since": "nonsense"}, headers=headers)
    assert malformed.status_code == 422


async def test_changes_are_private(client: AsyncClient) -> None:
    mine = await signed_up(client, "mine@example.com")
    theirs = await signed_up(client, "theirs@example.com")
    body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
    await client.post("/v1/me/workouts", json=body, headers=theirs)
    page = (await client.get("/v1/me/changes", headers=mine)).json()
    assert [c["entity"] for c in page["changes"]] == ["profile"]
    assert (await client.get("/v1/me/changes")).status_code == 401
