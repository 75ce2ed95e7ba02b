"""Entity tags, and conditional GETs answered with 304."""

import hashlib

CACHE_CONTROL = "public, max-age=0, must-revalidate"


def entity_tag(body: bytes) -> str:
    """A strong validator for ``body``."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def client_has_current(if_none_match: str | None, etag: str) -> bool:
    """True when an ``If-None-Match`` header names ``etag`` (or ``*``)."""
    if if_none_match is None:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
