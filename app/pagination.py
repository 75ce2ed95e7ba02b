"""Keyset pagination: opaque cursors and the ``{"items", "next_cursor"}`` page shape."""

import base64
import binascii
import json
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from app.api_types import MAX_ID
from app.errors import Unprocessable

MAX_PAGE_SIZE = 100

ItemT = TypeVar("ItemT")
CursorKey = list[str | int]

PageLimit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (1 to 100).")]
PageCursor = Annotated[
    str | None,
    Query(
        max_length=512,
        description="The `next_cursor` of the previous page; omit for the first page.",
    ),
]


class Page(BaseModel, Generic[ItemT]):
    """One page of a list; `next_cursor` is null on the last page."""

    items: list[ItemT]
    next_cursor: str | None


class MalformedCursor(Unprocessable):
    """A cursor that this service did not hand out."""

    def __init__(self) -> None:
        super().__init__("The cursor is malformed: pass a next_cursor exactly as received.")


def encode_cursor(key: CursorKey) -> str:
    """An opaque cursor for the sort key of the last item on a page."""
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, shape: tuple[type, ...]) -> CursorKey:
    """The sort key inside ``cursor``, checked against ``shape``; a bad cursor is a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != len(shape)
        or not all(type(part) is kind for part, kind in zip(key, shape, strict=True))
        # Integers in cursors are ids: past the id range they name nothing (and overflow).
        or any(type(part) is int and not 0 <= part <= MAX_ID for part in key)
    ):
        raise MalformedCursor
    return key
