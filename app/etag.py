"""Responses with an ETag that honour ``If-None-Match`` with 304."""

import hashlib

from fastapi import Request, Response

JSON_MEDIA_TYPE = "application/json"


def entity_tag(body: bytes) -> str:
    """A strong validator for ``body``."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches_if_none_match(request: Request, etag: str) -> bool:
    """True when the client already holds the representation tagged ``etag``."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def tagged_response(request: Request, body: bytes, *, max_age: int = 0) -> Response:
    """``body`` as JSON with its ETag, or an empty 304 when the client's copy is current."""
    etag = entity_tag(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}, must-revalidate"}
    if matches_if_none_match(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON_MEDIA_TYPE, headers=headers)
