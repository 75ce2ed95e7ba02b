"""Sign-in throttling: more than ten attempts a minute for one account, or from one client
address, answer 429 until the minute is over.

Each attempt takes its place in the count before the password is hashed, in one atomic
upsert per key committed at once, so concurrent guesses (on any worker or replica) cannot all
pass a check made before any of them was counted. A successful sign-in gives its place back,
so only failures add up. Keys are SHA-256 digests: addresses and emails of any length count.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import case, col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import SignInThrottle
from app.db import UTCDateTime
from app.errors import TooManyRequests

LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=1)
_WINDOW_SECONDS = int(LOGIN_FAILURE_WINDOW.total_seconds())
# The IETF httpapi RateLimit fields' policies (draft-ietf-httpapi-ratelimit-headers).
RATE_LIMIT_POLICY = ", ".join(
    f'"{name}";q={LOGIN_FAILURE_LIMIT};w={_WINDOW_SECONDS}' for name in ("account", "address")
)


@dataclass(frozen=True)
class Allowance:
    """What is left of each policy's quota after this attempt, for the RateLimit fields."""

    remaining: dict[str, int]
    reset_seconds: dict[str, int]

    def given_back(self) -> "Allowance":
        """The allowance once this attempt gave its place back (it succeeded)."""
        remaining = {
            name: min(LOGIN_FAILURE_LIMIT, left + 1) for name, left in self.remaining.items()
        }
        return Allowance(remaining=remaining, reset_seconds=self.reset_seconds)

    def headers(self) -> dict[str, str]:
        limits = ", ".join(
            f'"{name}";r={left};t={self.reset_seconds[name]}'
            for name, left in self.remaining.items()
        )
        return {"RateLimit-Policy": RATE_LIMIT_POLICY, "RateLimit": limits}


def throttle_keys(*, email: str, client_address: str) -> dict[str, str]:
    return {
        name: hashlib.sha256(f"{name}:{value}".encode()).hexdigest()
        for name, value in (("account", email), ("address", client_address))
    }


def _upsert(session: AsyncSession) -> type[sqlite.Insert] | type[postgresql.Insert]:
    dialect = session.get_bind().dialect.name
    return postgresql.Insert if dialect == "postgresql" else sqlite.Insert


async def reserve_attempt(
    session: AsyncSession, *, email: str, client_address: str, now: datetime
) -> Allowance:
    """Count this attempt for the account and the address; 429 past the limit.

    The caller commits the count at once (``committed_now``), before hashing the password.
    """
    keys = throttle_keys(email=email, client_address=client_address)
    table = SignInThrottle.__table__  # type: ignore[attr-defined]
    started = sa.literal(now, UTCDateTime())
    expired = table.c.window_started_at <= sa.literal(now - LOGIN_FAILURE_WINDOW, UTCDateTime())
    # One row per key; keys in one order, so two transactions never wait on each other.
    inserted = _upsert(session)(table).values(
        [{"key": key, "window_started_at": now, "attempts": 1} for key in sorted(keys.values())]
    )
    statement = inserted.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "attempts": case((expired, 1), else_=table.c.attempts + 1),
            "window_started_at": case((expired, started), else_=table.c.window_started_at),
        },
    ).returning(table.c.key, table.c.attempts, table.c.window_started_at)
    counted = {row.key: row for row in (await session.exec(statement)).all()}
    # Forget finished windows; rows another attempt holds are skipped, never waited for.
    stale = (
        select(col(SignInThrottle.key))
        .where(col(SignInThrottle.window_started_at) <= now - LOGIN_FAILURE_WINDOW)
        .limit(100)
        .with_for_update(skip_locked=True)
    )
    await session.exec(delete(SignInThrottle).where(col(SignInThrottle.key).in_(stale)))
    remaining: dict[str, int] = {}
    reset_seconds: dict[str, int] = {}
    for name, key in keys.items():
        row = counted[key]
        remaining[name] = max(0, LOGIN_FAILURE_LIMIT - row.attempts)
        window_ends = row.window_started_at + LOGIN_FAILURE_WINDOW
        reset_seconds[name] = max(1, math.ceil((window_ends - now).total_seconds()))
    allowance = Allowance(remaining=remaining, reset_seconds=reset_seconds)
    over = [name for name, key in keys.items() if counted[key].attempts > LOGIN_FAILURE_LIMIT]
    if over:
        wait = max(reset_seconds[name] for name in over)
        refusal = TooManyRequests(
            f"Too many failed sign-ins; try again in {wait} seconds.", retry_after_seconds=wait
        )
        assert refusal.headers is not None
        refusal.headers.update(allowance.headers())
        raise refusal
    return allowance


async def give_back_attempt(session: AsyncSession, *, email: str, client_address: str) -> None:
    """A successful sign-in does not count against the account or the address.

    The caller commits at once (``committed_now``): the rows stay locked only that long.
    """
    keys = throttle_keys(email=email, client_address=client_address)
    # Rows locked in key order, as reserve_attempt's upsert takes them: an UPDATE … IN locks
    # them in whatever order its plan finds them, and two sign-ins sharing an account and an
    # address deadlocked.
    counted = (
        select(col(SignInThrottle.key))
        .where(col(SignInThrottle.key).in_(keys.values()), col(SignInThrottle.attempts) > 0)
        .order_by(col(SignInThrottle.key))
        .with_for_update()
    )
    await session.exec(
        update(SignInThrottle)
        .where(col(SignInThrottle.key).in_(counted))
        .values(attempts=col(SignInThrottle.attempts) - 1)
    )


async def forget_account(session: AsyncSession, *, email: str) -> None:
    """Drop the account's count (its owner deleted it)."""
    key = throttle_keys(email=email, client_address="")["account"]
    await session.exec(delete(SignInThrottle).where(col(SignInThrottle.key) == key))
