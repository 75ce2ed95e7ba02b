"""Prometheus metrics: requests by route template, status and duration; plans and workouts.

With several uvicorn workers, `backfit serve` points PROMETHEUS_MULTIPROC_DIR at an empty
directory they share (unless it is set), so a scrape of any worker reports the whole group.
"""

import os

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "backfit_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
REQUEST_SECONDS = Histogram(
    "backfit_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
PLANS_GENERATED = Counter("backfit_plans_generated_total", "Weekly plans generated.", ["kind"])
WORKOUTS_LOGGED = Counter("backfit_workouts_logged_total", "Workouts logged (not replays).")

router = APIRouter(tags=["operations"])


_request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    # Looking a labelled series up costs more than counting: keep each one found (routes are
    # templates and statuses few, so this stays small).
    series = _request_series.get((method, route, status))
    if series is None:
        series = (
            REQUESTS.labels(method, route, str(status)),
            REQUEST_SECONDS.labels(method, route),
        )
        _request_series[method, route, status] = series
    series[0].inc()
    series[1].observe(seconds)


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


@router.get(
    "/metrics",
    response_class=Response,
    operation_id="getMetrics",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics() -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
