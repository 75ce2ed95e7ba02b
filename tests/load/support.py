"""Helpers for load tests against a real two-worker server: many users, their tokens, tallies."""

from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import httpx

from app.accounts.models import User
from app.accounts.security import issue_access_token
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from tests.factories import PASSWORD, PASSWORD_HASH

__all__ = ["PASSWORD", "Tally", "bearer", "make_users", "this_monday"]


async def make_users(database_url: str, count: int, prefix: str) -> list[User]:
    """``count`` users stored straight into the database (one Argon2 hash shared by all)."""
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
    finally:
        await engine.dispose()
    return users


def bearer(user: User, database_url: str) -> dict[str, str]:
    """An Authorization header the server accepts (its key is derived from the same URL)."""
    assert user.id is not None
    token, _ = issue_access_token(user.id, Settings(database_url=database_url))
    return {"Authorization": f"Bearer {token}"}


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
