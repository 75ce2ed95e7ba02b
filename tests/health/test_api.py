"""Probes, request ids, CORS and problem details for errors the framework raises."""

import re

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.main import create_app
from app.migrations_state import head_revision

pytestmark = pytest.mark.anyio


async def test_liveness_and_readiness(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_readiness_is_503_on_an_unmigrated_database(scratch_database_url: str) -> None:
    app = create_app(Settings(database_url=scratch_database_url, env="test"))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/readyz")
        assert (await client.get("/healthz")).status_code == 200
    await app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "not reachable or not migrated" in response.json()["detail"]


async def test_request_id_is_echoed_or_generated(client: AsyncClient) -> None:
    echoed = await client.get("/healthz", headers={"X-Request-ID": "phone-42.retry:1"})
    assert echoed.headers["x-request-id"] == "phone-42.retry:1"
    generated = await client.get("/v1/classes/nope", headers={"X-Request-ID": "bad id\n"})
    assert re.fullmatch("[0-9a-f]{32}", generated.headers["x-request-id"])
    assert (
        generated.headers["x-request-id"] != (await client.get("/healthz")).headers["x-request-id"]
    )


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/nothing-here", 404), ("DELETE", "/healthz", 405), ("PUT", "/v1/classes", 405)],
)
async def test_framework_errors_are_problems(
    client: AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) == {"type", "title", "status", "detail"}


async def test_cors_only_for_configured_origins(client: AsyncClient) -> None:
    preflight = {"Access-Control-Request-Method": "GET"}
    allowed = await client.options(
        "/v1/classes", headers={"Origin": "https://app.example", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    refused = await client.options(
        "/v1/classes", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers
    simple = await client.get("/v1/classes", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_readiness_follows_the_migration_the_database_is_at(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    for revision, status in [("0001", 503), ("a-newer-release", 200), (head_revision(), 200)]:
        await connection.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": revision}
        )
        response = await client.get("/readyz")
        assert response.status_code == status, revision
        if status == 503:
            assert response.headers["retry-after"] == "5"
