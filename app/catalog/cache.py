"""Rendered catalog responses, kept per process and dropped when the catalog version moves.

The catalog changes only on admin writes, which raise a version row in the database. Each
process rereads that version at most once per ``version_check_seconds``, so a cached page
costs no query at all and a write reaches every replica within that interval.

A page is rendered by its route, which validates the request first; from then on
``app.catalog.fast_path`` answers the same request before routing, from the stored bytes.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Scope

from app.catalog.service import all_classes, all_exercises, catalog_version
from app.classes.models import WorkoutClass
from app.etag import CACHE_CONTROL, client_has_current, entity_tag
from app.exercises.models import Exercise

RenderPage = Callable[[AsyncSession], Awaitable[BaseModel]]
CATALOG_PATHS = ("/v1/exercises", "/v1/classes")
JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class CachedPage:
    """A rendered page, its entity tag, and the route that rendered it (for logs)."""

    body: bytes
    etag: str
    route: Any

    def response(self, if_none_match: str | None) -> Response:
        """The page, or an empty 304 when the client's copy is current."""
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}
        if client_has_current(if_none_match, self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=JSON_MEDIA_TYPE, headers=headers)


def page_key(scope: Scope) -> str:
    return f"{scope['path']}?{scope['query_string'].decode('latin-1')}"


class CatalogCache:
    """Rendered pages by request path and query, for one catalog version."""

    def __init__(self, *, version_check_seconds: float = 1.0, max_entries: int = 2048) -> None:
        self.version_check_seconds = version_check_seconds
        self.max_entries = max_entries
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._pages: dict[str, CachedPage] = {}
        self._classes: tuple[WorkoutClass, ...] | None = None
        self._exercises: tuple[Exercise, ...] | None = None

    async def refresh(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        """Reread the catalog version when the last check is old; a new one drops every page."""
        now = time.monotonic()
        if self._version is not None and now - self._checked_at < self.version_check_seconds:
            return
        async with sessionmaker() as session:
            version = await catalog_version(session)
        if version != self._version:
            self._pages.clear()
            self._classes = None
            self._exercises = None
            self._version = version
        self._checked_at = now

    def expire(self) -> None:
        """Reread the version on the next request (this process just wrote the catalog)."""
        self._checked_at = float("-inf")

    async def classes(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> tuple[WorkoutClass, ...]:
        """Every class (without blocks), as the plan generator chooses from them."""
        await self.refresh(sessionmaker)
        if self._classes is None:
            async with sessionmaker() as session:
                self._classes = await all_classes(session)
        return self._classes

    async def exercises(
        self, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> tuple[Exercise, ...]:
        """Every exercise, as strength sessions choose from them."""
        await self.refresh(sessionmaker)
        if self._exercises is None:
            async with sessionmaker() as session:
                self._exercises = await all_exercises(session)
        return self._exercises

    def page(self, key: str) -> CachedPage | None:
        return self._pages.get(key)

    async def response(self, request: Request, render: RenderPage) -> Response:
        """The page for this request, rendered once per catalog version.

        A database session is opened only to check the version or to render a miss.
        """
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        await self.refresh(sessionmaker)
        key = page_key(request.scope)
        page = self._pages.get(key)
        if page is None:
            async with sessionmaker() as session:
                body = (await render(session)).model_dump_json().encode()
            page = CachedPage(body, entity_tag(body), request.scope.get("route"))
            if len(self._pages) >= self.max_entries:
                self._pages.clear()  # bounded memory; the hot pages come straight back
            self._pages[key] = page
        return page.response(request.headers.get("if-none-match"))


async def get_catalog_cache(request: Request) -> CatalogCache:
    """The process's catalog cache."""
    cache: CatalogCache = request.app.state.catalog_cache
    return cache


CachedCatalog = Annotated[CatalogCache, Depends(get_catalog_cache)]
