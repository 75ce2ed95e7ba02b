"""CORS as a front-end meets it: its request id allowed, rate-limit headers readable, local
dev servers allowed while developing, and a refused preflight told why in problem details."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from httpx import ASGITransport, AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.main import create_app

pytestmark = pytest.mark.anyio


def preflight(origin: str, headers: str = "content-type,x-request-id") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


@asynccontextmanager
async def app_client(
    settings: Settings, sessions: Callable[[], AsyncSession], **changes: object
) -> AsyncIterator[AsyncClient]:
    app = create_app(settings.model_copy(update=changes))
    app.state.sessionmaker = sessions
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_a_configured_origin_may_send_its_request_id_and_read_rate_limits(
    client: AsyncClient,
) -> None:
    response = await client.options("/v1/auth/register", headers=preflight("https://app.example"))
    assert response.status_code == 200
    assert "x-request-id" in response.headers["access-control-allow-headers"].lower()
    simple = await client.get(
        "/v1/classes", headers={"Origin": "https://app.example", "X-Request-ID": "front-1"}
    )
    exposed = {
        name.strip().lower() for name in simple.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "x-request-id", "retry-after", "ratelimit", "ratelimit-policy"} <= exposed
    assert simple.headers["x-request-id"] == "front-1"


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:5173", True),
        ("http://127.0.0.1:3000", True),
        ("http://localhost", True),
        ("http://localhost.evil.example:5173", False),
        ("https://evil.example", False),
        ("http://127.0.0.1.evil.example", False),
    ],
)
async def test_development_without_configured_origins_allows_local_front_ends(
    settings: Settings,
    joined_sessions: Callable[[], AsyncSession],
    origin: str,
    allowed: bool,
) -> None:
    async with app_client(settings, joined_sessions, env="development", cors_origins=[]) as client:
        response = await client.options("/v1/auth/register", headers=preflight(origin))
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed


@pytest.mark.parametrize("env", ["production", "test"])
async def test_elsewhere_only_configured_origins_are_allowed(
    settings: Settings, joined_sessions: Callable[[], AsyncSession], env: str
) -> None:
    changes: dict[str, object] = {"env": env, "cors_origins": []}
    if env == "production":
        changes["secret_key"] = "x" * 40
    async with app_client(settings, joined_sessions, **changes) as client:
        response = await client.options(
            "/v1/auth/register", headers=preflight("http://localhost:5173")
        )
    assert "access-control-allow-origin" not in response.headers


async def test_a_refused_preflight_says_why_in_problem_details(client: AsyncClient) -> None:
    response = await client.options(
        "/v1/auth/register", headers=preflight("https://evil.example", "x-secret")
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 403
    assert problem["type"] == "/problems/cors-refused"
    assert "origin, headers" in problem["detail"]
    assert "X-Request-ID" in problem["detail"]
