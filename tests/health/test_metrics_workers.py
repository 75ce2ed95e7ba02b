"""/metrics under `backfit serve` with two workers reports the whole process group.

Each worker once counted only its own requests, so totals jumped between scrapes depending
on which worker answered.
"""

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.support import served

pytestmark = pytest.mark.slow

REQUESTS = 40
SCRAPES = 12


def healthz_count(exposition: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "backfit_http_requests_total"
        and sample.labels == {"method": "GET", "route": "/healthz", "status": "200"}
    )


def test_every_scrape_counts_every_workers_requests(
    scratch_database_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "server.log"
    with served(scratch_database_url, log_path, workers=2, log_level="info") as service:
        service.wait_for_workers(2)
        statuses = asyncio.run(concurrently(f"{service.base_url}/healthz", REQUESTS))
        assert [status for status, _ in statuses] == [200] * REQUESTS
        scrapes = asyncio.run(concurrently(f"{service.base_url}/metrics", SCRAPES))
    assert [healthz_count(text) for _, text in scrapes] == [REQUESTS] * SCRAPES


async def concurrently(url: str, times: int) -> list[tuple[int, str]]:
    """``times`` GETs at once, each on a connection of its own, so both workers take some."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        responses = await asyncio.gather(*(client.get(url) for _ in range(times)))
    return [(response.status_code, response.text) for response in responses]
