"""Rendered catalog responses, kept per process and dropped when the catalog version moves.

The catalog changes only on admin writes, which raise a version row in the database. A
background task of each process rereads that version every ``version_check_seconds`` on a
connection of its own, so a write reaches every replica within that interval while requests
never wait for the check: a cached page costs no query at all, and a request never opens a
second session next to its own (with the pool full, it would wait for a connection that no
one can release).

A page is rendered by its route, which validates the request first; from then on
``app.catalog.fast_path`` answers the same request before routing, from the stored bytes.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Scope

from app.catalog.service import all_classes, all_exercises, catalog_version
from app.classes.models import WorkoutClass
from app.etag import CACHE_CONTROL, client_has_current, entity_tag
from app.exercises.models import Exercise

logger = logging.getLogger("backfit.catalog")

RenderPage = Callable[[AsyncSession], Awaitable[BaseModel]]
Row = TypeVar("Row", bound=SQLModel)
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
        # Raised on every drop: a page or class list read before a drop is not stored after it.
        self._generation = 0
        self._pages: dict[str, CachedPage] = {}
        self._catalog_rows: dict[str, tuple[SQLModel, ...]] = {}

    def _drop(self) -> None:
        self._pages.clear()
        self._catalog_rows.clear()
        self._generation += 1

    async def check_version(self, sessionmaker: Callable[[], AsyncSession]) -> None:
        """Reread the catalog version (outside any request); a new one drops every page."""
        async with sessionmaker() as session:
            version = await catalog_version(session)
        if version != self._version:
            self._drop()
            self._version = version

    @asynccontextmanager
    async def watching(self, sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
        """Check the version in the background for as long as the context is open."""

        async def watch() -> None:
            task = asyncio.current_task()
            assert task is not None
            while True:
                try:
                    await self.check_version(sessionmaker)
                except Exception as error:  # a database outage: keep serving, retry later
                    # A check cancelled mid-query can surface as the driver's own error (the
                    # session's rollback fails): the cancellation stands, or shutdown waits
                    # for this loop forever.
                    if task.cancelling():
                        raise
                    logger.warning("catalog version check failed: %s", type(error).__name__)
                await asyncio.sleep(self.version_check_seconds)

        watcher = asyncio.create_task(watch(), name="catalog-version-check")
        try:
            yield
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)

    def expire(self) -> None:
        """Drop every page now: this process just wrote the catalog.

        The write commits after this; a page rendered from the old rows in between is
        dropped again by the next version check, which sees the raised version.
        """
        self._drop()

    async def classes(self, session: AsyncSession) -> tuple[WorkoutClass, ...]:
        """Every class (without blocks), as the plan generator chooses from them."""
        return await self._rows("classes", session, all_classes)

    async def exercises(self, session: AsyncSession) -> tuple[Exercise, ...]:
        """Every exercise, as strength sessions choose from them."""
        return await self._rows("exercises", session, all_exercises)

    async def _rows(
        self,
        name: str,
        session: AsyncSession,
        read: Callable[[AsyncSession], Awaitable[tuple[Row, ...]]],
    ) -> tuple[Row, ...]:
        """Catalog rows kept until the version moves; read on the request's own session."""
        cached = self._catalog_rows.get(name)
        if cached is not None:
            return cast(tuple[Row, ...], cached)
        generation = self._generation
        rows = await read(session)
        for row in rows:
            # Out of the request's session: its rollback would expire them for every request.
            session.expunge(row)
        if generation == self._generation:
            self._catalog_rows[name] = rows
        return rows

    def kept_rows(self) -> tuple[tuple[WorkoutClass, ...], tuple[Exercise, ...]] | None:
        """Every class and every exercise when both are kept, without a session; else None."""
        classes, exercises = self._catalog_rows.get("classes"), self._catalog_rows.get("exercises")
        if classes is None or exercises is None:
            return None
        return cast(tuple[WorkoutClass, ...], classes), cast(tuple[Exercise, ...], exercises)

    def page(self, key: str) -> CachedPage | None:
        return self._pages.get(key)

    async def response(self, request: Request, render: RenderPage) -> Response:
        """The page for this request, rendered once per catalog version.

        A miss opens the request's only database session to render the page.
        """
        key = page_key(request.scope)
        page = self._pages.get(key)
        if page is None:
            generation = self._generation
            sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
            async with sessionmaker() as session:
                body = (await render(session)).model_dump_json().encode()
            page = CachedPage(body, entity_tag(body), request.scope.get("route"))
            if generation == self._generation:
                if len(self._pages) >= self.max_entries:
                    self._pages.clear()  # bounded memory; the hot pages come straight back
                self._pages[key] = page
        return page.response(request.headers.get("if-none-match"))


async def get_catalog_cache(request: Request) -> CatalogCache:
    """The process's catalog cache."""
    cache: CatalogCache = request.app.state.catalog_cache
    return cache


CachedCatalog = Annotated[CatalogCache, Depends(get_catalog_cache)]
