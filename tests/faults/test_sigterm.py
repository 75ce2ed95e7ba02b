"""SIGTERM to uvicorn's master with requests in flight: every started request is answered.

A burst of registrations (each hashes a password with Argon2, so they take a while) goes to two
workers; once every request has been written to its connection, the master gets SIGTERM. Each
request must still get its complete response, every account must be stored, and the process
must exit with status 0 (uvicorn drains for up to ``timeout_graceful_shutdown`` seconds).
"""

import asyncio
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.support import PASSWORD, print_figures, scalar, served

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

BURST = 30
SETTLE = 0.05  # seconds for the workers to read what was written before the signal
EXIT_TIMEOUT = 40  # above uvicorn's 20 s graceful-shutdown timeout


@dataclass
class Outcome:
    status: int | None  # None: no complete response (reset, incomplete read, timeout)
    ended: float
    error: str = ""


async def register(client: httpx.AsyncClient, email: str, written: dict[str, float]) -> Outcome:
    async def trace(event: str, _info: dict[str, Any]) -> None:
        if event == "http11.send_request_body.complete":
            written[email] = time.monotonic()

    try:
        response = await client.post(
            "/v1/auth/register",
            json={"email": email, "password": PASSWORD},
            extensions={"trace": trace},
        )
    except httpx.TransportError as error:
        return Outcome(None, time.monotonic(), repr(error))
    return Outcome(response.status_code, time.monotonic(), response.text[:200])


async def test_sigterm_drains_requests_in_flight(
    scratch_database_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    run = uuid.uuid4().hex[:8]
    emails = [f"sigterm-{run}-{index}@example.com" for index in range(BURST)]
    written: dict[str, float] = {}
    with served(scratch_database_url, tmp_path / "server.log", workers=2) as service:
        limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=BURST)
        async with httpx.AsyncClient(
            base_url=service.base_url, timeout=60, limits=limits
        ) as client:
            burst = [asyncio.create_task(register(client, email, written)) for email in emails]
            deadline = time.monotonic() + 10
            while len(written) < BURST and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            await asyncio.sleep(SETTLE)
            signalled = time.monotonic()
            service.process.send_signal(signal.SIGTERM)
            outcomes = dict(zip(emails, await asyncio.gather(*burst), strict=True))
        try:
            exit_status = await asyncio.to_thread(service.process.wait, EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            exit_status = None
        exited = time.monotonic()
        unhandled = service.unhandled_errors()
        locked = service.log().count("database is locked")
    stored = await scalar(
        scratch_database_url,
        'SELECT count(*) FROM "user" WHERE email LIKE :pattern',
        pattern=f"sigterm-{run}-%",
    )

    # Written before the signal and given time to be read: the server had these requests.
    started = [email for email in emails if written.get(email, signalled) <= signalled - SETTLE]
    in_flight = [email for email in emails if outcomes[email].ended > signalled]
    statuses = Counter(outcome.status for outcome in outcomes.values())
    figures: dict[str, object] = {
        "store": scratch_database_url.split(":")[0],
        "requests": BURST,
        "written before SIGTERM": len(started),
        "in flight at SIGTERM": len(in_flight),
        "statuses": {str(status): count for status, count in statuses.items()},
        "dropped (no response)": statuses[None],
        "accounts stored": stored,
        "exit status": exit_status,
        "SIGTERM to exit s": round(exited - signalled, 2),
        "'database is locked' logged": locked,
    }
    print_figures("SIGTERM with registrations in flight (2 workers)", figures)
    for name, value in figures.items():
        record_property(name, value)

    assert len(started) == BURST, "not every request was written before the signal"
    assert in_flight, "every request had finished before the signal: nothing was tested"
    dropped = {email: outcomes[email] for email in started if outcomes[email].status != 201}
    assert dropped == {}
    assert stored == BURST
    assert not unhandled, "500s were logged:\n" + "\n".join(unhandled[:5])
    assert exit_status == 0
