"""Writers of two workers take turns at SQLite's write lock: one worker's writers, queued back
to back, never keep another worker's writer waiting for more than a few transactions.

SQLite's busy handler polls with sleeps that grow to 100 ms, so a writer of one process seldom
finds the lock free between two transactions of a busy process, and waits until it is idle or
the busy timeout passes. Each "worker" here is a thread with its own event loop and engine, as
each uvicorn worker has.
"""

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, update

from app.accounts.models import User
from app.config import Settings
from app.db import create_engine, create_sessionmaker, take_write_lock
from app.sqlite_writers import WriteTurns
from tests.conftest import migrate
from tests.faults.support import print_figures
from tests.load.support import make_users

HOLD_SECONDS = 0.02  # how long each transaction keeps the lock once it has written
BUSY_WRITERS = 6
LONE_WRITES = 5
WORST_WAIT_SECONDS = 0.5  # some twenty transactions of the busy worker


async def write_once(settings: Settings, user_id: int, minutes: int) -> float:
    """One writing transaction that holds the lock for HOLD_SECONDS; the seconds it waited."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            take_write_lock(session)
            started = time.monotonic()
            await session.exec(
                update(User).where(col(User.id) == user_id).values(max_session_minutes=minutes)
            )
            waited = time.monotonic() - started
            await asyncio.sleep(HOLD_SECONDS)
            await session.commit()
    finally:
        await engine.dispose()
    return waited


async def busy_worker(settings: Settings, user_id: int, stop: threading.Event) -> int:
    """BUSY_WRITERS writers of one engine, each writing again as soon as it has committed."""
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    committed = 0

    async def writer(index: int) -> None:
        nonlocal committed
        while not stop.is_set():
            async with sessionmaker() as session:
                take_write_lock(session)
                await session.exec(
                    update(User).where(col(User.id) == user_id).values(max_session_minutes=index)
                )
                await asyncio.sleep(HOLD_SECONDS)
                await session.commit()
            committed += 1

    try:
        await asyncio.gather(*(writer(index) for index in range(BUSY_WRITERS)))
    finally:
        await engine.dispose()
    return committed


def test_a_lone_writer_gets_its_turn_while_another_worker_writes_back_to_back(
    scratch_database_url: str, record_property: Callable[[str, object], None]
) -> None:
    migrate(scratch_database_url)
    settings = Settings(database_url=scratch_database_url, env="test")
    busy, lone = asyncio.run(make_users(scratch_database_url, 2, f"turns-{uuid.uuid4().hex[:8]}"))
    assert busy.id is not None
    assert lone.id is not None
    stop = threading.Event()
    results: dict[str, int] = {}

    def run_busy_worker() -> None:
        results["busy commits"] = asyncio.run(busy_worker(settings, busy.id or 0, stop))

    busy_thread = threading.Thread(target=run_busy_worker)
    busy_thread.start()
    try:
        time.sleep(0.5)  # the busy worker's writers are queued by now
        waits = [
            asyncio.run(write_once(settings, lone.id, minutes)) for minutes in range(LONE_WRITES)
        ]
    finally:
        stop.set()
        busy_thread.join(timeout=60)

    figures: dict[str, object] = {
        "store": scratch_database_url.split(":")[0],
        "lone writer's waits (ms)": [round(wait * 1000) for wait in waits],
        **results,
    }
    print_figures("A lone writer beside a busy worker", figures)
    for name, value in figures.items():
        record_property(name, value)
    assert not busy_thread.is_alive()
    assert max(waits) < WORST_WAIT_SECONDS


def test_a_turn_that_comes_after_its_writer_gave_up_is_let_go(tmp_path: Path) -> None:
    turns = WriteTurns(str(tmp_path / "store.db"))

    async def give_up_then_take() -> None:
        first = await turns.take()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await turns.take()  # a request that stops waiting (timeout, cancelled)
        WriteTurns.give_back(first)
        # The turn of the writer that gave up comes now, and must not be kept.
        async with asyncio.timeout(10):
            WriteTurns.give_back(await turns.take())

    asyncio.run(give_up_then_take())
