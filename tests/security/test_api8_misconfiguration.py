"""API8: CORS only for configured origins, no internals in errors, docs can be switched off."""

import pytest
from httpx import ASGITransport, AsyncClient

from app.config import Settings
from app.main import create_app

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API8")]

PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization",
}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://app.example", True),
        ("https://evil.example", False),
        ("https://app.example.evil.example", False),
        ("null", False),
    ],
)
async def test_cors_only_for_configured_origins(
    client: AsyncClient, origin: str, allowed: bool
) -> None:
    preflight = await client.options("/v1/me/workouts", headers={"Origin": origin, **PREFLIGHT})
    simple = await client.get("/v1/classes", headers={"Origin": origin})
    for response in (preflight, simple):
        granted = response.headers.get("access-control-allow-origin")
        assert (granted == origin) is allowed
        assert granted != "*"


async def test_unexpected_errors_reveal_nothing(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: SELECT password_hash FROM user")

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert response.json()["detail"] == "An unexpected error occurred; it has been logged."


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"email": ', b"\xff\xfe", b"[]", b"null", b'"text"']
)
async def test_malformed_bodies_are_422_without_echoing_internals(
    client: AsyncClient, body: bytes
) -> None:
    response = await client.post(
        "/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "Traceback" not in response.text


async def test_docs_can_be_switched_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"docs_enabled": False}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/healthz")).status_code == 200


async def test_responses_do_not_advertise_the_stack(client: AsyncClient) -> None:
    response = await client.get("/v1/classes")
    assert "x-powered-by" not in response.headers
    assert "server" not in response.headers
