"""Per-request context: X-Request-ID, one access-log line and the request metrics."""

import logging
import random
import re
import time
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.log import access_logger, log_access
from app.metrics import observe_request

# A client-supplied id is echoed only when it is short and plain, so it cannot inject log lines.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)


class RequestContextMiddleware:
    """Echoes or generates X-Request-ID and logs method, route, status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(dict(scope["headers"]).get(b"x-request-id", b""))
        request_id_token = request_id_var.set(request_id)
        user_id_token = user_id_var.set(None)
        started = time.perf_counter()
        status = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            record_request(scope["method"], route, status, started, request_id)
            request_id_var.reset(request_id_token)
            user_id_var.reset(user_id_token)


def request_id_from(incoming: bytes) -> str:
    """The client's X-Request-ID when it is short and plain, else a new one."""
    if incoming:
        text = incoming.decode("latin-1")
        if _ACCEPTABLE_REQUEST_ID.match(text):
            return text
    # An id tells requests apart and is no secret: the random module's generator (reseeded in
    # a forked child) is cheaper than a read of the kernel's random source every request.
    return f"{random.getrandbits(128):032x}"


async def answer_directly(
    send: Send,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    *,
    method: str,
    route: str,
    started: float,
    request_id: str,
) -> None:
    """Send a whole answer made outside the middleware chain, with what the chain gives every
    request: X-Request-ID (last, as the middleware adds it), the metrics and the access line."""
    headers = [*headers, (b"x-request-id", request_id.encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    record_request(method, route, status, started, request_id)


def record_request(method: str, route: str, status: int, started: float, request_id: str) -> None:
    """The request's metrics and its access-log line (``started``: ``time.perf_counter()``)."""
    seconds = time.perf_counter() - started
    observe_request(method, route, status, seconds)
    if access_logger.isEnabledFor(logging.INFO):
        log_access(
            {
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "request_id": request_id,
                "user_id": user_id_var.get(),
            }
        )
