"""One unit of work per request: routes declare that they write (SQLite takes its write lock
for them, whatever the HTTP method), and the one helper for writes that outlive a failed
request refuses to commit anything the request did before it."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite
import pytest
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import User
from app.config import Settings
from app.db import committed_now, create_engine, create_sessionmaker
from app.main import create_app
from tests.conftest import migrate, seed
from tests.factories import PASSWORD, make_user

# Routes that write without declaring it up front: they check a password (Argon2) first
# and take the write lock only after (start_writing), or write from a background task.
WRITE_LOCK_TAKEN_LATER = {
    ("POST", "/v1/me/password"),
    ("DELETE", "/v1/me"),
    ("POST", "/v1/auth/password-reset"),
}
READ_ONLY_POSTS = {("POST", "/v1/plans/preview")}


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every API route, also inside included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found.extend(api_routes(included.routes))
    return found


def declared_writers() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    writing, changing = set(), set()
    for route in api_routes(create_app().routes):
        names = {getattr(dep.call, "__name__", "") for dep in route.dependant.dependencies}
        for method in route.methods or ():
            if names & {"_declare_writes", "_declare_one_statement_writes"}:
                writing.add((method, route.path))
            if method in {"POST", "PUT", "PATCH", "DELETE"}:
                changing.add((method, route.path))
    return writing, changing


def test_every_changing_route_declares_it_writes() -> None:
    writing, changing = declared_writers()
    assert changing - writing == WRITE_LOCK_TAKEN_LATER | READ_ONLY_POSTS
    # A GET that writes (it makes the feed's token on first use) says so too.
    assert ("GET", "/v1/me/calendar") in writing


async def statements_of(
    settings: Settings, who: str, method: str, path: str, body: dict[str, Any] | None = None
) -> list[str]:
    """Every statement one signed-in request sends, from BEGIN to the last."""
    app = create_app(settings)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        account = {"email": f"{who}@example.com", "password": PASSWORD}
        assert (await client.post("/v1/auth/register", json=account)).status_code == 201
        form = {"username": account["email"], "password": PASSWORD}
        token = (await client.post("/v1/auth/token", data=form)).json()["access_token"]
        event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.request(method, path, json=body, headers=headers)
        assert response.is_success, response.text
    await app.state.engine.dispose()
    return statements


def begins_of(settings: Settings, path: str, who: str) -> list[str]:
    statements = asyncio.run(statements_of(settings, who, "GET", path))
    return [statement for statement in statements if statement.startswith("BEGIN")]


@pytest.fixture
def sqlite_settings(scratch_database_url: str) -> Settings:
    if not scratch_database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's; PostgreSQL locks rows")
    migrate(scratch_database_url)
    seed(scratch_database_url)
    return Settings(database_url=scratch_database_url, env="test")


def test_sqlite_takes_the_write_lock_only_for_routes_that_write(sqlite_settings: Settings) -> None:
    assert begins_of(sqlite_settings, "/v1/me/calendar", "a") == ["BEGIN IMMEDIATE"]
    # A read runs statement by statement: no transaction, no lock.
    assert begins_of(sqlite_settings, "/v1/me", "b") == []


def test_sqlite_takes_the_write_lock_at_the_first_write(sqlite_settings: Settings) -> None:
    # The signed-in user lookup and the catalog checks read without the lock: holding it
    # from the request's first statement kept every other writer waiting through them.
    workout = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20}
    sent = asyncio.run(statements_of(sqlite_settings, "c", "POST", "/v1/me/workouts", workout))
    begin = sent.index("BEGIN IMMEDIATE")
    assert sent[:begin], "the request reads before it writes"
    assert all(statement.startswith("SELECT") for statement in sent[:begin]), sent
    assert not sent[begin + 1].startswith("SELECT"), sent
    assert sent.count("BEGIN IMMEDIATE") == 1


def test_sqlite_statements_make_one_trip_to_the_driver_thread_each(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each trip's answer waits behind every other request on the event loop: a read of four
    # statements that made sixteen trips (cursor, execute, fetch, close) was that much slower.
    trips: list[str] = []
    queue: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await queue(self, fn, *args, **kwargs)

    async def trips_of_one_read() -> list[str]:
        engine = create_engine(sqlite_settings)
        async with create_sessionmaker(engine)() as session:
            await session.exec(select(User.id))  # connected, transaction begun
            trips.clear()
            rows = (await session.exec(select(User.email).limit(2))).all()
            made = list(trips)
        await engine.dispose()
        assert isinstance(rows, list)
        return made

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    assert asyncio.run(trips_of_one_read()) == ["_run"]


@pytest.mark.anyio
async def test_committed_now_refuses_to_commit_earlier_work(db_session: AsyncSession) -> None:
    await make_user(db_session)
    (await db_session.exec(select(User))).first()  # the request's work has begun
    with pytest.raises(RuntimeError, match="must start the request's work"):
        async with committed_now(db_session):
            pass


@pytest.mark.anyio
async def test_postgresql_connections_plan_without_jit(database_url: str) -> None:
    # JIT compiles a plan whose estimated cost crosses a threshold: a misestimated one made a
    # 3 ms stats query take 300 ms. The service's statements are short; JIT never pays there.
    if database_url.startswith("sqlite"):
        pytest.skip("JIT is PostgreSQL's")
    engine = create_engine(Settings(database_url=database_url, env="test"))
    try:
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("SHOW jit")).scalar_one() == "off"
    finally:
        await engine.dispose()
