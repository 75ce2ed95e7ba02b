"""Training weeks run Monday to Sunday (UTC); helpers in Python and in SQL."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date


def monday_of(day: date) -> date:
    """The Monday that starts the week holding ``day``."""
    return day - timedelta(days=day.weekday())


class week_start_of(FunctionElement[date]):
    """SQL: the Monday (a date) starting the UTC week of a timestamp column."""

    type = Date()
    inherit_cache = True
    name = "week_start_of"

    def __init__(self, column: ColumnElement[Any] | Mapped[Any]) -> None:
        super().__init__(column)


@compiles(week_start_of, "sqlite")
def _sqlite_week_start(element: week_start_of, compiler: SQLCompiler, **kw: Any) -> str:
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start_of, "postgresql")
def _postgresql_week_start(element: week_start_of, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('week', {column} AT TIME ZONE 'UTC') AS DATE)"


def as_date(value: date | datetime | str) -> date:
    """A week-start value as a date (SQLite hands back text, PostgreSQL a date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)
