"""Rendered catalog responses, kept per process and dropped when the catalog version moves.

The catalog changes only on admin writes, which raise a version row in the database. Each
process rereads that version at most once per ``version_check_seconds``, so a cached page
costs no query at all and a write reaches every replica within that interval.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.service import catalog_version
from app.etag import tagged_response

RenderPage = Callable[[AsyncSession], Awaitable[BaseModel]]


class CatalogCache:
    """Response bodies by request path and query, for one catalog version."""

    def __init__(self, *, version_check_seconds: float = 1.0, max_entries: int = 2048) -> None:
        self.version_check_seconds = version_check_seconds
        self.max_entries = max_entries
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._bodies: dict[str, bytes] = {}

    async def _check_version(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        now = time.monotonic()
        if self._version is not None and now - self._checked_at < self.version_check_seconds:
            return
        async with sessionmaker() as session:
            version = await catalog_version(session)
        if version != self._version:
            self._bodies.clear()
            self._version = version
        self._checked_at = now

    def expire(self) -> None:
        """Reread the version on the next request (this process just wrote the catalog)."""
        self._checked_at = float("-inf")

    async def response(self, request: Request, render: RenderPage) -> Response:
        """The cached body for this request, rendered once per catalog version.

        A database session is opened only to check the version or to render a miss, so a
        cached page costs no connection at all.
        """
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        await self._check_version(sessionmaker)
        key = f"{request.scope['path']}?{request.scope['query_string'].decode('latin-1')}"
        body = self._bodies.get(key)
        if body is None:
            async with sessionmaker() as session:
                body = (await render(session)).model_dump_json().encode()
            if len(self._bodies) >= self.max_entries:
                self._bodies.clear()  # bounded memory; the hot pages come straight back
            self._bodies[key] = body
        return tagged_response(request, body)


async def get_catalog_cache(request: Request) -> CatalogCache:
    """The process's catalog cache."""
    cache: CatalogCache = request.app.state.catalog_cache
    return cache


CachedCatalog = Annotated[CatalogCache, Depends(get_catalog_cache)]
