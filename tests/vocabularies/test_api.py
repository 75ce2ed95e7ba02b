"""The equipment and muscle vocabularies: served with ETags, and the only names writes take."""

import json
from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.vocabulary import EQUIPMENT, MUSCLES
from tests.conftest import SEED_DIR
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio


async def all_names(client: AsyncClient, path: str) -> list[str]:
    names: list[str] = []
    params: dict[str, Any] = {"limit": 7}
    while True:
        page = (await client.get(path, params=params)).raise_for_status().json()
        names += [item["name"] for item in page["items"]]
        if page["next_cursor"] is None:
            return names
        params["cursor"] = page["next_cursor"]


@pytest.mark.parametrize(
    ("path", "names"), [("/v1/equipment", EQUIPMENT), ("/v1/muscles", MUSCLES)]
)
async def test_vocabularies_list_every_name_in_order(
    client: AsyncClient, path: str, names: tuple[str, ...]
) -> None:
    assert await all_names(client, path) == sorted(names)


def test_the_seeded_catalog_uses_only_vocabulary_names() -> None:
    exercises = json.loads((SEED_DIR / "exercises.json").read_text())
    classes = json.loads((SEED_DIR / "classes.json").read_text())
    used_equipment = {name for item in [*exercises, *classes] for name in item["equipment"]}
    used_muscles = {name for item in exercises for name in item["muscles"]}
    assert used_equipment <= set(EQUIPMENT)
    assert used_muscles <= set(MUSCLES)


@pytest.mark.parametrize("path", ["/v1/equipment", "/v1/muscles"])
async def test_vocabularies_answer_a_current_etag_with_304(client: AsyncClient, path: str) -> None:
    first = await client.get(path)
    assert first.headers["cache-control"]
    again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    stale = await client.get(path, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200
    assert stale.json() == first.json()


async def test_a_profile_with_unknown_equipment_is_refused_with_the_known_names(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    headers = auth_headers(await make_user(db_session), settings)
    response = await client.patch("/v1/me", json={"equipment": ["mat", "matt"]}, headers=headers)
    assert response.status_code == 422
    (issue,) = response.json()["errors"]
    assert (issue["pointer"], issue["code"]) == ("#/equipment/1", "unknown_name")
    assert "'matt'" in issue["msg"]
    assert all(name in issue["msg"] for name in EQUIPMENT)
    assert (await client.get("/v1/me", headers=headers)).json()["equipment"] == []


async def test_catalog_writes_refuse_unknown_muscles_and_equipment(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    admin = auth_headers(await make_user(db_session, role="admin"), settings)
    exercise = {
        "slug": "face-pull",
        "name": "Face pull",
        "category": "strength",
        "muscles": ["rear-delts", "trapz"],
        "equipment": ["cable"],
        "measure": "reps",
    }
    response = await client.post("/v1/exercises", json=exercise, headers=admin)
    pointers = {issue["pointer"]: issue["code"] for issue in response.json()["errors"]}
    assert pointers == {"#/muscles/1": "unknown_name", "#/equipment/0": "unknown_name"}
    patched = await client.patch(
        "/v1/exercises/glute-bridge", json={"equipment": ["yoga-block"]}, headers=admin
    )
    assert patched.status_code == 422
    created = await client.post(
        "/v1/classes",
        json={
            "slug": "desk-break",
            "title": "Desk break",
            "difficulty": "easy",
            "duration_minutes": 5,
            "equipment": ["chair"],
            "blocks": [
                {"name": "Move", "kind": "main", "steps": [{"exercise": "glute-bridge", "reps": 5}]}
            ],
        },
        headers=admin,
    )
    assert created.status_code == 422
    assert [issue["pointer"] for issue in created.json()["errors"]] == ["#/equipment/0"]


async def test_a_new_account_gets_a_plan_from_its_default_profile(client: AsyncClient) -> None:
    account = {"email": "fresh@example.com", "password": "correct horse 42"}
    assert (await client.post("/v1/auth/register", json=account)).status_code == 201
    token = await client.post(
        "/v1/auth/token", data={"username": account["email"], "password": account["password"]}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    plan = await client.post("/v1/me/plans", json={"week_start": "2026-11-23"}, headers=headers)
    assert plan.status_code == 201, plan.text
    assert len(plan.json()["sessions"]) == 1
