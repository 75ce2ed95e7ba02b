"""The baseline: a bare FastAPI app that does the least the service's answers need.

For reads it replays the service's own response bytes, prebuilt; for the workout POST it
inserts the same row with the raw driver into the service's database. The harness writes
what to serve to the file named by ``BENCH_BASELINE_SPEC`` and runs ``bench.baseline:app``
under uvicorn with as many workers as the service. What the service is slower by is the cost
of its own work: database, validation, serialisation, middleware.
"""

import os
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response

from bench.baseline_spec import (
    BASELINE_SPEC_VARIABLE,
    BaselineSpec,
    CannedResponse,
    read_baseline_spec,
)
from bench.raw_insert import RawWorkoutInsertRoute, open_workout_store

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


def create_baseline_app(spec: BaselineSpec) -> FastAPI:
    """A FastAPI app with one route per canned (method, path) and per raw insert, nothing else."""
    inserts = [RawWorkoutInsertRoute(insert) for insert in spec.raw_workout_inserts]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Opened here, in each worker after the fork, so no connection crosses processes.
        for route in inserts:
            route.store = await open_workout_store(route.spec.database_url)
        try:
            yield
        finally:
            for route in inserts:
                if route.store is not None:
                    await route.store.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.add_api_route("/readyz", ready, methods=["GET"])
    by_route: defaultdict[tuple[str, str], dict[str, CannedResponse]] = defaultdict(dict)
    for response in spec.canned:
        by_route[response.method, response.path][response.query] = response
    for (method, path), responses_by_query in by_route.items():
        app.add_api_route(path, canned_endpoint(responses_by_query), methods=[method])
    for route in inserts:
        app.add_api_route(route.spec.path, route.endpoint, methods=["POST"])
    return app


def app_from_environment() -> FastAPI:
    """The baseline for the spec in the file named by ``BENCH_BASELINE_SPEC``."""
    path = os.environ.get(BASELINE_SPEC_VARIABLE)
    if not path:
        raise RuntimeError(f"set {BASELINE_SPEC_VARIABLE} to the baseline spec JSON file")
    return create_baseline_app(read_baseline_spec(Path(path)))


app = app_from_environment()
