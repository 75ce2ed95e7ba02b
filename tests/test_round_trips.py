"""Read-only requests pay for their queries only: no BEGIN, COMMIT or pool ping around them.

The app runs on its own engine and pool (not the tests' joined transaction), as deployed. On
PostgreSQL a relay between the pool and the server counts round trips on the wire: each time
the client speaks after the server has answered is one. On SQLite, where nothing goes over a
wire, SQLite itself reports every statement it runs, BEGIN and COMMIT included.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.util import await_

from app.config import Settings
from app.main import create_app
from tests.conftest import migrate

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


async def signed_in(client: AsyncClient) -> dict[str, str]:
    account = {"email": "round.trips@example.com", "password": "correct horse battery"}
    assert (await client.post("/v1/auth/register", json=account)).status_code == 201
    answer = await client.post(
        "/v1/auth/token", data={"username": account["email"], "password": account["password"]}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def migrated_url(scratch_database_url: str) -> str:
    migrate(scratch_database_url)
    return scratch_database_url


# Statements each read makes (user lookup included), as tests/test_query_counts.py budgets
# them: with no BEGIN, COMMIT or ping around them, they are all the round trips there are.
READS = {"/v1/me": 1, "/v1/me/workouts": 2, "/v1/me/stats?weeks=52": 2}


async def test_a_read_costs_its_queries_only(migrated_url: str) -> None:
    relay = None
    url = migrated_url
    if not url.startswith("sqlite"):
        parts = urlsplit(url)
        relay = WireRelay(parts.hostname or "127.0.0.1", parts.port or 5432)
    counts = {}
    async with relay.serving() if relay else _no_relay() as port:
        if relay:
            user = f"{parts.username}@" if parts.username else ""
            # Plain TCP to the relay, so it sees a conversation, not a TLS handshake.
            url = urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}", query="ssl=disable"))
        app = create_app(Settings(database_url=url, env="test", database_pool_size=1))
        with sqlite_statements(app) as statements:
            async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
                headers = await signed_in(client)
                for path in READS:
                    for _ in range(2):  # opens the pooled connection, prepares the statements
                        assert (await client.get(path, headers=headers)).status_code == 200
                    statements.clear()
                    if relay:
                        relay.counting, relay.round_trips = True, 0
                    assert (await client.get(path, headers=headers)).status_code == 200
                    if relay:
                        relay.counting = False
                    counts[path] = relay.round_trips if relay else len(statements)
                    if not relay:
                        assert not [s for s in statements if s.split()[0] in ("BEGIN", "COMMIT")]
            await app.state.engine.dispose()
    assert counts == READS


@asynccontextmanager
async def _no_relay() -> AsyncIterator[int]:
    yield 0
