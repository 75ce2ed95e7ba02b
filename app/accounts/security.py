"""Password hashing (Argon2id) and signed access tokens (JWT, HS256)."""

from datetime import timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool

from app.api_types import MAX_ID
from app.config import Settings
from app.db import utc_now

TOKEN_ALGORITHM = "HS256"
password_hash = PasswordHash((Argon2Hasher(),))

# Verified against when the email is unknown, so a miss costs as long as a wrong password
# and response times do not reveal which emails have accounts.
_UNKNOWN_USER_HASH = password_hash.hash("unknown-user-timing-equaliser")


# Argon2 takes tens of milliseconds of CPU on purpose: run it off the event loop.


async def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return await run_in_threadpool(password_hash.hash, password)


async def verify_password(password: str, stored_hash: str | None) -> bool:
    """True when ``password`` matches; does the same work when there is no stored hash."""
    if stored_hash is None:
        await run_in_threadpool(password_hash.verify, password, _UNKNOWN_USER_HASH)
        return False
    return await run_in_threadpool(password_hash.verify, password, stored_hash)


def issue_access_token(user_id: int, settings: Settings) -> tuple[str, int]:
    """A signed token for ``user_id`` and its lifetime in seconds."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    issued_at = utc_now()
    claims = {"sub": str(user_id), "iat": issued_at, "exp": issued_at + lifetime}
    token = jwt.encode(claims, settings.secret_key, algorithm=TOKEN_ALGORITHM)
    return token, int(lifetime.total_seconds())


def user_id_from_token(token: str, settings: Settings) -> int | None:
    """The user id a valid token names; None for expired, tampered or foreign tokens."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    subject = claims["sub"]
    # Only what issue_access_token writes: plain digits naming an id in range.
    if not (isinstance(subject, str) and subject.isascii() and subject.isdigit()):
        return None
    user_id = int(subject)
    return user_id if 1 <= user_id <= MAX_ID else None
