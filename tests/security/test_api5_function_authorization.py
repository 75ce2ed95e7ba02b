"""API5: every catalog write needs an admin: anonymous 401, signed-in user 403."""

import pytest
from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.main import create_app
from tests.factories import auth_headers, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API5")]


def catalog_writes() -> list[tuple[str, str]]:
    paths = create_app().openapi()["paths"]
    return sorted(
        (method.upper(), path.replace("{slug}", "squat"))
        for path, operations in paths.items()
        if path.startswith(("/v1/exercises", "/v1/classes"))
        for method in operations
        if method != "get"
    )


def test_all_six_writes_are_covered() -> None:
    assert len(catalog_writes()) == 6


@pytest.mark.parametrize(("method", "path"), catalog_writes())
async def test_writes_refuse_non_admins(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, method: str, path: str
) -> None:
    anonymous = await client.request(method, path, json={})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    user = auth_headers(await make_user(db_session), settings)
    plain = await client.request(method, path, json={}, headers=user)
    assert plain.status_code == 403
    assert (await client.get("/v1/exercises/squat")).json()["name"] == "Squat"
