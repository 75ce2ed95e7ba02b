"""Engine, metadata conventions and the request-scoped database session."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, Dialect, TypeDecorator, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import immutabledict
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.errors import Unprocessable
from app.sqlite_cursor import use_one_trip_cursors
from app.sqlite_writers import WRITE_LOCK_OPTION, line_up_writers

# Named constraints make migrations reviewable and let SQLite batch-migrate them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 5000
READ_ONLY_OPTION = "backfit_read_only"
# How a read-only request runs its statements without BEGIN and COMMIT round trips: asyncpg
# in autocommit (set on the client, sent nowhere); on SQLite the BEGIN below is skipped (the
# driver's own isolation level stays put, so returning the connection resets nothing).
READ_ONLY_OPTIONS: dict[str, dict[str, Any]] = {
    "postgresql": {"isolation_level": "AUTOCOMMIT"},
    "sqlite": {READ_ONLY_OPTION: True},
}


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
        # Reads stay deferred so they never queue behind writers (WAL); a read-only request
        # runs without BEGIN, and a writing one begins at its first write (sqlite_writers).
        options = connection.get_execution_options()
        if not (options.get(WRITE_LOCK_OPTION) or options.get(READ_ONLY_OPTION)):
            connection.exec_driver_sql("BEGIN")

    use_one_trip_cursors(engine)
    line_up_writers(engine, timeout_seconds=SQLITE_BUSY_TIMEOUT_MS / 1000)


def configure_postgresql(engine: AsyncEngine) -> None:
    """No JIT on the service's connections.

    PostgreSQL compiles any plan whose estimated cost crosses a threshold, and one misestimate
    turned a 3 ms statement into 300 ms; the service's statements are all short. A SET when
    the connection opens, not a startup parameter, which poolers such as PgBouncer refuse.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.run_async(lambda connection: connection.execute("SET jit = off"))


class TextWithNul(Unprocessable):
    """Text holding U+0000: PostgreSQL cannot store it and SQLite would, so neither does."""

    problem = "validation"

    def __init__(self) -> None:
        super().__init__("Text may not contain the NUL character (U+0000).")


def _holds_nul(parameters: Any) -> bool:
    if isinstance(parameters, str):
        return "\x00" in parameters
    if isinstance(parameters, dict):
        parameters = parameters.values()
    elif not isinstance(parameters, list | tuple):
        return False
    return any(_holds_nul(value) for value in parameters)


def refuse_nul_text(engine: AsyncEngine) -> None:
    """Refuse text with NUL in any statement's parameters, on every store alike (a 422)."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _check(_conn: Any, _cursor: Any, _sql: str, parameters: Any, *_rest: Any) -> None:
        if _holds_nul(parameters):
            raise TextWithNul


def create_engine(settings: Settings) -> AsyncEngine:
    """The async engine for the configured database, tuned per dialect."""
    # hide_parameters: a logged database error must never carry the values it was given
    # (password hashes, tokens, emails); the statement alone says what failed.
    # A fixed-size pool on both stores: overflow connections churn under load (each pays for
    # a login on PostgreSQL), and one bound makes "one connection per request" hold on both.
    pool = {"pool_size": settings.database_pool_size, "max_overflow": 0, "pool_timeout": 10}
    if settings.is_sqlite:
        in_memory = make_url(settings.database_url).database in (None, "", ":memory:")
        # An in-memory database lives in its one connection (SQLAlchemy's StaticPool).
        engine = create_async_engine(
            settings.database_url, hide_parameters=True, **({} if in_memory else pool)
        )
        configure_sqlite(engine)
    else:
        # No pre-ping (a round trip on every checkout): a connection found dead fails its
        # request with a 503 and invalidates every connection opened before it.
        engine = create_async_engine(settings.database_url, hide_parameters=True, **pool)
        configure_postgresql(engine)
    refuse_nul_text(engine)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the endpoint succeeds."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            if isinstance(session.bind, AsyncEngine):
                # Reads by default: no BEGIN/COMMIT round trips. A route that writes declares
                # it (WRITES), which swaps these options for the write lock. Not for a session
                # joined to an outer transaction (the tests'): that one keeps its own.
                session.sync_session.execution_options = (
                    session.sync_session.execution_options.union(
                        READ_ONLY_OPTIONS[session.bind.dialect.name]
                    )
                )
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
DbSession = Annotated[AsyncSession, Depends(get_db_session, scope="function")]


def take_write_lock(session: AsyncSession) -> None:
    """On SQLite, take the write lock (BEGIN IMMEDIATE) at each transaction's first write.

    A deferred transaction that reads and then writes can fail at once with "database is
    locked", whatever the busy timeout. Reads before the first write run without a
    transaction, and the lock is held from that write to the commit (app/sqlite_writers.py).
    """
    _transaction_options(session, {WRITE_LOCK_OPTION: True})


def _transaction_options(session: AsyncSession, options: dict[str, Any]) -> None:
    """Run the session's statements in real transactions again, with ``options``."""
    kept = {
        name: value
        for name, value in session.sync_session.execution_options.items()
        if name not in ("isolation_level", READ_ONLY_OPTION)
    }
    session.sync_session.execution_options = immutabledict({**kept, **options})


async def _declare_snapshot(session: DbSession) -> None:
    # SQLite: a deferred BEGIN reads one WAL snapshot from its first statement on.
    dialect = session.bind.dialect.name if isinstance(session.bind, AsyncEngine) else "sqlite"
    _transaction_options(
        session, {"isolation_level": "REPEATABLE READ"} if dialect == "postgresql" else {}
    )


# A read whose statements must agree with each other (a sync page and the rows it names) says
# so: `dependencies=[SNAPSHOT]`; other reads run statement by statement, with no transaction.
SNAPSHOT = Depends(_declare_snapshot)


async def _declare_writes(session: DbSession) -> None:
    take_write_lock(session)


# A route that writes says so: `@router.post(..., dependencies=[WRITES])`. Route dependencies
# run before the others, so every statement of the request is under the declaration.
WRITES = Depends(_declare_writes)


async def _declare_one_statement_writes(session: DbSession) -> None:
    # PostgreSQL writes these in one statement, atomic on its own: it runs in the reads'
    # autocommit, with no BEGIN and COMMIT round trips. SQLite writes them in several
    # statements, so there the request takes the write lock as WRITES does.
    if session.get_bind().dialect.name == "sqlite":
        take_write_lock(session)


# A route whose writes are one statement on PostgreSQL says so instead of WRITES.
ONE_STATEMENT_WRITES = Depends(_declare_one_statement_writes)


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
