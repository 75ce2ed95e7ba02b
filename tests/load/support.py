"""Helpers for load tests against a real two-worker server: many users, their tokens, tallies."""

from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

from app.accounts.models import SignIn, SigningKey, User
from app.accounts.security import issue_access_token
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from tests.factories import PASSWORD, PASSWORD_HASH

__all__ = ["PASSWORD", "Tally", "bearer", "make_users", "this_monday"]


# The Authorization header of each user make_users made, by user id.
_headers: dict[int, dict[str, str]] = {}


async def make_users(database_url: str, count: int, prefix: str) -> list[User]:
    """``count`` users stored straight into the database (one Argon2 hash shared by all), each
    signed in once, with a token signed by the database's own key (as the server signs)."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with create_sessionmaker(engine)() as session:
            users = [
                User(
                    email=f"{prefix}-{n}@example.com",
                    password_hash=PASSWORD_HASH,
                    equipment=["mat", "dumbbells"],
                )
                for n in range(count)
            ]
            session.add_all(users)
            await session.commit()
            sign_ins = [SignIn(user_id=user.id or 0, user_agent="load test") for user in users]
            session.add_all(sign_ins)
            await session.commit()
            key = (await session.exec(select(SigningKey.key).where(SigningKey.id == 1))).one()
    finally:
        await engine.dispose()
    for user, sign_in in zip(users, sign_ins, strict=True):
        assert user.id is not None
        assert sign_in.id is not None
        token, _ = issue_access_token(user_id=user.id, sign_in_id=sign_in.id, key=key, minutes=60)
        _headers[user.id] = {"Authorization": f"Bearer {token}"}
    return users


def bearer(user: User) -> dict[str, str]:
    """The Authorization header make_users made for ``user``."""
    assert user.id is not None
    return _headers[user.id]


def this_monday() -> str:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=today.weekday())).isoformat()


class Tally:
    """Statuses per operation; a transport error or a timeout counts as status None."""

    def __init__(self) -> None:
        self.statuses: Counter[tuple[str, int | None]] = Counter()
        self.samples: dict[tuple[str, int], str] = {}

    async def call(
        self, operation: str, request: Awaitable[httpx.Response]
    ) -> httpx.Response | None:
        try:
            response = await request
        except (TimeoutError, httpx.TransportError):
            self.statuses[operation, None] += 1
            return None
        self.statuses[operation, response.status_code] += 1
        if response.status_code >= 400:
            self.samples.setdefault((operation, response.status_code), response.text[:300])
        return response

    def count(self, *, status: int | None, operation: str | None = None) -> int:
        return sum(
            n
            for (name, code), n in self.statuses.items()
            if code == status and operation in (None, name)
        )

    def failures(self) -> dict[str, str]:
        """One response body per failing (operation, status), for the assertion message."""
        return {f"{name} {code}": text for (name, code), text in self.samples.items()}

    def table(self) -> dict[str, int]:
        return {f"{name} {code}": n for (name, code), n in sorted(self.statuses.items(), key=str)}
