"""Many concurrent writers on one database: no "database is locked", every workout stored.

SQLite allows one writer at a time; the app takes the write lock when a writing transaction
begins (BEGIN IMMEDIATE) and waits up to a busy timeout for it. Eight writers logging fifty
workouts each must all get through: once through the app's own engine and session stack from
eight threads (each with its own event loop and engine, as separate workers would have), and
once over HTTP against two uvicorn workers. Both run on the store under test, so the PostgreSQL
run checks the same numbers there.
"""

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from app.accounts.models import RegisterRequest, User
from app.accounts.service import register
from app.catalog.cache import CatalogCache
from app.config import Settings
from app.db import create_engine, create_sessionmaker, get_db_session, take_write_lock, utc_now
from app.workouts.models import WorkoutCreate
from app.workouts.service import log_workout
from tests.conftest import migrate
from tests.faults.support import PASSWORD, print_figures, scalar, served, sign_up

pytestmark = pytest.mark.anyio

WRITERS = 8
WORKOUTS_EACH = 50
LOCKED = "database is locked"

request_session = asynccontextmanager(get_db_session)


def post_request(sessionmaker: async_sessionmaker[AsyncSession]) -> Request:
    """A bare POST request, enough for ``get_db_session`` to open a writing session."""
    app = SimpleNamespace(state=SimpleNamespace(sessionmaker=sessionmaker))
    return Request({"type": "http", "method": "POST", "path": "/", "headers": [], "app": app})


async def create_user(settings: Settings, email: str) -> int:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            user = await register(session, request=RegisterRequest(email=email, password=PASSWORD))
            await session.commit()
    finally:
        await engine.dispose()
    assert user.id is not None
    return user.id


async def write_workouts(
    settings: Settings, user_id: int, writer: int, run: str, errors: Counter[str]
) -> None:
    """One writer: its own engine, one request-like session per workout."""
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        for index in range(WORKOUTS_EACH):
            key = f"{run}-t{writer}-w{index}"
            draft = WorkoutCreate(
                completed_at=datetime(2026, 11, 23, 18, tzinfo=UTC) - timedelta(minutes=index),
                duration_minutes=20,
                notes=key,
            )
            try:
                async with request_session(post_request(sessionmaker)) as session:
                    take_write_lock(session)  # what the workout route declares on SQLite
                    # Read, then write, in one transaction: as a signed-in request does.
                    user = await session.get(User, user_id)
                    assert user is not None
                    await log_workout(
                        session,
                        user=user,
                        draft=draft,
                        idempotency_key=key,
                        now=utc_now(),
                        catalog=CatalogCache(),
                    )
            except Exception as error:
                errors[LOCKED if LOCKED in str(error) else type(error).__name__] += 1
    finally:
        await engine.dispose()


def test_writer_threads_on_the_apps_engine(
    scratch_database_url: str, record_property: Callable[[str, object], None]
) -> None:
    migrate(scratch_database_url)
    settings = Settings(database_url=scratch_database_url, env="test")
    run = uuid.uuid4().hex[:8]
    user_id = asyncio.run(create_user(settings, f"threads-{run}@example.com"))
    errors: Counter[str] = Counter()
    crashed: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer_thread(writer: int) -> None:
        try:
            start.wait(timeout=30)
            asyncio.run(write_workouts(settings, user_id, writer, run, errors))
        except BaseException as error:  # reported below instead of lost with the thread
            crashed.append(error)

    threads = [threading.Thread(target=writer_thread, args=(n,)) for n in range(WRITERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    stored = asyncio.run(scalar(scratch_database_url, "SELECT count(DISTINCT notes) FROM workout"))
    rows = asyncio.run(scalar(scratch_database_url, "SELECT count(*) FROM workout"))

    figures: dict[str, object] = {
        "store": scratch_database_url.split(":")[0],
        "writers x workouts": f"{WRITERS} threads x {WORKOUTS_EACH}",
        f"'{LOCKED}' errors": errors[LOCKED],
        "other errors": {name: n for name, n in errors.items() if name != LOCKED},
        "rows": rows,
        "distinct workouts": stored,
        "seconds": round(elapsed, 2),
        "workouts per second": round(WRITERS * WORKOUTS_EACH / elapsed),
    }
    print_figures("Writer threads through app.db (own loop and engine each)", figures)
    for name, value in figures.items():
        record_property(name, value)

    assert not any(thread.is_alive() for thread in threads)
    assert crashed == []
    assert errors == Counter()
    assert rows == stored == WRITERS * WORKOUTS_EACH


async def client_writes(
    base_url: str, token: str, writer: int, run: str, statuses: Counter[int | None]
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers) as client:
        for index in range(WORKOUTS_EACH):
            key = f"{run}-c{writer}-w{index}"
            body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "notes": key}
            try:
                response = await client.post(
                    "/v1/me/workouts", json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                statuses[None] += 1
            else:
                statuses[response.status_code] += 1


@pytest.mark.slow
async def test_concurrent_http_writers(
    scratch_database_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    run = uuid.uuid4().hex[:8]
    statuses: Counter[int | None] = Counter()
    with served(scratch_database_url, tmp_path / "server.log", workers=2) as service:
        token = sign_up(service.base_url, f"http-writers-{run}@example.com")
        started = time.monotonic()
        await asyncio.gather(
            *(client_writes(service.base_url, token, n, run, statuses) for n in range(WRITERS))
        )
        elapsed = time.monotonic() - started
        locked = service.log().count(LOCKED)
        unhandled = service.unhandled_errors()
    rows = await scalar(scratch_database_url, "SELECT count(*) FROM workout")
    stored = await scalar(scratch_database_url, "SELECT count(DISTINCT notes) FROM workout")

    figures: dict[str, object] = {
        "store": scratch_database_url.split(":")[0],
        "clients x workouts": f"{WRITERS} clients x {WORKOUTS_EACH}",
        "statuses": {str(status): n for status, n in statuses.items()},
        f"'{LOCKED}' logged": locked,
        "rows": rows,
        "distinct workouts": stored,
        "seconds": round(elapsed, 2),
        "workouts per second": round(WRITERS * WORKOUTS_EACH / elapsed),
    }
    print_figures("Concurrent HTTP writers (2 uvicorn workers)", figures)
    for name, value in figures.items():
        record_property(name, value)

    assert statuses == Counter({201: WRITERS * WORKOUTS_EACH})
    assert locked == 0
    assert not unhandled, "500s were logged:\n" + "\n".join(unhandled[:5])
    assert rows == stored == WRITERS * WORKOUTS_EACH
