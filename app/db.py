"""Engine, metadata conventions and the request-scoped database session."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, TypeDecorator, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings

# Named constraints make migrations reviewable and let SQLite batch-migrate them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_LOCK_OPTION = "backfit_write_lock"


def configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout and foreign keys on every connection; explicit BEGINs."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writing request takes the write lock up front: a deferred transaction that reads
        # and then writes can fail at once with "database is locked", whatever the busy
        # timeout. Reads stay deferred so they never queue behind writers (WAL).
        if connection.get_execution_options().get(WRITE_LOCK_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def create_engine(settings: Settings) -> AsyncEngine:
    """The async engine for the configured database, tuned per dialect."""
    # hide_parameters: a logged database error must never carry the values it was given
    # (password hashes, tokens, emails); the statement alone says what failed.
    if settings.is_sqlite:
        engine = create_async_engine(settings.database_url, hide_parameters=True)
        configure_sqlite(engine)
        return engine
    # A fixed-size pool: overflow connections churn under load and each pays for a login.
    return create_async_engine(
        settings.database_url,
        hide_parameters=True,
        pool_size=settings.database_pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        pool_timeout=10,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the endpoint succeeds."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


def take_write_lock(session: AsyncSession) -> None:
    """On SQLite, begin this session's transactions with the write lock (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with "database is
    locked", whatever the busy timeout. The option applies when the session next needs a
    connection, so the lock is taken at the first statement, not while the endpoint still
    works without the database (hashing a password first would serialize writers behind it).
    """
    session.sync_session.execution_options = session.sync_session.execution_options.union(
        {WRITE_LOCK_OPTION: True}
    )


async def _declare_writes(session: DbSession) -> None:
    take_write_lock(session)


# A route that writes says so: `@router.post(..., dependencies=[WRITES])`. Route dependencies
# run before the others, so the lock is requested before the first statement of the request.
WRITES = Depends(_declare_writes)


async def start_writing(session: AsyncSession) -> None:
    """End the request's reads so far and take the write lock for what follows.

    For routes that do slow work (Argon2) between reading and writing: on SQLite the write
    lock must not be held meanwhile. Only reads may come before; they have nothing to commit.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("start_writing must come before the request's first write")
    await session.commit()
    take_write_lock(session)


@asynccontextmanager
async def committed_now(session: AsyncSession) -> AsyncIterator[None]:
    """A unit of work committed at the end of the block, kept even if the request then fails.

    For the few writes that must outlive a failing request (a sign-in attempt counts although
    the request ends in 401). It must come first in the request: anything the session held
    already would be committed with it, so that is refused.
    """
    if session.in_transaction():
        raise RuntimeError("committed_now must start the request's work")
    take_write_lock(session)
    try:
        yield
        await session.commit()
    except BaseException:
        await session.rollback()
        raise


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so every value is converted to UTC on the way in and tagged as
    UTC on the way out; PostgreSQL's ``timestamptz`` round-trips the same values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
