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
from sqlmodel.ext.asyncio.session import AsyncSession

from app.catalog.service import catalog_version
from app.etag import tagged_response

RenderPage = Callable[[], Awaitable[BaseModel]]


class CatalogCache:
    """Response bodies by request path and query, for one catalog version."""

    def __init__(self, *, version_check_seconds: float = 1.0, max_entries: int = 2048) -> None:
        self.version_check_seconds = version_check_seconds
        self.max_entries = max_entries
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._bodies: dict[str, bytes] = {}

    async def _current_version(self, session: AsyncSession) -> int:
        now = time.monotonic()
        if self._version is None or now - self._checked_at >= self.version_check_seconds:
            version = await catalog_version(session)
            if version != self._version:
                self._bodies.clear()
                self._version = version
            self._checked_at = now
        return self._version

    def expire(self) -> None:
        """Reread the version on the next request (this process just wrote the catalog)."""
        self._checked_at = float("-inf")

    async def response(
        self, request: Request, session: AsyncSession, render: RenderPage
    ) -> Response:
        """The cached body for this request, rendered once per catalog version."""
        await self._current_version(session)
        key = f"{request.url.path}?{request.url.query}"
        body = self._bodies.get(key)
        if body is None:
            body = (await render()).model_dump_json().encode()
            if len(self._bodies) >= self.max_entries:
                self._bodies.clear()  # bounded memory; the hot pages come straight back
            self._bodies[key] = body
        return tagged_response(request, body)


def get_catalog_cache(request: Request) -> CatalogCache:
    """The process's catalog cache."""
    cache: CatalogCache = request.app.state.catalog_cache
    return cache


CachedCatalog = Annotated[CatalogCache, Depends(get_catalog_cache)]
