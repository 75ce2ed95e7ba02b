"""Real databases for every test: SQLite always, PostgreSQL when its URL is given.

``BACKFIT_TEST_DATABASE_URLS`` (comma-separated) picks the stores; the default is a fresh
SQLite file. Each store is migrated with ``alembic upgrade head`` and seeded once per run;
each test then runs inside a transaction that is rolled back, so tests never see each
other's rows.
"""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings, normalise_database_url
from app.db import (
    configure_sqlite,
    create_engine,
    create_sessionmaker,
    refuse_nul_text,
    utc_now,
)
from app.main import create_app
from app.migrations_state import alembic_config
from app.seed import seed_catalog

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def requested_database_urls(tmp_root: Path) -> list[str]:
    configured = os.environ.get("BACKFIT_TEST_DATABASE_URLS", "")
    urls = [normalise_database_url(url.strip()) for url in configured.split(",") if url.strip()]
    return urls or [f"sqlite+aiosqlite:///{tmp_root / 'backfit-test.db'}"]


def reset_database(url: str) -> None:
    """Drop everything in the database at ``url`` so migrations start from nothing."""

    async def drop() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    if url.startswith("sqlite"):
        Path(url.partition(":///")[2]).unlink(missing_ok=True)
    else:
        asyncio.run(drop())


def migrate(url: str, revision: str = "head") -> None:
    config = alembic_config(url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


def seed(url: str) -> None:
    async def load() -> None:
        engine = create_engine(Settings(database_url=url, env="test"))
        async with create_sessionmaker(engine)() as session:
            await seed_catalog(session, SEED_DIR)
            await session.commit()
        await engine.dispose()

    asyncio.run(load())


def database_ids() -> list[str]:
    return [url.split(":")[0].split("+")[0] for url in requested_database_urls(Path("/unused"))]


@pytest.fixture(scope="session", params=database_ids())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded database (one per configured store)."""
    urls = dict(
        zip(database_ids(), requested_database_urls(tmp_path_factory.mktemp("db")), strict=True)
    )
    url = urls[request.param]
    reset_database(url)
    migrate(url)
    seed(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # A key of its own, so factories can sign test tokens without reading the database's.
    return Settings(
        database_url=database_url,
        env="test",
        cors_origins=["https://app.example"],
        secret_key=secrets.token_hex(32),
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[AsyncEngine]:
    # NullPool: each test's event loop gets its own connection (asyncpg's are loop-bound).
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    if settings.is_sqlite:
        configure_sqlite(engine)
    refuse_nul_text(engine)
    yield engine
    engine.sync_engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def db_session(connection: AsyncConnection) -> AsyncSession:
    """A session for arranging and checking data, joined to the test's transaction."""
    return AsyncSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def joined_sessions(connection: AsyncConnection) -> Callable[[], AsyncSession]:
    """A session factory for apps under test: sessions commit to savepoints of the test."""

    def joined_session() -> AsyncSession:
        return AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return joined_session


class PinnableClock:
    """The app's clock in a test: the real time unless the test pins ``now``."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or utc_now()


@pytest.fixture
def clock() -> PinnableClock:
    return PinnableClock()


@pytest.fixture
async def client(
    settings: Settings, joined_sessions: Callable[[], AsyncSession], clock: PinnableClock
) -> AsyncIterator[AsyncClient]:
    """The real ASGI app over HTTP, inside the test's transaction, on the test's clock."""
    app = create_app(settings)
    app.state.sessionmaker = joined_sessions
    app.state.clock = clock
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


@contextmanager
def scratch_database(database_url: str, directory: Path, name: str) -> Iterator[str]:
    """An empty database of the same store as ``database_url``, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{directory / f'{name}.db'}"
        return
    base, _, database = database_url.rpartition("/")
    scratch = f"{database}_{name}"

    async def recreate(drop_only: bool) -> None:
        engine = create_async_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            if not drop_only:
                await connection.execute(text(f'CREATE DATABASE "{scratch}"'))
        await engine.dispose()

    asyncio.run(recreate(drop_only=False))
    try:
        yield f"{base}/{scratch}"
    finally:
        asyncio.run(recreate(drop_only=True))


@pytest.fixture
def scratch_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the store under test, for tests that migrate or serve on their own."""
    with scratch_database(database_url, tmp_path, "scratch") as url:
        yield url
