"""Password hashing (Argon2id, bounded per process), signed access tokens (JWT, HS256) and
opaque one-use secrets (refresh and password-reset tokens)."""

import asyncio
import hashlib
import os
import secrets
import time
import weakref
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from http import HTTPStatus
from typing import TypeVar

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool

from app.api_types import MAX_ID
from app.db import utc_now
from app.errors import AppError

T = TypeVar("T")
TOKEN_ALGORITHM = "HS256"
# Access tokens whose check is remembered per process (a few hundred bytes each).
TOKENS_REMEMBERED = 4096
# Argon2id with the OWASP Password Storage Cheat Sheet's first setting: 19 MiB, 2 passes,
# one lane (docs/operations.md). Hashes made with other settings still verify.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
password_hash = PasswordHash(
    (
        Argon2Hasher(
            time_cost=ARGON2_TIME_COST,
            memory_cost=ARGON2_MEMORY_KIB,
            parallelism=ARGON2_PARALLELISM,
        ),
    )
)
# Hashes running at once in one process: one per core (each runs on one lane), so a burst
# of sign-ins can neither starve the event loop of CPU (the supervisor would kill a worker
# that stops answering its pings) nor grow a worker by hundreds of megabytes. Up to
# HASHING_QUEUE_LENGTH more wait their turn, each for at most HASHING_QUEUE_SECONDS (below
# uvicorn's 20 s graceful shutdown, so a draining worker still answers them); the rest get
# 503 with Retry-After.
HASHING_SLOTS = max(1, (os.cpu_count() or 1) // ARGON2_PARALLELISM)
HASHING_QUEUE_LENGTH = 32
HASHING_QUEUE_SECONDS = 15.0
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


class _HashingQueue:
    """The hashing slots of one process, and how many requests wait for one."""

    def __init__(self) -> None:
        self.slots = asyncio.Semaphore(HASHING_SLOTS)
        self.waiting = 0


# One queue per event loop, which is one per worker process (tests run several loops).
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _HashingQueue] = (
    weakref.WeakKeyDictionary()
)


async def _bounded(work: Callable[..., T], *args: str) -> T:
    """Run ``work`` off the event loop once a hashing slot is free; 503 if none frees soon."""
    queue = _queues.setdefault(asyncio.get_running_loop(), _HashingQueue())
    if queue.waiting >= HASHING_QUEUE_LENGTH:
        raise HashingBusy()
    queue.waiting += 1
    try:
        await asyncio.wait_for(queue.slots.acquire(), timeout=HASHING_QUEUE_SECONDS)
    except TimeoutError:
        raise HashingBusy() from None
    finally:
        queue.waiting -= 1
    try:
        return await run_in_threadpool(work, *args)
    finally:
        queue.slots.release()


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
        user_id, sign_in_id, expires_at = _checked_token(token, key)
    except jwt.PyJWTError:
        return None
    # PyJWT's own rule: a token is expired from the second its exp names.
    return (user_id, sign_in_id) if expires_at > time.time() else None


# A client sends the same token with every request until it expires: its signature and claims
# are checked once per process, then only its expiry. Refusals are not remembered (they
# raise): a token issued by a replica whose clock runs ahead is good a moment later.
@lru_cache(maxsize=TOKENS_REMEMBERED)
def _checked_token(token: str, key: str) -> tuple[int, int, int]:
    """(user id, session id, expiry) of a genuine token of ours, expired or not."""
    claims = jwt.decode(
        token,
        key,
        algorithms=[TOKEN_ALGORITHM],
        options={"require": ["exp", "sub", "sid"], "verify_exp": False},
    )
    subject, sign_in = claims["sub"], claims["sid"]
    # Only what issue_access_token writes: plain digits naming ids in range, a whole expiry.
    if not (_is_id_text(subject) and _is_id_text(sign_in) and type(claims["exp"]) is int):
        raise jwt.InvalidTokenError("not a token of ours")
    return int(subject), int(sign_in), claims["exp"]


def _is_id_text(value: object) -> bool:
    # A 30-digit subject must not reach the database: SQLite cannot bind it (a 500).
    return (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= len(str(MAX_ID))
        and 1 <= int(value) <= MAX_ID
    )


def new_opaque_token() -> tuple[str, str]:
    """A random secret for the client and the SHA-256 the database keeps instead."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    """The SHA-256 (hex) a one-use token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()
