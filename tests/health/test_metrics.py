"""/metrics counts requests by route template and status, plans generated and workouts logged."""

import pytest
from httpx import AsyncClient
from prometheus_client import REGISTRY
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from tests.factories import auth_headers, make_user, post_workout

pytestmark = pytest.mark.anyio


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_requests_plans_and_workouts_are_counted(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    by_template = {"method": "GET", "route": "/v1/classes/{slug}"}
    found_before = sample("backfit_http_requests_total", **by_template, status="200")
    missing_before = sample("backfit_http_requests_total", **by_template, status="404")
    previews_before = sample("backfit_plans_generated_total", kind="preview")
    workouts_before = sample("backfit_workouts_logged_total")

    await client.get("/v1/classes/back-fit-workout")
    await client.get("/v1/classes/revitalise-your-spine")
    await client.get("/v1/classes/no-such-class")
    await client.post(
        "/v1/plans/preview", json={"week_start": "2026-11-02", "experience_level": "beginner",
                                   "equipment": ["mat"]}
    )  # fmt: skip
    headers = auth_headers(await make_user(db_session), settings)
    await post_workout(client, {**headers, "Idempotency-Key": "metrics-1"})
    await post_workout(client, {**headers, "Idempotency-Key": "metrics-1"})  # a replay

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "backfit_http_request_duration_seconds_bucket" in response.text
    assert sample("backfit_http_requests_total", **by_template, status="200") == found_before + 2
    assert sample("backfit_http_requests_total", **by_template, status="404") == missing_before + 1
    assert sample("backfit_plans_generated_total", kind="preview") == previews_before + 1
    assert sample("backfit_workouts_logged_total") == workouts_before + 1
