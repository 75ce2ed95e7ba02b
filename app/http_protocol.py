"""The HTTP/1.1 protocol uvicorn serves with: httptools, with a bounded request head and
problem-details bodies for the refusals uvicorn writes itself (it writes plain text)."""

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.errors import PROBLEM_MEDIA_TYPE, Problem, status_title

# Request line plus headers. Browsers send a few KiB; nginx refuses more than 32 KiB by default.
MAX_REQUEST_HEAD_BYTES = 64 * 1024


def problem_bytes(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 response carrying a problem-details body; the connection closes."""
    title = status_title(status)
    body = (
        Problem(
            type=f"/problems/{title.lower().replace(' ', '-')}",
            title=title,
            status=status,
            detail=detail,
        )
        .model_dump_json(exclude_none=True)
        .encode()
    )
    head = (
        f"HTTP/1.1 {status} {title}\r\n"
        f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools buffers a header whole before handing it on, so the head is bounded here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_REQUEST_HEAD_BYTES:
            self.logger.warning("Request head over %d bytes refused.", MAX_REQUEST_HEAD_BYTES)
            self._refuse(
                431, f"The request line and headers are over {MAX_REQUEST_HEAD_BYTES // 1024} KiB."
            )

    def send_400_response(self, msg: str) -> None:
        self._refuse(400, "The request is not valid HTTP/1.1.")

    def _refuse(self, status: int, detail: str) -> None:
        self.transport.write(problem_bytes(status, detail))
        self.transport.close()
