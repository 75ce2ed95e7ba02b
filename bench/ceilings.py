"""The ceilings the service is measured against, run by uvicorn like the service.

- ``raw``: a bare ASGI callable answering each captured request with the service's own bytes,
  prebuilt, without reading the request (the protocol's ceiling; the catalog's yardstick).
- ``bare``: a bare FastAPI app replaying the same bytes (304 when If-None-Match matches, as
  ``app.etag`` decides) and, for the workout POST, inserting the same row with the raw driver
  (asyncpg; aiosqlite with the service's PRAGMAs) in autocommit.

What they serve comes from the JSON file named by ``BENCH_CEILING_SPEC`` (``write_spec``).
"""

import base64
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg  # type: ignore[import-untyped]
import orjson
from fastapi import FastAPI, Request, Response
from starlette.types import Receive, Scope, Send

from app.db import SQLITE_BUSY_TIMEOUT_MS
from app.etag import client_has_current
from app.local_time import sent_offset_minutes

WORKOUT_COLUMNS = (
    "completed_at, duration_minutes, rpe, pain, notes, user_id, class_id, exercises, created_at,"
    " utc_offset_minutes, local_date"
)
POSTGRES_INSERT = (
    f"INSERT INTO workout ({WORKOUT_COLUMNS}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
)
SQLITE_INSERT = f"INSERT INTO workout ({WORKOUT_COLUMNS}) VALUES ({', '.join('?' * 11)})"
SQLITE_PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
)
Canned = tuple[int, dict[str, str], bytes]  # status, headers, body
SPEC_VARIABLE = "BENCH_CEILING_SPEC"


def write_spec(path: Path, canned: dict[str, Canned], insert: dict[str, Any] | None) -> None:
    """Store, by ``METHOD /path?query``, the answers to replay, and the raw insert's target."""
    document = {
        "canned": {
            key: [status, headers, base64.b64encode(body).decode()]
            for key, (status, headers, body) in canned.items()
        },
        "insert": insert,
    }
    path.write_text(json.dumps(document))


def _read_spec() -> tuple[dict[str, Canned], dict[str, Any] | None]:
    if SPEC_VARIABLE not in os.environ:  # imported by the harness, not served
        return {}, None
    document = json.loads(Path(os.environ[SPEC_VARIABLE]).read_text())
    canned = {
        key: (status, headers, base64.b64decode(body))
        for key, (status, headers, body) in document["canned"].items()
    }
    return canned, document["insert"]


CANNED, INSERT = _read_spec()
READY = (200, {"content-type": "application/json"}, b"{}")


def request_key(method: str, path: str, query: str) -> str:
    return f"{method} {path}?{query}"


def _messages(status: int, headers: dict[str, str], body: bytes) -> tuple[dict[str, Any], ...]:
    raw_headers = [(name.encode(), value.encode()) for name, value in headers.items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    return (
        {"type": "http.response.start", "status": status, "headers": raw_headers},
        {"type": "http.response.body", "body": body},
    )


RAW_ANSWERS = {key: _messages(*answer) for key, answer in CANNED.items()}
RAW_READY = _messages(*READY)


async def raw(scope: Scope, receive: Receive, send: Send) -> None:
    """The bare-protocol ceiling: the prebuilt answer for the path, request unread."""
    if scope["type"] != "http":
        return
    key = request_key(scope["method"], scope["path"], scope["query_string"].decode())
    start, body = RAW_ANSWERS.get(key, RAW_READY)
    await send(start)
    await send(body)


def _replay(status: int, headers: dict[str, str], body: bytes) -> Callable[..., Awaitable[Any]]:
    etag = headers.get("etag")

    async def endpoint(request: Request) -> Response:
        if etag and client_has_current(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, status_code=status, headers=headers)

    return endpoint


class RawInsert:
    """The workout POST's ceiling: parse, one INSERT with the bare driver, answer."""

    def __init__(self, database_url: str, user_id: int) -> None:
        self.database_url = database_url
        self.user_id = user_id
        self.insert: Callable[..., Awaitable[int]] | None = None
        self.close: Callable[[], Awaitable[None]] | None = None

    async def open(self) -> None:
        if self.database_url.startswith("sqlite"):
            path = self.database_url.partition(":///")[2]
            connection = await aiosqlite.connect(path, isolation_level=None)  # autocommit
            for pragma in SQLITE_PRAGMAS:
                await connection.execute(f"PRAGMA {pragma}")

            async def insert_sqlite(*row: Any) -> int:
                # SQLAlchemy's text for timestamps and dates.
                values = [v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime)
                          else v.isoformat() if isinstance(v, date) else v
                          for v in row]  # fmt: skip
                inserted = await connection.execute_insert(SQLITE_INSERT, values)
                return int(inserted[0]) if inserted else 0

            self.insert, self.close = insert_sqlite, connection.close
            return
        pool = await asyncpg.create_pool("postgresql://" + self.database_url.split("://", 1)[1])

        async def insert_postgres(*row: Any) -> int:
            return int(await pool.fetchval(POSTGRES_INSERT, *row))

        self.insert, self.close = insert_postgres, pool.close

    async def endpoint(self, request: Request) -> Response:
        assert self.insert is not None, "opened in the lifespan"
        draft = orjson.loads(await request.body())
        sent = datetime.fromisoformat(draft["completed_at"])
        completed_at = sent.astimezone(UTC)
        now = datetime.now(UTC)
        exercises = draft.get("exercises", [])
        row = (
            completed_at,
            draft["duration_minutes"],
            draft.get("rpe"),
            draft.get("pain"),
            draft.get("notes"),
            self.user_id,
            None,
            orjson.dumps(exercises).decode(),
            now,
            sent_offset_minutes(sent),
            sent.date(),
        )
        workout_id = await self.insert(*row)
        answer = {**draft, "id": workout_id, "advisories": [], "created_at": now.isoformat()}
        return Response(orjson.dumps(answer), status_code=201, media_type="application/json")


def _bare_app() -> FastAPI:
    inserter = RawInsert(INSERT["database_url"], INSERT["user_id"]) if INSERT else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if inserter:  # in each worker, after the fork
            await inserter.open()
        yield
        if inserter and inserter.close:
            await inserter.close()

    application = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    application.add_api_route("/readyz", _replay(*READY), methods=["GET"])
    by_route: dict[tuple[str, str], dict[str, Canned]] = {}
    for key, answer in CANNED.items():
        method, _, target = key.partition(" ")
        path, _, query = target.partition("?")
        by_route.setdefault((method, path), {})[query] = answer
    for (method, path), answers in by_route.items():
        endpoints = {query: _replay(*answer) for query, answer in answers.items()}

        async def by_query(request: Request, endpoints: Any = endpoints) -> Response:
            response: Response = await endpoints[request.url.query](request)
            return response

        application.add_api_route(path, by_query, methods=[method])
    if inserter:
        application.add_api_route("/v1/me/workouts", inserter.endpoint, methods=["POST"])
    return application


bare = _bare_app()
