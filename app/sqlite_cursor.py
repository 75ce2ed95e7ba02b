"""SQLite statements in one trip to aiosqlite's thread, or on the loop's thread for the writer.

SQLAlchemy's aiosqlite cursor makes a trip to aiosqlite's thread for each step of a statement
(open a cursor, execute, fetch, close), and each answer waits behind the work of every other
request on the event loop: under load a four-statement read paid sixteen such waits, and a
write transaction, holding SQLite's one write lock all along, tens of milliseconds. Here a
statement is one trip: its rows are read with it, as SQLAlchemy's cursor reads them too. The
writer that holds the write lock (sqlite_writers) waits for no lock (WAL) and no disk
(synchronous=NORMAL), so its statements run on the loop's thread, as a sync driver runs them,
and it commits without giving the loop to anyone first.
"""

import collections
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

# Connection info naming the sqlite3 connection whose statements run on the loop's thread.
RUN_ON_LOOP = "backfit_sqlite_on_loop"

_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall()
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


async def _at_once(outcome: _Outcome) -> _Outcome:
    # SQLAlchemy's AsyncConnection.execute insists that its driver awaited something.
    return outcome


class OneTripCursor:
    """A DBAPI cursor whose statements each make one trip to aiosqlite's thread, or none."""

    arraysize = 1

    def __init__(self, connection: sqlite3.Connection, thread: Any | None) -> None:
        self._connection = connection
        self._thread = thread  # the aiosqlite connection; None: run on the loop's thread
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: collections.deque[Any] = collections.deque()

    def _statement(self, operation: str, parameters: Any, *, many: bool) -> None:
        if self._thread is None:
            outcome = await_(_at_once(_run(self._connection, operation, parameters, many)))
        else:
            # aiosqlite's own queue to its thread, one call for the whole statement.
            run = self._thread._execute(_run, self._connection, operation, parameters, many)
            outcome = await_(run)
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    def execute(self, operation: str, parameters: Any = ()) -> None:
        self._statement(operation, parameters, many=False)

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        self._statement(operation, seq_of_parameters, many=True)

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """Nothing to keep: the rows were read with the statement (SQLAlchemy's async results
        ask every cursor)."""


def use_one_trip_cursors(engine: AsyncEngine) -> None:
    """Every statement of ``engine`` through a OneTripCursor."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _on_connect(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        # aiosqlite's thread opens the connection; the loop's thread uses it for the writer.
        params["check_same_thread"] = False

    dialect = engine.sync_engine.dialect

    class OneTripContext(dialect.execution_ctx_cls):  # type: ignore[misc,name-defined]
        def create_default_cursor(self) -> Any:
            on_loop = self.root_connection.info.get(RUN_ON_LOOP)
            if on_loop is not None:
                return OneTripCursor(on_loop, None)
            thread = self.root_connection.connection.driver_connection
            return OneTripCursor(thread._conn, thread)

    dialect.execution_ctx_cls = OneTripContext
