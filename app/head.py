"""HEAD answered as GET without the body (RFC 9110 9.3.2): FastAPI routes list GET only."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Runs a HEAD request as GET and drops the body; status and headers stay as GET's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # A copy: the server must still see HEAD (it sends no body and keeps Content-Length).
        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send_without_body)
        finally:
            if "route" in as_get:  # for the access log and metrics outside
                scope["route"] = as_get["route"]
