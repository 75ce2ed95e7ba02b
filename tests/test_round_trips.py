"""Read-only requests pay for their queries only: no BEGIN, COMMIT or pool ping around them.

The app runs on its own engine and pool (not the tests' joined transaction), as deployed. On
PostgreSQL a relay between the pool and the server counts round trips on the wire: each time
the client speaks after the server has answered is one. On SQLite, where nothing goes over a
wire, SQLite itself reports every statement it runs, BEGIN and COMMIT included.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.util import await_

from app.config import Settings
from app.main import create_app
from app.vocabulary import EQUIPMENT
from app.weeks import monday_of
from tests.conftest import migrate, seed
from tests.factories import signed_up

pytestmark = pytest.mark.anyio


class WireRelay:
    """A TCP relay that counts the client's turns while ``counting`` is on."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.counting = False
        self.round_trips = 0

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, turn: list[str], side: str
    ) -> None:
        while data := await source.read(65536):
            if side == "client" and turn[0] != "client" and self.counting:
                self.round_trips += 1
            turn[0] = side
            sink.write(data)
            await sink.drain()
        sink.close()

    async def _relay(self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        server, to_server = await asyncio.open_connection(*self.upstream)
        turn = ["server"]
        await asyncio.gather(
            self._pump(client, to_server, turn, "client"),
            self._pump(server, to_client, turn, "server"),
            return_exceptions=True,
        )

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[int]:
        listener = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        try:
            yield listener.sockets[0].getsockname()[1]
        finally:
            listener.close()


@contextmanager
def sqlite_statements(app: Any) -> Iterator[list[str]]:
    """Every statement SQLite runs on the app's connections (each connection opened inside)."""
    statements: list[str] = []
    if not app.state.settings.is_sqlite:
        yield statements
        return

    def trace(dbapi_connection: Any, _record: Any) -> None:
        await_(dbapi_connection.driver_connection.set_trace_callback(statements.append))

    event.listen(app.state.engine.sync_engine, "connect", trace)
    try:
        yield statements
    finally:
        event.remove(app.state.engine.sync_engine, "connect", trace)


@pytest.fixture
def migrated_url(scratch_database_url: str) -> str:
    migrate(scratch_database_url)
    seed(scratch_database_url)
    return scratch_database_url


# Statements each read makes (user lookup included), as tests/test_query_counts.py budgets
# them: with no BEGIN, COMMIT or ping around them, they are all the round trips there are.
READS = {"/v1/me": 1, "/v1/me/workouts": 2, "/v1/me/stats?weeks=52": 2}


class Counted:
    """The app on its own pool, signed in, counting what one request says to the database."""

    def __init__(
        self,
        client: AsyncClient,
        headers: dict[str, str],
        relay: WireRelay | None,
        statements: list[str],
    ) -> None:
        self.client, self.headers, self.relay, self.statements = client, headers, relay, statements

    async def count(self, method: str, path: str, **sent: Any) -> tuple[int, int]:
        """Status and round trips (statements on SQLite) of one request."""
        self.statements.clear()
        if self.relay:
            self.relay.counting, self.relay.round_trips = True, 0
        response = await self.client.request(
            method, path, headers={**self.headers, **sent.pop("headers", {})}, **sent
        )
        if self.relay:
            self.relay.counting = False
        return response.status_code, self.relay.round_trips if self.relay else len(self.statements)


@asynccontextmanager
async def counting(migrated_url: str) -> AsyncIterator[Counted]:
    relay = None
    url = migrated_url
    if not url.startswith("sqlite"):
        parts = urlsplit(url)
        relay = WireRelay(parts.hostname or "127.0.0.1", parts.port or 5432)
    async with relay.serving() if relay else _no_relay() as port:
        if relay:
            user = f"{parts.username}@" if parts.username else ""
            # Plain TCP to the relay, so it sees a conversation, not a TLS handshake.
            url = urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}", query="ssl=disable"))
        app = create_app(Settings(database_url=url, env="test", database_pool_size=1))
        with sqlite_statements(app) as statements:
            async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
                yield Counted(
                    client, await signed_up(client, "round.trips@example.com"), relay, statements
                )
            await app.state.engine.dispose()


async def test_a_read_costs_its_queries_only(migrated_url: str) -> None:
    counts = {}
    async with counting(migrated_url) as counted:
        for path in READS:
            for _ in range(2):  # opens the pooled connection, prepares the statements
                assert (await counted.count("GET", path))[0] == 200
            status, counts[path] = await counted.count("GET", path)
            assert status == 200
            begun = [s for s in counted.statements if s.split()[0] in ("BEGIN", "COMMIT")]
            assert not begun
    assert counts == READS


# A workout POST on PostgreSQL: the user lookup, then one statement in autocommit that claims
# the key, completes the day's planned session, stores the workout, the sync log and the
# response; a retry reads the stored response instead. SQLite runs a short sequence inside
# its write transaction (BEGIN IMMEDIATE … COMMIT, taken after the user lookup and tried
# without waiting: busy_timeout 0 around it).
WORKOUT_POSTS = {
    "postgresql": {"new": 2, "retry": 3},
    "sqlite": {"new": 10, "retry": 7},
}


async def test_a_workout_post_costs_two_round_trips(migrated_url: str) -> None:
    body = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 20, "pain": 6}
    counts = {}
    async with counting(migrated_url) as counted:
        for warm in ("warm-1", "warm-2"):  # opens the connection, prepares the statements
            sent = {"json": body, "headers": {"Idempotency-Key": warm}}
            assert (await counted.count("POST", "/v1/me/workouts", **sent))[0] == 201
            assert (await counted.count("POST", "/v1/me/workouts", **sent))[0] == 201
        for case, key in (("new", "counted"), ("retry", "counted")):
            sent = {"json": body, "headers": {"Idempotency-Key": key}}
            status, counts[case] = await counted.count("POST", "/v1/me/workouts", **sent)
            assert status == 201
    store = "sqlite" if migrated_url.startswith("sqlite") else "postgresql"
    assert counts == WORKOUT_POSTS[store]


# Saving a week's plan, the user lookup included. PostgreSQL: the user, one read of everything
# the generator needs, one statement writing the plan, its sessions and the sync log (atomic
# on its own: no BEGIN or COMMIT). SQLite, with no data-modifying CTEs, writes them one by one
# inside BEGIN IMMEDIATE … COMMIT (with busy_timeout 0 around the BEGIN, as for workouts).
PLAN_WRITES = {
    "postgresql": {"create": 3, "replace": 3},
    "sqlite": {"create": 9, "replace": 9},
}


async def test_saving_a_plan_costs_few_round_trips(migrated_url: str) -> None:
    async with counting(migrated_url) as counted:
        # A lifter with every kit reads the strength log too: the costliest plan to make.
        profile = {"experience_level": "advanced", "equipment": list(EQUIPMENT)}
        assert (await counted.count("PATCH", "/v1/me", json=profile))[0] == 200
        monday = monday_of(datetime.now(UTC).date())  # the user's time zone is UTC
        counts = {}
        for weeks in (1, 2):  # the first week prepares the statements
            week = {"week_start": (monday + timedelta(weeks=weeks)).isoformat()}
            status, counts["create"] = await counted.count("POST", "/v1/me/plans", json=week)
            assert status == 201
            status, counts["replace"] = await counted.count(
                "POST", "/v1/me/plans", json=week, params={"replace": "true"}
            )
            assert status == 201
    store = "sqlite" if migrated_url.startswith("sqlite") else "postgresql"
    assert counts == PLAN_WRITES[store]


@asynccontextmanager
async def _no_relay() -> AsyncIterator[int]:
    yield 0
