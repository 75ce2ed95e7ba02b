"""Signed-in sessions: sign-in, refresh with rotation and reuse detection, sign-out.

A sign-in makes a ``sign_in`` row; its access tokens name it (``sid``) and stop working the
moment it is deleted. Its refresh tokens form one chain: each use retires the token and
issues the next. A retired token presented again means someone kept a copy, so the whole
chain (the sign-in) is revoked, as the OAuth 2.0 Security BCP asks. Two uses of one token
within a few seconds are a client racing itself (a retry), not theft: the loser gets 401
and the winner's new pair keeps working.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.keys import SigningKeys
from app.accounts.models import AccessToken, RefreshToken, SignIn, SignInPublic, User
from app.accounts.security import digest, issue_access_token, new_opaque_token, verify_password
from app.accounts.throttle import Allowance, give_back_attempt, reserve_attempt
from app.config import Settings
from app.db import committed_now, utc_now
from app.errors import NotFound, Unauthorized

CONCURRENT_REFRESH_GRACE = timedelta(seconds=10)
USER_AGENT_LENGTH = 255


@dataclass(frozen=True)
class SignedIn:
    token: AccessToken
    allowance: Allowance


async def _issue_pair(
    session: AsyncSession, *, user_id: int, sign_in_id: int, keys: SigningKeys, settings: Settings
) -> AccessToken:
    refresh_token, refresh_hash = new_opaque_token()
    session.add(
        RefreshToken(
            sign_in_id=sign_in_id,
            token_hash=refresh_hash,
            expires_at=utc_now() + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    access_token, lifetime = issue_access_token(
        user_id=user_id,
        sign_in_id=sign_in_id,
        key=await keys.current(session),
        minutes=settings.access_token_minutes,
    )
    return AccessToken(access_token=access_token, expires_in=lifetime, refresh_token=refresh_token)


async def sign_in(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    client_address: str,
    user_agent: str,
    keys: SigningKeys,
    settings: Settings,
) -> SignedIn:
    """A new session and its token pair for the right password; 401 otherwise, 429 past the
    throttle (the attempt is counted before the password is checked)."""
    email = email.strip().lower()
    async with committed_now(session):
        allowance = await reserve_attempt(
            session, email=email, client_address=client_address, now=utc_now()
        )
        user = (await session.exec(select(User).where(User.email == email))).first()
    # No transaction is open while Argon2 runs: on SQLite it would hold the write lock.
    # A 503 from a full hashing queue keeps its place in the count: a retry costs the
    # client one attempt, and a flood costs the server no further write.
    if not await verify_password(password, user.password_hash if user else None):
        failed = Unauthorized("Wrong email or password.")
        assert failed.headers is not None
        failed.headers.update(allowance.headers())
        raise failed
    assert user is not None
    assert user.id is not None
    async with committed_now(session):
        await give_back_attempt(session, email=email, client_address=client_address)
    record = SignIn(user_id=user.id, user_agent=user_agent[:USER_AGENT_LENGTH])
    session.add(record)
    await session.flush()
    assert record.id is not None
    token = await _issue_pair(
        session, user_id=user.id, sign_in_id=record.id, keys=keys, settings=settings
    )
    return SignedIn(token=token, allowance=allowance.given_back())


async def refresh(
    session: AsyncSession, *, refresh_token: str, keys: SigningKeys, settings: Settings
) -> AccessToken:
    """A new pair for a current refresh token, which is retired; 401 for any other token,
    and a retired one revokes its whole session."""
    now = utc_now()
    token_hash = digest(refresh_token)
    pair: AccessToken | None = None
    async with committed_now(session):
        # Retiring is one conditional UPDATE: of two racing refreshes, exactly one matches.
        sign_in_id: int | None = (
            await session.exec(
                update(RefreshToken)
                .where(
                    col(RefreshToken.token_hash) == token_hash,
                    col(RefreshToken.retired_at).is_(None),
                    col(RefreshToken.expires_at) > now,
                )
                .values(retired_at=now)
                .returning(col(RefreshToken.sign_in_id))
            )
        ).scalar_one_or_none()
        if sign_in_id is None:
            await _revoke_if_reused(session, token_hash=token_hash, now=now)
        else:
            user_id: int = (
                await session.exec(
                    update(SignIn)
                    .where(col(SignIn.id) == sign_in_id)
                    .values(last_used_at=now)
                    .returning(col(SignIn.user_id))
                )
            ).scalar_one()
            # Retired tokens are kept for reuse detection until they would have expired.
            await session.exec(
                delete(RefreshToken).where(
                    col(RefreshToken.sign_in_id) == sign_in_id, col(RefreshToken.expires_at) <= now
                )
            )
            pair = await _issue_pair(
                session, user_id=user_id, sign_in_id=sign_in_id, keys=keys, settings=settings
            )
    if pair is None:
        raise Unauthorized("The refresh token is invalid, expired or already used; sign in again.")
    return pair


async def _revoke_if_reused(session: AsyncSession, *, token_hash: str, now: datetime) -> None:
    retired = (
        await session.exec(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    ).first()
    if retired is None or retired.retired_at is None:
        return  # unknown or merely expired
    if retired.retired_at > now - CONCURRENT_REFRESH_GRACE:
        return  # the same client racing itself
    await session.exec(delete(SignIn).where(col(SignIn.id) == retired.sign_in_id))


_USER = User.__table__  # type: ignore[attr-defined]
_SIGN_IN = SignIn.__table__  # type: ignore[attr-defined]
# Built once: every signed-in request runs it, so it is neither rebuilt nor re-keyed for the
# statement cache each time.
_SIGNED_IN_USER = (
    sa.select(_USER)
    .join(_SIGN_IN, _SIGN_IN.c.user_id == _USER.c.id)
    .where(_USER.c.id == sa.bindparam("user_id"), _SIGN_IN.c.id == sa.bindparam("sign_in_id"))
)


async def find_signed_in_user(
    session: AsyncSession, *, user_id: int, sign_in_id: int
) -> User | None:
    """The user, if the session named by an access token still exists (one query)."""
    connection = await session.connection()
    row = (
        await connection.execute(_SIGNED_IN_USER, {"user_id": user_id, "sign_in_id": sign_in_id})
    ).first()
    if row is None:
        return None
    known = session.identity_map.get(identity_key(User, user_id))
    if isinstance(known, User):
        return known
    # The row made into a User as an ORM query would (its values unchanged since loaded, and
    # in the session, so a route that edits it saves it), without the ORM query's overhead.
    user: User = User.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    for key, value in row._mapping.items():
        set_committed_value(user, key, value)
    make_transient_to_detached(user)
    session.add(user)
    return user


async def end_session(session: AsyncSession, *, user_id: int, sign_in_id: int) -> None:
    """Sign one of the user's sessions out: its access and refresh tokens stop working."""
    ended = await session.exec(
        delete(SignIn)
        .where(col(SignIn.id) == sign_in_id, col(SignIn.user_id) == user_id)
        .returning(col(SignIn.id))
    )
    if ended.first() is None:
        raise NotFound("session", sign_in_id)


async def end_other_sessions(session: AsyncSession, *, user_id: int, keep: int | None) -> None:
    """Sign the user out everywhere, except on the session ``keep`` when given."""
    statement = delete(SignIn).where(col(SignIn.user_id) == user_id)
    if keep is not None:
        statement = statement.where(col(SignIn.id) != keep)
    await session.exec(statement)


async def list_sessions(
    session: AsyncSession, *, user_id: int, current_sign_in_id: int
) -> list[SignInPublic]:
    """The user's signed-in devices, most recently used first."""
    rows = await session.exec(
        select(SignIn)
        .where(SignIn.user_id == user_id)
        .order_by(col(SignIn.last_used_at).desc(), col(SignIn.id).desc())
    )
    return [
        SignInPublic.model_validate(row, update={"current": row.id == current_sign_in_id})
        for row in rows
    ]
