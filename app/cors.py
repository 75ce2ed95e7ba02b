"""Starlette's CORS middleware, with a refused preflight answered as problem details."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.errors import problem_response


class ProblemCORSMiddleware(CORSMiddleware):
    """A preflight naming an origin, method or header not allowed is a 400 problem."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        reason = bytes(response.body).decode()
        return problem_response(400, f"CORS preflight refused: {reason}.", headers=headers)
