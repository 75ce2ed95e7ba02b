"""Readiness means the store can take writes, and every outage answer is a 503 problem.

A read-only database once passed /readyz while every write answered 500; a database file
deleted under the running service passed too (writes went to the unlinked file and were
lost); a missing directory failed /readyz but the API answered 500.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import Settings
from app.main import create_app
from tests.conftest import migrate, seed

pytestmark = pytest.mark.anyio

REGISTRATION = {"email": "outage@example.com", "password": "long enough pw"}


@asynccontextmanager
async def app_on(database_url: str) -> AsyncIterator[AsyncClient]:
    """The app on its own engine for ``database_url`` (no test transaction around it)."""
    app = create_app(Settings(database_url=database_url, env="test"))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
            yield client
    finally:
        await app.state.engine.dispose()


def assert_outage(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1


async def set_read_only(database_url: str, read_only: bool) -> None:
    base, _, database = database_url.rpartition("/")
    engine = create_async_engine(
        f"{base}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    async with engine.connect() as connection:
        setting = "on" if read_only else "off"
        await connection.execute(
            text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = {setting}')
        )
    await engine.dispose()


@pytest.fixture
def migrated_url(scratch_database_url: str) -> str:
    migrate(scratch_database_url)
    seed(scratch_database_url)
    return scratch_database_url


async def test_a_read_only_store_is_not_ready_and_writes_are_503(migrated_url: str) -> None:
    scratch_database_url = migrated_url
    if scratch_database_url.startswith("sqlite"):
        path = scratch_database_url.partition(":///")[2]
        read_only_url = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    else:
        read_only_url = scratch_database_url
        await set_read_only(scratch_database_url, True)
    try:
        async with app_on(read_only_url) as client:
            ready = await client.get("/readyz")
            registered = await client.post("/v1/auth/register", json=REGISTRATION)
            catalog = await client.get("/v1/exercises")
    finally:
        if not scratch_database_url.startswith("sqlite"):
            await set_read_only(scratch_database_url, False)
    assert_outage(ready)
    assert_outage(registered)
    assert catalog.status_code == 200  # reads still work


async def test_a_deleted_database_file_is_not_ready(migrated_url: str) -> None:
    scratch_database_url = migrated_url
    if not scratch_database_url.startswith("sqlite"):
        pytest.skip("only SQLite keeps the database in a file the service opens itself")
    async with app_on(scratch_database_url) as client:
        assert (await client.get("/readyz")).status_code == 200
        path = Path(scratch_database_url.partition(":///")[2])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        assert_outage(await client.get("/readyz"))


async def test_a_missing_directory_is_503_everywhere(tmp_path: Path, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a directory is where SQLite keeps the database")
    async with app_on(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'backfit.db'}") as client:
        assert_outage(await client.get("/readyz"))
        assert_outage(await client.post("/v1/auth/register", json=REGISTRATION))
        assert_outage(await client.get("/v1/exercises"))
