"""Previews answered before the middleware chain are the route's answers, byte for byte."""

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from prometheus_client import REGISTRY
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.main import create_app
from tests.conftest import PinnableClock

pytestmark = pytest.mark.anyio

PREVIEW = "/v1/plans/preview"
PROFILE = {
    "week_start": "2026-11-23",
    "experience_level": "intermediate",
    "equipment": ["mat"],
    "available_days": ["mon", "wed", "fri", "sat"],
}
ANSWERED = ("backfit_http_requests_total", {"method": "POST", "route": PREVIEW, "status": "200"})
GENERATED = ("backfit_plans_generated_total", {"kind": "preview"})
JSON = {"Content-Type": "application/json"}
# FastAPI reads this one as JSON too, but the lean path leaves it to the route.
JSON_WITH_CHARSET = {"Content-Type": "application/json; charset=utf-8"}


@pytest.fixture
async def app(
    settings: Settings, joined_sessions: Callable[[], AsyncSession], clock: PinnableClock
) -> FastAPI:
    app = create_app(settings)
    app.state.sessionmaker = joined_sessions
    app.state.clock = clock
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


def without_request_id(response: Response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.items() if name != "x-request-id"]


def no_database() -> AsyncSession:
    raise AssertionError("the lean path opened a database session")


def count(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_lean_preview_is_the_routes_answer_without_the_database(
    app: FastAPI, client: AsyncClient
) -> None:
    body = json.dumps(PROFILE)
    first = await client.post(PREVIEW, content=body, headers=JSON)  # reads the catalog
    routed = await client.post(PREVIEW, content=body, headers=JSON_WITH_CHARSET)
    app.state.sessionmaker = no_database
    requests = (
        "backfit_http_requests_total",
        {"method": "POST", "route": PREVIEW, "status": "200"},
    )
    plans = ("backfit_plans_generated_total", {"kind": "preview"})
    before = count(*requests), count(*plans)
    lean = await client.post(PREVIEW, content=body, headers={**JSON, "X-Request-ID": "lean-1"})
    assert (count(*requests), count(*plans)) == (before[0] + 1, before[1] + 1)
    assert lean.status_code == first.status_code == routed.status_code == 200
    assert lean.content == first.content == routed.content
    assert without_request_id(lean) == without_request_id(routed) == without_request_id(first)
    assert lean.headers["x-request-id"] == "lean-1"
    generated = await client.post(PREVIEW, content=body, headers=JSON)
    assert len(generated.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{not json", "validation"),
        (json.dumps({**PROFILE, "week_start": "2026-11-24"}), "plan-rule"),
        (json.dumps({**PROFILE, "equipment": []}), "plan-rule"),
        (json.dumps({**PROFILE, "unknown": 1}), "validation"),
        (json.dumps({k: v for k, v in PROFILE.items() if k != "week_start"}), "validation"),
        ("", "validation"),
        ("[]", "validation"),
    ],
)
async def test_a_body_the_route_refuses_gets_the_routes_problem(
    client: AsyncClient, body: str, problem: str
) -> None:
    await client.post(PREVIEW, json=PROFILE)  # the catalog is read: the lean path is open
    lean = await client.post(PREVIEW, content=body, headers=JSON)
    routed = await client.post(PREVIEW, content=body, headers=JSON_WITH_CHARSET)
    assert lean.status_code == routed.status_code == 422
    assert lean.headers["content-type"] == "application/problem+json"
    assert without_request_id(lean) == without_request_id(routed)
    assert lean.content == routed.content
    assert lean.json()["type"] == f"/problems/{problem}"


async def test_cors_and_oversized_requests_go_the_ordinary_way(client: AsyncClient) -> None:
    await client.post(PREVIEW, json=PROFILE)
    from_browser = await client.post(
        PREVIEW, json=PROFILE, headers={"Origin": "https://app.example"}
    )
    assert from_browser.status_code == 200
    assert from_browser.headers["access-control-allow-origin"] == "https://app.example"
    too_big: dict[str, Any] = {**PROFILE, "padding": "x" * (1024 * 1024)}
    refused = await client.post(PREVIEW, content=json.dumps(too_big), headers=JSON)
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
