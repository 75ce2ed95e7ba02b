"""Password hashing (Argon2id, bounded per process), signed access tokens (JWT, HS256) and
opaque one-use secrets (refresh and password-reset tokens)."""

import asyncio
import hashlib
import os
import secrets
import weakref
from collections.abc import Callable
from datetime import timedelta
from http import HTTPStatus
from typing import TypeVar

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool

from app.db import utc_now
from app.errors import AppError

T = TypeVar("T")
TOKEN_ALGORITHM = "HS256"
# Argon2id as OWASP's cheat sheet suggests for an interactive login: 64 MiB, 3 passes, 4 lanes
# (docs/operations.md). The memory is what bounds concurrency: see HASHING_SLOTS.
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_TIME_COST = 3
ARGON2_PARALLELISM = 4
password_hash = PasswordHash(
    (
        Argon2Hasher(
            time_cost=ARGON2_TIME_COST,
            memory_cost=ARGON2_MEMORY_KIB,
            parallelism=ARGON2_PARALLELISM,
        ),
    )
)
# Hashes running at once in one process, sized to the cores: each hash already runs
# ARGON2_PARALLELISM lanes on threads of its own, and takes 64 MiB, so a burst of sign-ins
# can neither starve the event loop of CPU (the supervisor would kill a worker that stops
# answering its pings) nor grow a worker by gigabytes. The rest wait their turn for at most
# HASHING_QUEUE_SECONDS, then get 503 with Retry-After.
HASHING_SLOTS = max(1, (os.cpu_count() or 1) // ARGON2_PARALLELISM)
HASHING_QUEUE_SECONDS = 5.0
HASHING_RETRY_AFTER_SECONDS = 1

# Verified against when the email is unknown, so a miss costs as long as a wrong password
# and response times do not reveal which emails have accounts.
_UNKNOWN_USER_HASH = password_hash.hash("unknown-user-timing-equaliser")


class HashingBusy(AppError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    problem = "busy"

    def __init__(self) -> None:
        super().__init__(
            "Too many sign-ins are being checked right now; retry in a moment.",
            headers={"Retry-After": str(HASHING_RETRY_AFTER_SECONDS)},
        )


# One semaphore per event loop, which is one per worker process (tests run several loops).
_slots_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _hashing_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _slots_by_loop.get(loop)
    if slots is None:
        slots = _slots_by_loop[loop] = asyncio.Semaphore(HASHING_SLOTS)
    return slots


async def _bounded(work: Callable[..., T], *args: str) -> T:
    """Run ``work`` off the event loop once a hashing slot is free; 503 if none frees soon."""
    slots = _hashing_slots()
    try:
        await asyncio.wait_for(slots.acquire(), timeout=HASHING_QUEUE_SECONDS)
    except TimeoutError:
        raise HashingBusy() from None
    try:
        return await run_in_threadpool(work, *args)
    finally:
        slots.release()


async def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return await _bounded(password_hash.hash, password)


async def verify_password(password: str, stored_hash: str | None) -> bool:
    """True when ``password`` matches; does the same work when there is no stored hash."""
    if stored_hash is None:
        await _bounded(password_hash.verify, password, _UNKNOWN_USER_HASH)
        return False
    return await _bounded(password_hash.verify, password, stored_hash)


def issue_access_token(*, user_id: int, sign_in_id: int, key: str, minutes: int) -> tuple[str, int]:
    """A signed token for ``user_id``'s session ``sign_in_id`` and its lifetime in seconds."""
    lifetime = timedelta(minutes=minutes)
    issued_at = utc_now()
    claims = {
        "sub": str(user_id),
        "sid": str(sign_in_id),
        "iat": issued_at,
        "exp": issued_at + lifetime,
    }
    token = jwt.encode(claims, key, algorithm=TOKEN_ALGORITHM)
    return token, int(lifetime.total_seconds())


def session_from_token(token: str, key: str) -> tuple[int, int] | None:
    """(user id, session id) a valid token names; None for expired, tampered or foreign ones."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[TOKEN_ALGORITHM], options={"require": ["exp", "sub", "sid"]}
        )
        user_id, sign_in_id = int(claims["sub"]), int(claims["sid"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    # Ids are 63-bit at most on either store; anything larger names nobody.
    if not (0 < user_id < 2**63 and 0 < sign_in_id < 2**63):
        return None
    return user_id, sign_in_id


def new_opaque_token() -> tuple[str, str]:
    """A random secret for the client and the SHA-256 the database keeps instead."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    """The SHA-256 (hex) a one-use token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()
