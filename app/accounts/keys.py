"""The key that signs access tokens: the environment's, else the database's random one.

Outside production an unset ``BACKFIT_SECRET_KEY`` is never replaced by anything an attacker
could compute: the migration that made the ``signing_key`` table stored a random key there,
so every worker and every replica of one database signs with the same secret, and tokens
survive restarts. Each process reads it once.
"""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import SigningKey


class SigningKeys:
    """Where this process gets its signing key; read from the database at most once."""

    def __init__(self, configured: str) -> None:
        self._key = configured or None

    async def current(self, session: AsyncSession) -> str:
        """The secret access tokens are signed and checked with."""
        if self._key is None:
            self._key = (await session.exec(select(SigningKey.key).where(SigningKey.id == 1))).one()
        return self._key


async def signing_keys(request: Request) -> SigningKeys:
    """The application's signing-key source, made on first use."""
    # async although it never waits: FastAPI would run a plain function in its threadpool,
    # a thread hop on every signed-in request.
    keys: SigningKeys | None = getattr(request.app.state, "signing_keys", None)
    if keys is None:
        keys = request.app.state.signing_keys = SigningKeys(request.app.state.settings.secret_key)
    return keys


Keys = Annotated[SigningKeys, Depends(signing_keys)]
