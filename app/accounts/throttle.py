"""Sign-in throttling: too many failures a minute, per account or per client address, is a 429.

Failures are rows in the database, so every replica of the service sees the same counts.
"""

import math
from datetime import datetime, timedelta

from sqlmodel import case, col, delete, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import LoginFailure
from app.errors import TooManyRequests

LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=1)


async def refuse_if_throttled(
    session: AsyncSession, *, email: str, client_address: str, now: datetime
) -> None:
    """429 with Retry-After when the account or the address failed too often this minute."""
    since = now - LOGIN_FAILURE_WINDOW
    by_account = col(LoginFailure.email) == email
    by_address = col(LoginFailure.client_address) == client_address
    account_failures, account_oldest, address_failures, address_oldest = (
        await session.exec(
            select(
                func.sum(case((by_account, 1), else_=0)),
                func.min(case((by_account, col(LoginFailure.failed_at)))),
                func.sum(case((by_address, 1), else_=0)),
                func.min(case((by_address, col(LoginFailure.failed_at)))),
            ).where(col(LoginFailure.failed_at) > since, or_(by_account, by_address))
        )
    ).one()
    blocked_until = [
        oldest + LOGIN_FAILURE_WINDOW
        for failures, oldest in (
            (account_failures, account_oldest),
            (address_failures, address_oldest),
        )
        if failures and failures >= LOGIN_FAILURE_LIMIT and oldest is not None
    ]
    if blocked_until:
        wait = max(1, math.ceil((max(blocked_until) - now).total_seconds()))
        raise TooManyRequests(
            f"Too many failed sign-ins; try again in {wait} seconds.", retry_after_seconds=wait
        )


async def record_login_failure(
    session: AsyncSession, *, email: str, client_address: str, now: datetime
) -> None:
    """Count one failed sign-in, and forget the ones too old to matter."""
    await session.exec(
        delete(LoginFailure).where(col(LoginFailure.failed_at) <= now - LOGIN_FAILURE_WINDOW)
    )
    session.add(LoginFailure(email=email, client_address=client_address, failed_at=now))
    # Commit now: the failure must count although this request ends in a 401.
    await session.commit()
