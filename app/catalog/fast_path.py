"""Answers a catalog GET that was rendered before straight from the cache, before anything else.

It runs outermost, so a cached page costs what the protocol costs plus the bookkeeping every
request gets (X-Request-ID, metrics, access log), done here directly: no middleware chain, no
routing, no Response object; the response headers of each page are built once. A request
from a browser origin (CORS) or one the cache has not seen goes the ordinary way, where the
route serves the page from the same cache.
"""

import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from app.catalog.cache import CATALOG_PATHS, CachedPage, CatalogCache, page_key
from app.etag import CACHE_CONTROL, client_has_current
from app.request_context import answer_directly, request_id_from

PageHeaders = tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]  # 200, 304


def _page_headers(page: CachedPage) -> PageHeaders:
    """The headers the route sends, in its order (CORS adds Vary: Origin to every answer)."""
    validators = [(b"etag", page.etag.encode()), (b"cache-control", CACHE_CONTROL.encode())]
    vary = (b"vary", b"Origin")
    full = [
        *validators,
        (b"content-length", str(len(page.body)).encode()),
        (b"content-type", b"application/json"),
        vary,
    ]
    return full, [*validators, vary]


class CatalogFastPath:
    """Serves cached catalog pages for plain (non-CORS) GETs; everything else passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers: dict[int, tuple[CachedPage, PageHeaders]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(CATALOG_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        if_none_match = origin = None
        request_id = b""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"x-request-id":
                request_id = value
            elif name == b"origin":
                origin = value
        cache: CatalogCache = scope["app"].state.catalog_cache
        # The version is checked in the background (CatalogCache.watching): nothing to wait on.
        page = cache.page(page_key(scope)) if origin is None else None
        if page is None:
            await self.app(scope, receive, send)
            return
        full, not_modified = self._headers_for(page)
        if client_has_current(if_none_match, page.etag):
            status, headers, body = 304, not_modified, b""
        else:
            status, headers, body = 200, full, page.body
        await answer_directly(
            send,
            status,
            headers,
            body,
            method="GET",
            route=getattr(page.route, "path", "unmatched"),
            started=started,
            request_id=request_id_from(request_id),
        )

    def _headers_for(self, page: CachedPage) -> PageHeaders:
        known: Any = self._headers.get(id(page))
        if known is None or known[0] is not page:
            if len(self._headers) > 4096:
                self._headers.clear()  # pages of old catalog versions
            known = (page, _page_headers(page))
            self._headers[id(page)] = known
        headers: PageHeaders = known[1]
        return headers
