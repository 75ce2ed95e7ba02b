"""SQLite's one write lock: taken at a transaction's first write, by writers in turn.

A writing transaction begins without a lock, so the reads that come first (the signed-in
user, the catalog checks) keep no other writer waiting; its first write takes the lock with
BEGIN IMMEDIATE, and the commit gives it back. Until then the reads run statement by statement,
each seeing what is committed when it runs, as under PostgreSQL's READ COMMITTED: a service
that is right there is right here.

Writers line up twice before BEGIN IMMEDIATE: in order in their process (an asyncio lock), and
across processes with two flock()ed files beside the database. SQLite's own wait, its busy
handler, polls with sleeps that grow to 100 ms, so a writer of one process seldom found the
lock free between two transactions of a busy one and waited until that one idled, or for the
whole busy timeout. A blocked flock() is woken when the lock is given back. The gate file is
held by the writer waiting for the lock file, until it has it: a writer that just gave the
lock back must pass the gate first, so it cannot take the lock again ahead of the waiting one.
"""

import asyncio
import fcntl
import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

from app.sqlite_cursor import RUN_ON_LOOP

# The execution option that makes a session's transactions take the write lock.
WRITE_LOCK_OPTION = "backfit_write_lock"
_WRITE_EXPECTED = "backfit_write_expected"
_WRITER_QUEUED = "backfit_writer_queued"
_WRITE_TURN = "backfit_write_turn"


class WriteTurnTimeout(TimeoutError):
    """Other writers kept the write lock past the busy timeout: the store is busy (a 503)."""


def _try_flock(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class WriteTurns:
    """Turns at a SQLite file's write lock among processes (and engines) that share it."""

    def __init__(self, database_path: str) -> None:
        self._gate_path = f"{database_path}-writer-gate"
        self._turn_path = f"{database_path}-writer-turn"

    async def take(self) -> int:
        """Wait for this writer's turn; the descriptor that holds it, for ``give_back``."""
        # New descriptors each time: flock() belongs to an open file, so two writers of one
        # process exclude each other, and a turn taken after its writer gave up is let go.
        gate = os.open(self._gate_path, os.O_RDWR | os.O_CREAT, 0o644)
        turn = os.open(self._turn_path, os.O_RDWR | os.O_CREAT, 0o644)
        if _try_flock(gate) and _try_flock(turn):
            os.close(gate)
            return turn
        loop = asyncio.get_running_loop()
        taken: asyncio.Future[int] = loop.create_future()

        def settle(error: OSError | None) -> None:
            if error is None and not taken.done():
                taken.set_result(turn)
                return
            os.close(turn)  # the writer gave up (timeout, cancelled request) or flock failed
            if error is not None and not taken.done():
                taken.set_exception(error)

        def wait_in_line() -> None:
            error: OSError | None = None
            try:
                fcntl.flock(gate, fcntl.LOCK_EX)
                fcntl.flock(turn, fcntl.LOCK_EX)
            except OSError as failure:
                error = failure
            finally:
                os.close(gate)
            try:
                loop.call_soon_threadsafe(settle, error)
            except RuntimeError:  # the event loop has closed: no one waits for this turn
                os.close(turn)

        # A daemon thread per wait, not the loop's executor: a worker that shuts down must not
        # wait for a turn that no request needs any more.
        threading.Thread(target=wait_in_line, name="sqlite-writer-turn", daemon=True).start()
        try:
            return await taken
        except BaseException:
            # Given up: a turn that came meanwhile is let go now, one still to come by settle.
            if not taken.cancel() and not taken.cancelled() and taken.exception() is None:
                os.close(turn)
            raise

    @staticmethod
    def give_back(turn: int) -> None:
        """End the turn ``take`` gave."""
        os.close(turn)


def _only_reads(statement: Any) -> bool:
    """A SELECT that locks nothing. FOR UPDATE, which locks rows on PostgreSQL, takes the
    write lock here: what a service reads that way must not change before it writes."""
    if getattr(statement, "is_select", False):
        return getattr(statement, "_for_update_arg", None) is None
    text = getattr(statement, "text", None)
    return isinstance(text, str) and text.lstrip()[:6].upper() == "SELECT"


def line_up_writers(engine: AsyncEngine, *, timeout_seconds: float) -> None:
    """Take the write lock at each writing transaction's first write, in turn (see above)."""
    database = engine.url.database
    turns = WriteTurns(database) if database not in (None, "", ":memory:") else None
    writer_queue = asyncio.Lock()
    busy_timeout_ms = round(timeout_seconds * 1000)

    async def line_up(info: dict[str, Any]) -> None:
        try:
            async with asyncio.timeout(timeout_seconds):
                await writer_queue.acquire()
                info[_WRITER_QUEUED] = True
                if turns is not None:
                    info[_WRITE_TURN] = await turns.take()
        except TimeoutError:
            raise WriteTurnTimeout(
                f"no turn to write within {timeout_seconds:g} s: other writers hold the store"
            ) from None

    def give_back(info: dict[str, Any]) -> None:
        info.pop(_WRITE_EXPECTED, None)
        info.pop(RUN_ON_LOOP, None)
        if (turn := info.pop(_WRITE_TURN, None)) is not None:
            WriteTurns.give_back(turn)
        if info.pop(_WRITER_QUEUED, False):
            writer_queue.release()

    def begin_at_once(connection: Any, inline: sqlite3.Connection) -> bool:
        """BEGIN IMMEDIATE without waiting; False if a program other than the service writes."""
        inline.execute("PRAGMA busy_timeout=0")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as error:
            if getattr(error.orig, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY:
                return False
            raise
        finally:
            inline.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        return True

    def begin_immediately(connection: Any) -> None:
        """BEGIN IMMEDIATE, and the writer's statements on the loop's thread from here on."""
        inline: sqlite3.Connection = connection.connection.driver_connection._conn
        connection.info[RUN_ON_LOOP] = inline
        if begin_at_once(connection, inline):
            return
        # Wait for that program (the busy timeout) on aiosqlite's thread: the loop goes on.
        del connection.info[RUN_ON_LOOP]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        connection.info[RUN_ON_LOOP] = inline

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(WRITE_LOCK_OPTION):
            connection.info[_WRITE_EXPECTED] = True

    @event.listens_for(engine.sync_engine, "before_execute")
    def _before_execute(connection: Any, statement: Any, *_rest: Any) -> None:
        if not connection.info.get(_WRITE_EXPECTED) or _only_reads(statement):
            return
        del connection.info[_WRITE_EXPECTED]
        try:
            await_(line_up(connection.info))
            begin_immediately(connection)
        except BaseException:
            give_back(connection.info)
            raise

    @event.listens_for(engine.sync_engine, "commit")
    def _on_commit(connection: Any) -> None:
        if not connection.info.get(_WRITER_QUEUED):
            give_back(connection.info)
            return
        # COMMIT before the turn goes, so the next writer finds the lock free instead of
        # sleeping in SQLite's busy handler; the driver's own commit then has nothing to do.
        try:
            connection.exec_driver_sql("COMMIT")
        finally:
            give_back(connection.info)

    event.listen(engine.sync_engine, "rollback", lambda connection: give_back(connection.info))
    # A connection given back or dropped mid-transaction (a cancelled request) gives it up too.
    event.listen(engine.sync_engine.pool, "checkin", lambda _dbapi, record: give_back(record.info))
    event.listen(
        engine.sync_engine.pool,
        "invalidate",
        lambda _dbapi, record, _error: give_back(record.info),
    )
