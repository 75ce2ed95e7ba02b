"""The baseline: a bare FastAPI app that serves the service's own response bytes, prebuilt.

The harness captures each scenario's response from the real service, writes them to the file
named by ``BENCH_CANNED_RESPONSES`` and runs ``bench.baseline:app`` under uvicorn with as many
workers as the service. What the service is slower by is the cost of its own work: database,
validation, serialisation, middleware.
"""

import os
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path

from fastapi import FastAPI, Request, Response

from bench.canned import CANNED_RESPONSES_VARIABLE, CannedResponse, read_canned_responses

Endpoint = Callable[[Request], Awaitable[Response]]


def _client_holds(if_none_match: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` names ``etag`` (or ``*``), as the service checks it."""
    if if_none_match is None:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def canned_endpoint(responses_by_query: Mapping[str, CannedResponse]) -> Endpoint:
    """An endpoint replaying, for each query string, its canned response (304 when current)."""
    not_found = Response(status_code=404)

    async def replay(request: Request) -> Response:
        canned = responses_by_query.get(request.url.query)
        if canned is None:
            return not_found
        etag = canned.headers.get("etag")
        if etag is not None and _client_holds(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=dict(canned.headers))
        return Response(
            content=canned.body,
            status_code=canned.status,
            media_type=canned.media_type,
            headers=dict(canned.headers),
        )

    return replay


async def ready() -> Response:
    """Readiness probe, so the harness waits for the baseline as it does for the service."""
    return Response(content=b'{"status":"ready"}', media_type="application/json")


def create_baseline_app(responses: Iterable[CannedResponse]) -> FastAPI:
    """A FastAPI app with one route per captured (method, path), nothing else."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_api_route("/readyz", ready, methods=["GET"])
    by_route: defaultdict[tuple[str, str], dict[str, CannedResponse]] = defaultdict(dict)
    for response in responses:
        by_route[response.method, response.path][response.query] = response
    for (method, path), responses_by_query in by_route.items():
        app.add_api_route(path, canned_endpoint(responses_by_query), methods=[method])
    return app


def app_from_environment() -> FastAPI:
    """The baseline for the responses in the file named by ``BENCH_CANNED_RESPONSES``."""
    path = os.environ.get(CANNED_RESPONSES_VARIABLE)
    if not path:
        raise RuntimeError(f"set {CANNED_RESPONSES_VARIABLE} to the canned-responses JSON file")
    return create_baseline_app(read_canned_responses(Path(path)))


app = app_from_environment()
