"""Portable SQL over JSON-array columns (SQLite's json_each, PostgreSQL's json functions)."""

from typing import Any

from sqlalchemy import ColumnElement, exists, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

JsonArrayColumn = ColumnElement[Any] | Mapped[Any]


class json_array_elements(FunctionElement[Any]):
    """The text elements of a JSON array column, as a table with one ``value`` column."""

    inherit_cache = True
    name = "json_array_elements"


@compiles(json_array_elements, "sqlite")
def _sqlite_json_elements(element: json_array_elements, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(json_array_elements, "postgresql")
def _postgresql_json_elements(
    element: json_array_elements, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"json_array_elements_text({compiler.process(element.clauses, **kw)})"


def json_array_contains(column: JsonArrayColumn, token: str) -> ColumnElement[bool]:
    """True where the JSON array ``column`` holds ``token``."""
    elements = json_array_elements(column).table_valued("value").alias()
    return exists().select_from(elements).where(elements.c.value == token)


def json_array_within(column: JsonArrayColumn, allowed: list[str]) -> ColumnElement[bool]:
    """True where every element of the JSON array ``column`` is in ``allowed``."""
    elements = json_array_elements(column).table_valued("value").alias()
    return ~exists().select_from(elements).where(elements.c.value.not_in(allowed))


def json_array_matches(column: JsonArrayColumn, pattern: str) -> ColumnElement[bool]:
    """True where some element of the JSON array ``column`` is LIKE ``pattern`` (any case)."""
    elements = json_array_elements(column).table_valued("value").alias()
    return (
        exists()
        .select_from(elements)
        .where(func.lower(elements.c.value).like(pattern, escape="\\"))
    )


def like_pattern(text: str) -> str:
    """A case-folded ``%text%`` pattern in which the user's ``%`` and ``_`` are literal."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
