"""API3: responses never carry secrets or others' data; clients cannot set protected fields."""

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.factories import auth_headers, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API3")]

NEW_ACCOUNT = {"email": "m@example.com", "password": "long enough pw"}
WORKOUT = {"completed_at": "2026-11-02T10:00:00Z", "duration_minutes": 5}
SECRET_MARKERS = ("$argon2", "password", "calendar_token", "request_hash")


async def test_account_responses_hold_no_secrets(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    registered = await client.post(
        "/v1/auth/register", json={"email": "p@example.com", "password": "long enough pw"}
    )
    user = await make_user(db_session)
    headers = auth_headers(user, settings)
    await client.get("/v1/me/calendar", headers=headers)
    for response in (
        registered,
        await client.get("/v1/me", headers=headers),
        await client.patch("/v1/me", json={"back_pain": True}, headers=headers),
    ):
        assert response.status_code in (200, 201)
        assert not [marker for marker in SECRET_MARKERS if marker in response.text]
        assert set(response.json()) >= {"id", "email", "role"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/v1/me", {"role": "admin"}),
        ("PATCH", "/v1/me", {"id": 1}),
        ("PATCH", "/v1/me", {"email": "other@example.com"}),
        ("PATCH", "/v1/me", {"calendar_token": "x"}),
        ("POST", "/v1/auth/register", {**NEW_ACCOUNT, "role": "admin"}),
        ("POST", "/v1/me/workouts", {**WORKOUT, "user_id": 1}),
        ("POST", "/v1/me/plans", {"week_start": "2026-11-02", "user_id": 1}),
        ("POST", "/v1/plans/preview", {"week_start": "2026-11-02", "id": 3}),
    ],
)  # fmt: skip
async def test_mass_assignment_is_refused(
    client: AsyncClient,
    db_session: AsyncSession,
    settings: Settings,
    method: str,
    path: str,
    body: dict[str, object],
) -> None:
    user = await make_user(db_session)
    headers = auth_headers(user, settings)
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == 422, response.text
    me = (await client.get("/v1/me", headers=headers)).json()
    assert (me["role"], me["id"], me["email"]) == ("user", user.id, user.email)
