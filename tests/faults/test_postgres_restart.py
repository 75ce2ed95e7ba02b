"""PostgreSQL restarts under a stream of workout writes: 503s only meanwhile, no lost writes.

Two uvicorn workers take a steady stream of ``POST /v1/me/workouts`` from a few clients, each
workout with its own Idempotency-Key and a unique marker in ``notes``. Mid-stream the machine's
PostgreSQL cluster is stopped for a few seconds and started again. A client whose request fails
retries it with the same key (as a phone app would) until it gets a 201.

Afterwards every workout that was acknowledged with a 201 must be in the database, each key must
have produced at most one row, errors must be 503 problem details with Retry-After (never a 500
or a dropped connection), and the service must recover within seconds of the database.
"""

import asyncio
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from math import inf
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import Settings
from app.main import create_app
from tests.faults.support import (
    change_pg,
    ensure_pg_running,
    pg_is_ready,
    print_figures,
    served,
    sign_up,
)

pytestmark = pytest.mark.anyio

CLIENTS = 4
MAX_REQUESTS = 4000  # a safety bound; a run sends far fewer
WORKOUT_PAUSE = 0.02  # seconds between one client's workouts
RETRY_PAUSE = 0.1  # seconds before a client retries a failed request
LEAD_IN = 1.5  # seconds of healthy stream before PostgreSQL goes down
OUTAGE = 2.5  # seconds from the stop command to the start command
TAIL = 4.0  # seconds the stream goes on once PostgreSQL accepts connections again
GIVE_UP_AFTER = 60.0  # seconds after which a client stops retrying (and the test fails)
RECOVERY_BOUND = 15.0
PROBLEM = "application/problem+json"


@dataclass
class Attempt:
    """One HTTP request of the stream and what came back."""

    key: str
    started: float
    ended: float
    status: int | None  # None: no response at all (reset, incomplete read, timeout)
    content_type: str = ""
    retry_after: str | None = None
    workout_id: int | None = None
    error: str = ""


@dataclass
class Outage:
    """When PostgreSQL was told to stop, was down, was told to start and was ready again."""

    stop_requested: float = 0.0
    down: float = 0.0
    start_requested: float = 0.0
    ready: float = 0.0
    readyz: tuple[int, str, str] | None = None  # status, content type, problem type
    healthz: int | None = None


@dataclass
class Stream:
    attempts: list[Attempt] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # key -> id from the 201


async def post_workout(client: httpx.AsyncClient, token: str, key: str) -> Attempt:
    body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "notes": key}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    started = time.monotonic()
    try:
        response = await client.post("/v1/me/workouts", json=body, headers=headers)
    except httpx.TransportError as error:
        return Attempt(key, started, time.monotonic(), None, error=repr(error))
    attempt = Attempt(
        key,
        started,
        time.monotonic(),
        response.status_code,
        content_type=response.headers.get("content-type", ""),
        retry_after=response.headers.get("retry-after"),
    )
    if response.status_code == 201:
        attempt.workout_id = response.json()["id"]
        assert response.json()["notes"] == key
    else:
        attempt.error = response.text[:300]
    return attempt


async def writer(
    client: httpx.AsyncClient,
    token: str,
    number: int,
    run: str,
    stream: Stream,
    stop: asyncio.Event,
    give_up_at: float,
) -> None:
    """Log workouts one after another; retry each failed one with its key until a 201."""
    index = 0
    while not stop.is_set() and len(stream.attempts) < MAX_REQUESTS:
        key = f"{run}-c{number}-w{index}"
        while True:
            attempt = await post_workout(client, token, key)
            stream.attempts.append(attempt)
            if attempt.workout_id is not None:
                stream.acknowledged[key] = attempt.workout_id
                break
            if time.monotonic() > give_up_at:
                return
            await asyncio.sleep(RETRY_PAUSE)
        index += 1
        await asyncio.sleep(WORKOUT_PAUSE)


def restart_postgres(base_url: str, outage: Outage, when_done: Callable[[], None]) -> None:
    """Stop the cluster, probe the service while it is down, start it again (runs in a thread).

    ``when_done`` runs at the end whatever happened, so the stream always winds down.
    """
    try:
        time.sleep(LEAD_IN)
        outage.stop_requested = time.monotonic()
        outage.down = change_pg("stop", ready=False)
        with httpx.Client(base_url=base_url, timeout=15) as probe:
            readyz = probe.get("/readyz")
            problem = readyz.json().get("type", "") if readyz.content else ""
            outage.readyz = (readyz.status_code, readyz.headers.get("content-type", ""), problem)
            outage.healthz = probe.get("/healthz").status_code
        time.sleep(max(0.0, outage.stop_requested + OUTAGE - time.monotonic()))
        outage.start_requested = time.monotonic()
        outage.ready = change_pg("start", ready=True)
    finally:
        when_done()


async def stored_workouts(database_url: str) -> dict[str, list[int]]:
    """The workouts in the database, by the marker in their notes."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, notes FROM workout"))).all()
    finally:
        await engine.dispose()
    stored: dict[str, list[int]] = defaultdict(list)
    for workout_id, notes in rows:
        stored[notes].append(workout_id)
    return stored


def driver_error(error: Exception, *, invalidated: bool = False) -> DBAPIError:
    """``error`` as SQLAlchemy raises it: wrapped in the dialect's error, then a DBAPIError."""
    adapted = Exception(str(error))
    adapted.__cause__ = error
    return DBAPIError("SELECT 1", None, adapted, connection_invalidated=invalidated)


OUTAGE_ERRORS: dict[str, Exception] = {
    "refused connect": ConnectionRefusedError(111, "Connect call failed"),
    "connect timeout": TimeoutError(),
    "multi-address connect": OSError("Multiple exceptions: [Errno 111] Connect call failed"),
    "pool exhausted": PoolTimeoutError("QueuePool limit reached"),
    "invalidated connection": driver_error(Exception("closed"), invalidated=True),
    "shutting down on connect": driver_error(
        asyncpg.CannotConnectNowError("the database system is shutting down")
    ),
    "starting up on connect": driver_error(
        asyncpg.CannotConnectNowError("the database system is starting up")
    ),
    "admin shutdown mid-query": driver_error(
        asyncpg.AdminShutdownError("terminating connection due to administrator command")
    ),
    "closed mid-query": driver_error(
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    ),
}
BUG_ERRORS: dict[str, Exception] = {
    "syntax error": driver_error(asyncpg.PostgresSyntaxError("syntax error at or near")),
    "undefined table": driver_error(asyncpg.UndefinedTableError('relation "x" does not exist')),
    "plain bug": ValueError("a bug"),
}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        *((pytest.param(e, 503, id=name) for name, e in OUTAGE_ERRORS.items())),
        *((pytest.param(e, 500, id=name) for name, e in BUG_ERRORS.items())),
    ],
)
async def test_database_outage_errors_are_503_and_bugs_500(
    error: Exception, status: int, tmp_path: Path
) -> None:
    """Each shape a database outage takes is a 503 with Retry-After; other errors stay 500s."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", env="test"))

    async def fail() -> None:
        raise error

    app.add_api_route("/fail", fail)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/fail")
    await app.state.engine.dispose()
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert ("retry-after" in response.headers) == (status == 503)


@pytest.mark.slow
async def test_postgres_restart_loses_no_acknowledged_write(
    scratch_database_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    if scratch_database_url.startswith("sqlite"):
        pytest.skip("restarts the machine's PostgreSQL; runs when PostgreSQL is the store")
    ensure_pg_running()
    run = uuid.uuid4().hex[:8]
    stream = Stream()
    outage = Outage()
    try:
        with served(scratch_database_url, tmp_path / "server.log", workers=2) as service:
            token = sign_up(service.base_url, f"restart-{run}@example.com")
            loop = asyncio.get_running_loop()
            stop = asyncio.Event()

            def stop_soon() -> None:  # called from the restart thread once it is done
                loop.call_soon_threadsafe(loop.call_later, TAIL, stop.set)

            limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
            async with httpx.AsyncClient(
                base_url=service.base_url, timeout=30, limits=limits
            ) as client:
                give_up_at = time.monotonic() + GIVE_UP_AFTER
                restart = asyncio.create_task(
                    asyncio.to_thread(restart_postgres, service.base_url, outage, stop_soon)
                )
                try:
                    await asyncio.gather(
                        *(
                            writer(client, token, number, run, stream, stop, give_up_at)
                            for number in range(CLIENTS)
                        )
                    )
                finally:
                    await restart
                # A retry of an acknowledged key replays the same workout, it never adds one.
                retried = sorted(
                    {a.key for a in stream.attempts if a.status != 201} & set(stream.acknowledged)
                )
                replays = [await post_workout(client, token, key) for key in retried]
            unhandled = service.unhandled_errors()
        stored = await stored_workouts(scratch_database_url)
    finally:
        ensure_pg_running()

    attempts = stream.attempts
    statuses = Counter(a.status for a in attempts)
    failures = [a for a in attempts if a.status != 201]
    lost = [key for key, wid in stream.acknowledged.items() if wid not in stored.get(key, [])]
    duplicated = {key: ids for key, ids in stored.items() if len(ids) > 1}
    unexpected_rows = set(stored) - {a.key for a in attempts}
    first_failure = min((a.started for a in failures), default=outage.stop_requested)
    last_failure = max((a.ended for a in failures), default=outage.stop_requested)
    error_window = last_failure - first_failure
    # Recovered: the first 201 after the last error; measured from PostgreSQL accepting again.
    recovered_at = min(
        (a.ended for a in attempts if a.status == 201 and a.ended > last_failure), default=inf
    )
    recovery = max(0.0, recovered_at - outage.ready)
    figures: dict[str, object] = {
        "requests sent": len(attempts),
        "201": statuses[201],
        "503": statuses[503],
        "other statuses": {
            str(s): n for s, n in statuses.items() if s not in (201, 503)
        },  # None = no response
        "workouts acknowledged": len(stream.acknowledged),
        "workouts stored": sum(len(ids) for ids in stored.values()),
        "keys retried after an error": len(retried),
        "postgres down s": round(outage.ready - outage.stop_requested, 2),
        "error window s": round(error_window, 2),
        "time to recover s": round(recovery, 2),  # first 201 after the errors, from pg ready
        "recovered after start cmd s": round(recovered_at - outage.start_requested, 2),
        "lost writes": len(lost),
        "duplicated workouts": len(duplicated),
        "readyz while down": outage.readyz,
        "healthz while down": outage.healthz,
    }
    print_figures("PostgreSQL restart under workout POSTs (2 workers)", figures)
    for name, value in figures.items():
        record_property(name, value)

    assert pg_is_ready()
    assert not unhandled, "500s were logged:\n" + "\n".join(unhandled[:5])
    assert statuses[503] >= 1, "the outage was not seen by any request"
    for failure in failures:
        assert failure.status == 503, failure
        assert failure.content_type == PROBLEM, failure
        assert failure.retry_after is not None, failure
    # Errors happen only while PostgreSQL is down, and stop soon after it is back.
    assert min(a.ended for a in failures) >= outage.stop_requested
    assert recovered_at < inf, "no workout was logged after the outage"
    assert recovery <= RECOVERY_BOUND
    # Every 201 is stored; no key stored twice; nothing stored that was never sent.
    assert lost == []
    assert duplicated == {}
    assert unexpected_rows == set()
    assert retried, "no request was retried after an error"
    assert all(r.status == 201 for r in replays)
    assert {r.key: r.workout_id for r in replays} == {k: stream.acknowledged[k] for k in retried}
    assert all(len(stored[key]) == 1 for key in retried)
    # While the database is down the service is alive but not ready.
    assert outage.readyz is not None
    assert outage.readyz[:2] == (503, PROBLEM)
    assert outage.healthz == 200
