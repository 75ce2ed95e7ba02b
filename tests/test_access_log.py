"""The access line: the same JSON as any logged record, written in batches, never lost."""

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from httpx import AsyncClient

from app.log import ACCESS_LOGGER, AccessLines, JsonFormatter, logging_config
from tests.faults.support import served

REQUEST_FIELDS = {
    "method": "GET",
    "route": "/v1/classes/{slug}",
    "status": 200,
    "duration_ms": 0.42,
    "request_id": "abc-1",
    "user_id": None,
}


class CountedWrites(io.StringIO):
    """A stream that keeps each write apart."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_an_access_line_is_what_the_formatter_writes_for_the_same_record() -> None:
    stream = io.StringIO()
    AccessLines(stream).request(dict(REQUEST_FIELDS))
    written = json.loads(stream.getvalue())
    record = logging.getLogger(ACCESS_LOGGER).makeRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra=REQUEST_FIELDS
    )
    formatted = json.loads(JsonFormatter().format(record))
    assert list(written) == list(formatted)
    assert {**written, "time": None} == {**formatted, "time": None}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", written["time"])
    assert abs(datetime.fromisoformat(written["time"]) - datetime.now(UTC)) < timedelta(seconds=5)


def test_lines_are_written_in_whole_batches_soon_after() -> None:
    stream = CountedWrites()
    lines = AccessLines(stream)

    async def serve_a_burst() -> int:
        for number in range(100):
            lines.request({**REQUEST_FIELDS, "request_id": f"burst-{number}"})
        written_at_once = len(stream.writes)
        await asyncio.sleep(AccessLines.flush_seconds * 3)
        return written_at_once

    written_at_once = asyncio.run(serve_a_burst())
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [entry["request_id"] for entry in entries] == [f"burst-{n}" for n in range(100)]
    assert written_at_once < len(stream.writes) < 20
    # A pipe takes a write of up to PIPE_BUF bytes whole: another worker's lines stay apart.
    for batch in stream.writes:
        assert batch.endswith("\n")
        assert len(batch.encode()) <= AccessLines.batch_bytes


def test_a_line_outside_an_event_loop_and_the_rest_at_close_are_written() -> None:
    stream = io.StringIO()
    lines = AccessLines(stream)
    lines.request(dict(REQUEST_FIELDS))
    assert stream.getvalue().count("\n") == 1

    async def one_request() -> None:
        lines.request(dict(REQUEST_FIELDS))

    asyncio.run(one_request())
    lines.close()
    assert stream.getvalue().count("\n") == 2


def test_the_access_logger_has_its_own_handler_in_the_services_config() -> None:
    config = logging_config("info")
    assert config["loggers"][ACCESS_LOGGER] == {"handlers": ["access"], "propagate": False}
    assert config["handlers"]["access"]["()"] == f"{AccessLines.__module__}.AccessLines"


@pytest.fixture
def access_stream() -> Iterator[io.StringIO]:
    """The access logger as the service configures it, writing to a string."""
    access_logger = logging.getLogger(ACCESS_LOGGER)
    stream = io.StringIO()
    handler = AccessLines(stream)
    saved = access_logger.handlers, access_logger.propagate, access_logger.level
    access_logger.handlers, access_logger.propagate = [handler], False
    access_logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        handler.close()
        access_logger.handlers, access_logger.propagate = saved[:2]
        access_logger.setLevel(saved[2])


@pytest.mark.anyio
async def test_every_request_gets_one_line_whichever_way_it_is_answered(
    client: AsyncClient, access_stream: io.StringIO
) -> None:
    await client.get("/v1/classes", headers={"X-Request-ID": "rendered"})
    await client.get("/v1/classes", headers={"X-Request-ID": "cached"})
    await client.get("/v1/nothing-here", headers={"X-Request-ID": "missing"})
    profile = {"week_start": "2026-11-23", "equipment": ["mat"]}
    for request_id in ("first-preview", "lean-preview"):
        await client.post("/v1/plans/preview", json=profile, headers={"X-Request-ID": request_id})
    await asyncio.sleep(AccessLines.flush_seconds * 3)
    entries = [json.loads(line) for line in access_stream.getvalue().splitlines()]
    assert [
        (entry["request_id"], entry["route"], entry["status"], entry["logger"]) for entry in entries
    ] == [
        ("rendered", "/v1/classes", 200, ACCESS_LOGGER),
        ("cached", "/v1/classes", 200, ACCESS_LOGGER),
        ("missing", "unmatched", 404, ACCESS_LOGGER),
        ("first-preview", "/v1/plans/preview", 200, ACCESS_LOGGER),
        ("lean-preview", "/v1/plans/preview", 200, ACCESS_LOGGER),
    ]


@pytest.mark.slow
def test_two_workers_write_every_line_whole_by_the_time_they_stop(
    scratch_database_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "server.log"
    request_ids = [f"stopping-{number}" for number in range(30)]
    with served(scratch_database_url, log_path, workers=2, log_level="info") as service:
        service.wait_for_workers(2)
        asyncio.run(each_on_its_own_connection(f"{service.base_url}/healthz", request_ids))
        # Stopped at once: a line still waiting in its batch must be written as a worker exits.
    entries = [json.loads(line) for line in log_path.read_text().splitlines()]
    logged = [entry["request_id"] for entry in entries if entry["logger"] == ACCESS_LOGGER]
    assert sorted(set(logged) & set(request_ids)) == sorted(request_ids)
    assert len(logged) == len(set(logged))


async def each_on_its_own_connection(url: str, request_ids: list[str]) -> None:
    """GETs at once, each on a connection of its own, so both workers take some."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.get(url, headers={"X-Request-ID": id_}) for id_ in request_ids)
        )
    assert [response.status_code for response in responses] == [200] * len(request_ids)
