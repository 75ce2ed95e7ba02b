"""Training weeks run Monday to Sunday on the user's calendar; helpers in Python and in SQL.

SQL groups by stored local dates, never by timestamps: a timestamp's week depends on the
zone it is read in, and SQLite's date() rounds 23:59:59.9996 up into the next day.
"""

from datetime import date, timedelta
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
    """SQL: the Monday (a date) starting the week of a date column."""

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
    return f"CAST(date_trunc('week', CAST({column} AS TIMESTAMP)) AS DATE)"
