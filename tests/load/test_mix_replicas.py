"""The bench's evening mix through nginx over two replicas on one PostgreSQL database.

The topology is tests/test_replicas.py's ``compose_by_hand``; the requests and their shares
are the bench's own (``bench.run.MIX``), sent for a few seconds by a bounded number of
concurrent clients, each workout POST with an Idempotency-Key and notes of its own. Every
request must get its scenario's status (no 5xx, no transport error), nginx must have sent
traffic to both replicas, and the database must hold exactly the acknowledged workouts.
"""

import asyncio
import itertools
import random
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bench.run import MIX
from bench.scenarios import SCENARIOS, UNIQUE, Scenario
from tests.factories import signed_up
from tests.load.soak_figures import stored_writes
from tests.test_replicas import compose_by_hand, nginx_upstreams

pytestmark = pytest.mark.slow

SECONDS = 4.0
IN_FLIGHT = 16
USERS = 8
PREFIX = "mix-replicas"


class MixClient:
    """Sends the mix; keeps every status and which workouts were acknowledged."""

    def __init__(self, http: httpx.AsyncClient, tokens: list[dict[str, str]], etag: str) -> None:
        self.http = http
        self.tokens = tokens
        self.etag = etag
        self.statuses: Counter[tuple[str, int | str]] = Counter()
        self.acknowledged: Counter[str] = Counter()  # workout notes answered 201
        self.request_ids: list[str] = []

    async def send(self, scenario: Scenario, number: int) -> None:
        request_id = f"{PREFIX}-{number}"
        headers = {**scenario.headers, "X-Request-ID": request_id}
        if scenario.account:
            headers.update(random.choice(self.tokens))
        if scenario.revalidate:
            headers["If-None-Match"] = self.etag
        # The request id is new each time: it makes the workout's key and notes unique too.
        body = (scenario.body or "").replace(UNIQUE, request_id)
        headers = {name: value.replace(UNIQUE, request_id) for name, value in headers.items()}
        try:
            response = await self.http.request(
                scenario.method, scenario.target, headers=headers, content=body or None
            )
        except httpx.TransportError as error:
            self.statuses[scenario.name, type(error).__name__] += 1
            return
        self.request_ids.append(request_id)
        self.statuses[scenario.name, response.status_code] += 1
        if response.status_code == 201:
            self.acknowledged[response.json()["notes"]] += 1

    async def run(self, seconds: float) -> None:
        by_name = {scenario.name: scenario for scenario in SCENARIOS}
        names, shares = zip(*MIX, strict=True)
        counter = itertools.count()
        deadline = time.monotonic() + seconds

        async def one_client() -> None:
            while time.monotonic() < deadline:
                [name] = random.choices(names, weights=shares)
                await self.send(by_name[name], next(counter))

        await asyncio.gather(*(one_client() for _ in range(IN_FLIGHT)))


async def drive(proxy: str) -> MixClient:
    limits = httpx.Limits(max_connections=IN_FLIGHT)
    async with httpx.AsyncClient(base_url=proxy, timeout=30, limits=limits) as http:
        tokens = [
            await signed_up(http, f"{PREFIX}-{number}@example.com") for number in range(USERS)
        ]
        detail = next(s for s in SCENARIOS if s.revalidate)
        etag = (await http.get(detail.target)).headers["etag"]
        client = MixClient(http, tokens, etag)
        await client.run(SECONDS)
    return client


def test_mix_through_nginx_over_two_replicas(scratch_database_url: str, tmp_path: Path) -> None:
    if scratch_database_url.startswith("sqlite"):
        pytest.skip("replicas share a PostgreSQL database; set BACKFIT_TEST_DATABASE_URLS")
    with compose_by_hand(scratch_database_url, tmp_path) as (urls, proxy, _logs, nginx_log, _):
        started = time.monotonic()
        client = asyncio.run(drive(proxy))
        took = time.monotonic() - started
        upstreams = nginx_upstreams(nginx_log, client.request_ids)

    expected = {scenario.name: scenario.status for scenario in SCENARIOS}
    unexpected = {
        f"{name} {status}": n
        for (name, status), n in client.statuses.items()
        if status != expected[name]
    }
    assert not unexpected, unexpected
    assert {name for name, _ in client.statuses} == {name for name, _ in MIX}
    ports = {url.rpartition(":")[2]: name for name, url in urls.items()}
    served = Counter(ports[address.rpartition(":")[2]] for address in upstreams.values())
    assert len(upstreams) == len(client.request_ids)
    assert set(served) == set(urls), served
    stored, _ = asyncio.run(stored_writes(scratch_database_url, PREFIX))
    assert stored == dict(client.acknowledged)
    assert set(client.acknowledged.values()) == {1}
    print(
        f"\nmix through nginx: {len(client.request_ids)} requests in {took:.1f}s, "
        + ", ".join(f"{name} served {n}" for name, n in sorted(served.items()))
        + f"; {sum(client.acknowledged.values())} workouts acknowledged and stored"
    )
