"""Answers a plan preview straight away, before the middleware chain, when the route would
answer it with 200.

The preview is anonymous, reads no database once the catalog is kept, and is asked often;
through FastAPI, routing, the middleware chain and dependency solving cost more than the
generator. Here a plain request (JSON body of a declared length, no Origin) is validated with
the route's body model, planned by the same service and answered with the route's bytes and
headers, with the bookkeeping every request gets (X-Request-ID, metrics, access line).
Anything else — a CORS request, another content type, a body the route would refuse, a
profile that breaks a plan rule, a catalog not read yet — goes to the route with the body
already read, so its answer (problem details included) is the route's own.
"""

import json
import time

from pydantic import TypeAdapter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.body_limit import MAX_BODY_BYTES
from app.catalog.cache import CatalogCache
from app.clock import now_for
from app.plans.deps import catalog_of
from app.plans.models import PlanPreviewRequest
from app.plans.service import preview_json
from app.request_context import answer_directly, request_id_from

PREVIEW_PATH = "/v1/plans/preview"
# Validated as FastAPI validates the route's body: the parsed JSON, attributes allowed.
_BODY = TypeAdapter(PlanPreviewRequest)


class PlanPreviewFastPath:
    """Answers plain plan previews the route would answer with 200; the rest passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PREVIEW_PATH:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        content_type = length = origin = None
        request_id = b""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                length = value
            elif name == b"x-request-id":
                request_id = value
            elif name == b"origin":
                origin = value
        if (
            origin is not None
            or content_type != b"application/json"
            or length is None
            or not length.isdigit()
            or int(length) > MAX_BODY_BYTES
        ):
            await self.app(scope, receive, send)
            return
        received = [await receive()]
        while received[-1]["type"] == "http.request" and received[-1].get("more_body", False):
            received.append(await receive())
        body = b"".join(message.get("body", b"") for message in received)
        preview = _preview(scope, body) if received[-1]["type"] == "http.request" else None
        if preview is None:
            await self.app(scope, _replaying(received, receive), send)
            return
        headers = [
            (b"content-length", str(len(preview)).encode()),
            (b"content-type", b"application/json"),
            (b"vary", b"Origin"),  # as CORS sends it on every answer
        ]
        await answer_directly(
            send,
            200,
            headers,
            preview,
            method="POST",
            route=PREVIEW_PATH,
            started=started,
            request_id=request_id_from(request_id),
        )


def _preview(scope: Scope, body: bytes) -> bytes | None:
    """The route's 200 body for this request, or None when the route must answer it."""
    state = scope["app"].state
    cache: CatalogCache = state.catalog_cache
    rows = cache.kept_rows()
    if rows is None:
        return None
    try:
        profile = _BODY.validate_python(json.loads(body), from_attributes=True)
        return preview_json(request=profile, catalog=catalog_of(state, *rows), now=now_for(state))
    except Exception:  # the route answers it again, its way: a 422, or the error logged as a 500
        return None


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """``receive`` that gives the messages already read first."""
    pending = list(received)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
