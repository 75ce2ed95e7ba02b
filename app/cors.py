"""Cross-origin calls from browsers: who may call, what they may send and read.

With ``BACKFIT_CORS_ORIGINS`` unset, development allows any port on localhost and 127.0.0.1
(a front-end's dev server, e.g. http://localhost:5173); production allows only what is
configured. A refused preflight says why, as problem details.
"""

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.config import Settings
from app.errors import problem_response

LOCAL_DEVELOPMENT_ORIGINS = r"^http://(localhost|127\.0\.0\.1)(:\d{1,5})?$"
ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-None-Match",
    "X-Request-ID",
]
EXPOSED_HEADERS = ["ETag", "X-Request-ID", "Retry-After", "RateLimit", "RateLimit-Policy"]


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, answering a refused preflight with problem details, not plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.startswith("access-control-") or name == "vary"
        }
        return problem_response(
            403,
            f"This cross-origin request is not allowed (its {refused}). Allowed request "
            f"headers: {', '.join(ALLOWED_HEADERS)}; methods: {', '.join(ALLOWED_METHODS)}.",
            problem="cors-refused",
            headers=headers,
        )


def install_cors(app: FastAPI, settings: Settings) -> None:
    """CORS for the configured origins, or for local front-ends while developing."""
    local_default = settings.env == "development" and not settings.cors_origins
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_origin_regex=LOCAL_DEVELOPMENT_ORIGINS if local_default else None,
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
    )
