"""Column values as the service stores them, for code that writes rows with the raw driver.

The service goes through SQLAlchemy: on PostgreSQL a ``timestamptz`` and ``json`` (text in,
text out), on SQLite UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` that sorts as time does, dates as
ISO text, booleans as 0/1 and JSON as text. Rows written here must read back the same way.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from bench.databases import DatabaseKind

SQLITE_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def json_text(value: Any) -> str:
    """A JSON column's value, written as SQLAlchemy's default serializer writes it."""
    return json.dumps(value)


def sqlite_value(value: Any) -> Any:
    """``value`` as the service's SQLite columns hold it."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(SQLITE_TIMESTAMP_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def rows_for(store: DatabaseKind, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """``rows`` (timestamps aware, JSON as text) in the form ``store``'s driver takes."""
    if store == "postgres":
        yield from rows
        return
    for row in rows:
        yield tuple(sqlite_value(value) for value in row)


def sqlite_path(database_url: str) -> str:
    """The file of a ``sqlite:///…`` URL (with or without the ``+aiosqlite`` driver)."""
    return database_url.partition(":///")[2]


def postgres_dsn(database_url: str) -> str:
    """A ``postgresql://`` DSN for asyncpg from any of the service's PostgreSQL URLs."""
    return "postgresql://" + database_url.split("://", 1)[1]
