"""Catalog writes: admins only, slug clashes and in-use exercises are 409."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio

NEW_EXERCISE = {
    "slug": "face-pull",
    "name": "Face pull",
    "aliases": ["Rope face pull"],
    "category": "strength",
    "muscles": ["rear-delts", "traps"],
    "equipment": ["cable-machine"],
    "measure": "reps",
    "description": "Pull a rope towards your face with elbows high.",
}

NEW_CLASS: dict[str, Any] = {
    "slug": "desk-break",
    "title": "Desk break",
    "difficulty": "easy",
    "duration_minutes": 5,
    "equipment": [],
    "focus": ["mobility"],
    "summary": "Five minutes to undo a morning of sitting.",
    "blocks": [
        {
            "name": "Move",
            "kind": "main",
            "steps": [
                {"exercise": "shoulder-rolls", "reps": 10, "sets": 1},
                # Done seated at the desk: no mat, unlike the exercise's own kit.
                {"exercise": "thoracic-rotation", "duration_seconds": 30, "equipment": []},
            ],
        }
    ],
}

WRITES = [
    ("POST", "/v1/exercises", NEW_EXERCISE),
    ("PATCH", "/v1/exercises/squat", {"name": "Air squat"}),
    ("DELETE", "/v1/exercises/dips", None),
    ("POST", "/v1/classes", NEW_CLASS),
    ("PUT", "/v1/classes/desk-break", NEW_CLASS),
    ("DELETE", "/v1/classes/back-fit-workout", None),
]


@pytest.fixture
async def admin(db_session: AsyncSession, settings: Settings) -> dict[str, str]:
    return auth_headers(await make_user(db_session, role="admin"), settings)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_writes_need_an_admin(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    anonymous = await client.request(method, path, json=body)
    assert anonymous.status_code == 401
    user = auth_headers(await make_user(db_session), settings)
    plain = await client.request(method, path, json=body, headers=user)
    assert plain.status_code == 403
    assert plain.headers["content-type"] == "application/problem+json"


async def test_exercise_lifecycle(client: AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post("/v1/exercises", json=NEW_EXERCISE, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["used_in"] == []
    clash = await client.post("/v1/exercises", json=NEW_EXERCISE, headers=admin)
    assert clash.status_code == 409
    found = (await client.get("/v1/exercises", params={"q": "rope face"})).json()["items"]
    assert [item["slug"] for item in found] == ["face-pull"]

    patched = await client.patch(
        "/v1/exercises/face-pull", json={"featured": True, "muscles": ["traps"]}, headers=admin
    )
    assert (patched.json()["featured"], patched.json()["muscles"]) == (True, ["traps"])
    assert patched.json()["name"] == "Face pull"
    refused = await client.patch("/v1/exercises/face-pull", json={"name": None}, headers=admin)
    assert refused.status_code == 422
    unknown = await client.patch("/v1/exercises/face-pull", json={"slug": "x"}, headers=admin)
    assert unknown.status_code == 422

    assert (await client.delete("/v1/exercises/face-pull", headers=admin)).status_code == 204
    assert (await client.get("/v1/exercises/face-pull")).status_code == 404


async def test_an_exercise_in_use_cannot_be_deleted(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.delete("/v1/exercises/squat", headers=admin)
    assert response.status_code == 409
    assert "back-fit-workout" in response.json()["detail"]
    assert (await client.get("/v1/exercises/squat")).status_code == 200


async def test_a_step_needs_kit_the_class_lists(client: AsyncClient, admin: dict[str, str]) -> None:
    block = {"name": "Lift", "kind": "main", "steps": [{"exercise": "deadlift", "reps": 5}]}
    refused = await client.post("/v1/classes", json={**NEW_CLASS, "blocks": [block]}, headers=admin)
    assert refused.status_code == 422
    assert "barbell" in refused.json()["detail"]
    with_bar = {**NEW_CLASS, "equipment": ["barbell"], "blocks": [block]}
    assert (await client.post("/v1/classes", json=with_bar, headers=admin)).status_code == 201


async def test_class_lifecycle(client: AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post("/v1/classes", json=NEW_CLASS, headers=admin)
    assert created.status_code == 201, created.text
    steps = created.json()["blocks"][0]["steps"]
    assert [(s["exercise"]["slug"], s["reps"], s["duration_seconds"]) for s in steps] == [
        ("shoulder-rolls", 10, None),
        ("thoracic-rotation", None, 30),
    ]
    assert (await client.post("/v1/classes", json=NEW_CLASS, headers=admin)).status_code == 409
    used_in = (await client.get("/v1/exercises/shoulder-rolls")).json()["used_in"]
    assert "desk-break" in used_in

    longer = {**NEW_CLASS, "duration_minutes": 8, "blocks": [NEW_CLASS["blocks"][0]] * 2}
    replaced = await client.put("/v1/classes/desk-break", json=longer, headers=admin)
    assert replaced.status_code == 200
    assert [b["position"] for b in replaced.json()["blocks"]] == [1, 2]
    mismatch = await client.put("/v1/classes/back-fit-workout", json=longer, headers=admin)
    assert mismatch.status_code == 422

    assert (await client.delete("/v1/classes/desk-break", headers=admin)).status_code == 204
    assert (await client.get("/v1/classes/desk-break")).status_code == 404


async def test_class_with_unknown_exercise_is_422(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    bad = {**NEW_CLASS, "blocks": [{"name": "x", "kind": "main", "steps": [{"exercise": "nope"}]}]}
    response = await client.post("/v1/classes", json=bad, headers=admin)
    assert response.status_code == 422
    assert "nope" in response.json()["detail"]
    missing = await client.put(
        "/v1/classes/nope", json={**NEW_CLASS, "slug": "nope"}, headers=admin
    )
    assert missing.status_code == 404
