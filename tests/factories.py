"""Factories that create rows the test then owns (inside its rolled-back transaction)."""

import itertools
from datetime import datetime
from typing import Any

from httpx import AsyncClient
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import Role, SignIn, User
from app.accounts.security import issue_access_token, password_hash
from app.config import Settings
from app.local_time import local_date_of, sent_offset_minutes
from app.workouts.models import Workout

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; one hash serves every factory-made user.
PASSWORD_HASH = password_hash.hash(PASSWORD)
_numbers = itertools.count(1)
# The sign-in each factory-made user's test tokens belong to, by user id.
_sign_ins: dict[int, int] = {}


async def make_user(db_session: AsyncSession, *, role: Role = "user", **profile: Any) -> User:
    """A user with a unique email and the shared test password."""
    user = User(
        email=f"user{next(_numbers)}@example.com",
        password_hash=PASSWORD_HASH,
        role=role,
        **profile,
    )
    db_session.add(user)
    await db_session.commit()
    assert user.id is not None
    sign_in = SignIn(user_id=user.id, user_agent="factory")
    db_session.add(sign_in)
    await db_session.commit()
    assert sign_in.id is not None
    _sign_ins[user.id] = sign_in.id
    return user


def sign_in_id_of(user: User) -> int:
    """The id of the sign-in ``make_user`` made for ``user``."""
    assert user.id is not None
    return _sign_ins[user.id]


def auth_headers(user: User, settings: Settings) -> dict[str, str]:
    """A bearer token of the sign-in ``make_user`` made (signed with the test settings' key)."""
    assert user.id is not None
    token, _ = issue_access_token(
        user_id=user.id,
        sign_in_id=sign_in_id_of(user),
        key=settings.secret_key,
        minutes=settings.access_token_minutes,
    )
    return {"Authorization": f"Bearer {token}"}


async def signed_up(client: AsyncClient, email: str) -> dict[str, str]:
    """Bearer headers for a new account, registered and signed in through the API."""
    registered = await client.post("/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    token = await client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def make_workout(
    db_session: AsyncSession, user: User, *, completed_at: datetime, **fields: Any
) -> Workout:
    """A workout logged straight into the database (no HTTP), dated as the API would."""
    assert user.id is not None
    workout = Workout(
        user_id=user.id,
        completed_at=completed_at,
        utc_offset_minutes=sent_offset_minutes(completed_at),
        local_date=local_date_of(completed_at, user.time_zone),
        duration_minutes=fields.pop("duration_minutes", 20),
        **fields,
    )
    db_session.add(workout)
    await db_session.commit()
    return workout


async def post_workout(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """Log a workout through the API and return the response body."""
    payload = {"completed_at": "2026-11-23T18:30:00+00:00", "duration_minutes": 20, **body}
    response = await client.post("/v1/me/workouts", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
