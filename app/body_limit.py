"""Refuses request bodies over a size limit with 413, before they are read into memory.

Starlette's own body limit answers in plain text; this one answers with problem details.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem_response

MAX_BODY_BYTES = 1024 * 1024


class BodySizeLimitMiddleware:
    """413 for bodies over ``max_bytes``, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        if declared is not None or b"transfer-encoding" not in headers:
            # The server frames the body by its declared length (or there is none): nothing
            # left to count, so the request skips the counting wrappers.
            await self.app(scope, receive, send)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not refused:
                    refused = True
                    await self._refuse(scope, receive, send)
                    # The app sees the client go away and stops reading; its reply is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def send_unless_refused(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, send_unless_refused)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, f"The request body is over the {self.max_bytes // 1024} KiB limit."
        )
        await response(scope, receive, send)
