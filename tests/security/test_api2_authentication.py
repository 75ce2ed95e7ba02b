"""API2: forged, expired and orphaned tokens are refused; password guessing is throttled."""

import base64
import re
from datetime import timedelta

import jwt
import pytest
from httpx import AsyncClient, Response
from sqlmodel import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import SignInThrottle
from app.accounts.throttle import LOGIN_FAILURE_LIMIT
from app.config import Settings
from app.db import utc_now
from tests.factories import PASSWORD, auth_headers, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API2")]

FORGERIES = ["expired", "wrong key", "tampered", "alg none", "no exp", "garbage", "empty"]


def forged_token(kind: str, settings: Settings, user_id: int) -> str:
    now = utc_now()
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=5)}
    good = jwt.encode(claims, settings.secret_key, algorithm="HS256")
    header, payload, signature = good.split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    past = {**claims, "exp": now - timedelta(seconds=1)}
    return {
        "expired": jwt.encode(past, settings.secret_key, algorithm="HS256"),
        "wrong key": jwt.encode(claims, "another-secret-key-of-enough-length!", algorithm="HS256"),
        "tampered": f"{header}.{payload[:-2]}xx.{signature}",
        "alg none": f"{none_header}.{payload}.",
        "no exp": jwt.encode({"sub": str(user_id)}, settings.secret_key, algorithm="HS256"),
        "garbage": "not-a-token",
        "empty": "",
    }[kind]


@pytest.mark.parametrize("kind", FORGERIES)
async def test_bad_tokens_are_401(
    client: AsyncClient, db_session: AsyncSession, settings: Settings, kind: str
) -> None:
    user = await make_user(db_session)
    assert user.id is not None
    token = forged_token(kind, settings, user.id)
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("header", [None, "Basic dXNlcjpwYXNz", "Bearer", "bearer  "])
async def test_missing_or_other_schemes_are_401(client: AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await client.get("/v1/me/workouts", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_deleted_users_token_is_401(
    client: AsyncClient, db_session: AsyncSession, settings: Settings
) -> None:
    user = await make_user(db_session)
    headers = auth_headers(user, settings)
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    await db_session.delete(user)
    await db_session.commit()
    assert (await client.get("/v1/me", headers=headers)).status_code == 401


async def sign_in(client: AsyncClient, email: str, password: str) -> int:
    """Sign in from the test client's address (every in-process request shares it)."""
    response = await client.post("/v1/auth/token", data={"username": email, "password": password})
    if response.status_code == 429:
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.headers["content-type"] == "application/problem+json"
    return response.status_code


async def test_ten_failures_a_minute_lock_the_account(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    user = await make_user(db_session)
    statuses = [await sign_in(client, user.email, "wrong guess!") for _ in range(12)]
    assert statuses == [401] * LOGIN_FAILURE_LIMIT + [429, 429]
    # Even the right password waits out the minute: the guesser must not learn it.
    assert await sign_in(client, user.email, PASSWORD) == 429
    other = await make_user(db_session)
    assert await sign_in(client, other.email, PASSWORD) == 429  # same client address
    counted = (await db_session.exec(select(func.max(SignInThrottle.attempts)))).one()
    assert counted == LOGIN_FAILURE_LIMIT


async def test_failures_older_than_a_minute_do_not_count(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    user = await make_user(db_session)
    statuses = [await sign_in(client, user.email, "wrong guess!") for _ in range(11)]
    assert statuses[-1] == 429
    # The minute passes: every window the guesses opened now started long ago.
    long_ago = utc_now() - timedelta(minutes=2)
    await db_session.exec(update(SignInThrottle).values(window_started_at=long_ago))
    await db_session.commit()
    assert await sign_in(client, user.email, PASSWORD) == 200


def rate_limits(response: Response) -> dict[str, tuple[int, int]]:
    """Remaining attempts and seconds to reset per policy, from the RateLimit field."""
    found = re.findall(r'"(\w+)";r=(\d+);t=(\d+)', response.headers["ratelimit"])
    return {name: (int(left), int(reset)) for name, left, reset in found}


async def test_sign_in_answers_carry_the_ratelimit_fields(
    client: AsyncClient, db_session: AsyncSession
) -> None:
    user = await make_user(db_session)
    policy = '"account";q=10;w=60, "address";q=10;w=60'
    wrong = {"username": user.email, "password": "wrong guess!"}
    failed = await client.post("/v1/auth/token", data=wrong)
    assert failed.status_code == 401
    assert failed.headers["ratelimit-policy"] == policy
    assert {name: left for name, (left, _) in rate_limits(failed).items()} == {
        "account": LOGIN_FAILURE_LIMIT - 1,
        "address": LOGIN_FAILURE_LIMIT - 1,
    }
    assert all(1 <= reset <= 60 for _, reset in rate_limits(failed).values())
    right = {"username": user.email, "password": PASSWORD}
    signed_in = await client.post("/v1/auth/token", data=right)
    assert signed_in.status_code == 200
    # A success does not count: still one failure on the books.
    assert rate_limits(signed_in)["account"][0] == LOGIN_FAILURE_LIMIT - 1
    for _ in range(LOGIN_FAILURE_LIMIT):
        refused = await client.post("/v1/auth/token", data=wrong)
    assert refused.status_code == 429
    assert refused.headers["ratelimit-policy"] == policy
    assert rate_limits(refused)["account"][0] == 0
