"""Cached catalog pages: served without queries, and replaced when the catalog changes."""

import asyncio
from collections.abc import Callable

import pytest
from httpx import ASGITransport, AsyncClient
from prometheus_client import REGISTRY
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.cache import CatalogCache
from app.config import Settings
from app.main import create_app
from tests.factories import auth_headers, make_user

pytestmark = pytest.mark.anyio


async def test_a_cached_page_costs_no_query(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    statements: list[str] = []
    event.listen(
        connection.sync_connection, "before_cursor_execute", lambda *a: statements.append(a[2])
    )
    first = await client.get("/v1/classes/back-fit-workout")
    queries_when_rendered = len(statements)
    statements.clear()
    again = await client.get("/v1/classes/back-fit-workout")
    assert again.content == first.content
    assert queries_when_rendered >= 2
    assert statements == []


async def test_admin_writes_show_at_once_in_the_same_process(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    admin = auth_headers(await make_user(db_session, role="admin"), settings)
    before = await client.get("/v1/exercises/squat")
    assert before.json()["name"] == "Squat"
    patched = await client.patch("/v1/exercises/squat", json={"name": "Air squat"}, headers=admin)
    assert patched.status_code == 200
    after = await client.get("/v1/exercises/squat")
    assert after.json()["name"] == "Air squat"
    assert after.headers["etag"] != before.headers["etag"]
    stale = await client.get(
        "/v1/exercises/squat", headers={"If-None-Match": before.headers["etag"]}
    )
    assert stale.status_code == 200


async def test_another_replica_sees_the_change_after_its_version_check(
    client: AsyncClient,
    joined_sessions: Callable[[], AsyncSession],
    db_session: AsyncSession,
    settings: Settings,
) -> None:
    other_replica = create_app(settings)
    other_replica.state.sessionmaker = joined_sessions
    replica_cache = other_replica.state.catalog_cache = CatalogCache()
    transport = ASGITransport(app=other_replica)
    async with AsyncClient(transport=transport, base_url="http://replica") as replica:
        await replica_cache.check_version(joined_sessions)
        assert (await replica.get("/v1/exercises/dips")).json()["name"] == "Dips"
        await replica_cache.check_version(joined_sessions)  # unchanged: the page stays
        assert replica_cache.page("/v1/exercises/dips?") is not None
        admin = auth_headers(await make_user(db_session, role="admin"), settings)
        await client.patch("/v1/exercises/dips", json={"name": "Parallel bar dips"}, headers=admin)
        assert (await replica.get("/v1/exercises/dips")).json()["name"] == "Dips"
        await replica_cache.check_version(joined_sessions)  # what its background task does
        assert (await replica.get("/v1/exercises/dips")).json()["name"] == "Parallel bar dips"


async def test_pages_served_before_routing_keep_cors_logs_and_metrics(client: AsyncClient) -> None:
    labels = {"method": "GET", "route": "/v1/exercises/{slug}", "status": "200"}
    before = REGISTRY.get_sample_value("backfit_http_requests_total", labels) or 0.0
    origin = {"Origin": "https://app.example"}
    rendered = await client.get("/v1/exercises/plank", headers=origin)
    cached = await client.get("/v1/exercises/plank", headers=origin)
    assert cached.content == rendered.content
    assert cached.headers["etag"] == rendered.headers["etag"]
    assert cached.headers["access-control-allow-origin"] == "https://app.example"
    assert cached.headers["x-request-id"] != rendered.headers["x-request-id"]
    revalidated = await client.get(
        "/v1/exercises/plank", headers={"If-None-Match": cached.headers["etag"]}
    )
    assert revalidated.status_code == 304
    after = REGISTRY.get_sample_value("backfit_http_requests_total", labels) or 0.0
    assert after == before + 2


async def test_an_invalid_request_is_never_cached(client: AsyncClient) -> None:
    for _ in range(2):
        response = await client.get("/v1/exercises", params={"limit": 1000})
        assert response.status_code == 422


async def test_classes_cached_by_a_failed_plan_request_serve_the_next(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    # The first request loads the classes on its own session, then fails and rolls back.
    headers = auth_headers(await make_user(db_session, equipment=["mat", "dumbbells"]), settings)
    too_many = {"week_start": "2026-11-23", "sessions_per_week": 7}
    refused = await client.post("/v1/me/plans", json=too_many, headers=headers)
    assert refused.status_code == 422
    created = await client.post("/v1/me/plans", json={"week_start": "2026-11-23"}, headers=headers)
    assert created.status_code == 201, created.text


async def test_the_version_watch_ends_when_a_cancelled_check_fails_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The driver may turn a cancellation mid-query into its own error (a failed rollback);
    # the watch must still end, or a worker's shutdown waits for it forever.
    cache = CatalogCache(version_check_seconds=0.01)
    checking = asyncio.Event()

    async def check_cut_short(_sessionmaker: object) -> None:
        checking.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("the session's rollback failed") from None

    monkeypatch.setattr(cache, "check_version", check_cut_short)

    async def watch_one_check() -> None:
        async with cache.watching(sessionmaker=None):  # type: ignore[arg-type]
            await checking.wait()

    watching = asyncio.create_task(watch_one_check())
    done, _ = await asyncio.wait({watching}, timeout=5)
    assert watching in done, "the version watch did not end when its context closed"
