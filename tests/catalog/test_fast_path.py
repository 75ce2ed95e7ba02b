"""Cached catalog pages answered before the middleware chain keep every header and count."""

import pytest
from httpx import AsyncClient, Response
from prometheus_client import REGISTRY

pytestmark = pytest.mark.anyio


def without_request_id(response: Response) -> list[tuple[str, str]]:
    """The response's headers in order, but the request id (new each time)."""
    return [(name, value) for name, value in response.headers.items() if name != "x-request-id"]


async def test_a_cached_page_keeps_its_headers_request_id_and_metrics(client: AsyncClient) -> None:
    labels = {"method": "GET", "route": "/v1/classes/{slug}", "status": "304"}
    before = REGISTRY.get_sample_value("backfit_http_requests_total", labels) or 0.0
    rendered = await client.get("/v1/classes/back-fit-workout")
    cached = await client.get("/v1/classes/back-fit-workout", headers={"X-Request-ID": "abc-1"})
    assert cached.status_code == 200
    assert cached.content == rendered.content
    assert without_request_id(cached) == without_request_id(rendered)
    assert cached.headers["x-request-id"] == "abc-1"
    etag = cached.headers["etag"]
    for if_none_match in (etag, f'"other", W/{etag}', "*"):
        revalidated = await client.get(
            "/v1/classes/back-fit-workout", headers={"If-None-Match": if_none_match}
        )
        assert revalidated.status_code == 304, if_none_match
        assert revalidated.content == b""
        assert revalidated.headers["etag"] == etag
        # The answer differs with Origin (CORS headers): caches must keep them apart.
        assert revalidated.headers["vary"] == "Origin"
        assert len(revalidated.headers["x-request-id"]) == 32
    after = REGISTRY.get_sample_value("backfit_http_requests_total", labels) or 0.0
    assert after == before + 3
    stale = await client.get("/v1/classes/back-fit-workout", headers={"If-None-Match": '"old"'})
    assert stale.status_code == 200
    assert stale.content == rendered.content
