"""Zones and weeks the local-time tests replay the same history in, and wall-clock helpers."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest


@dataclass(frozen=True)
class LocalWeek:
    """A user's time zone and a Monday of theirs to replay a history around."""

    time_zone: str
    monday: date

    def at(self, day: date, wall_time: time) -> datetime:
        """The instant a wall clock in the zone shows ``wall_time`` on ``day``."""
        return datetime.combine(day, wall_time, tzinfo=ZoneInfo(self.time_zone))

    def day(self, offset: int) -> date:
        """The date ``offset`` days from the Monday."""
        return self.monday + timedelta(days=offset)


def as_utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC (``Z``), as most clients send times: the server applies the zone."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Just after midnight is the previous UTC date east of UTC; just before it, the next UTC
# date west of UTC.
JUST_AFTER_MIDNIGHT = time(0, 30)
JUST_BEFORE_MIDNIGHT = time(23, 30)
# SQLite's date() would round this up into the next day.
LAST_MOMENT = time(23, 59, 59, 999600)

# UTC+13 and UTC-10 put late and early workouts on another UTC date. London's clocks go
# forward on Sunday 2026-03-29 and New York's back on Sunday 2026-11-01: in the week before
# each Monday here.
LOCAL_WEEKS = [
    pytest.param(LocalWeek("Pacific/Auckland", date(2026, 11, 23)), id="auckland"),
    pytest.param(LocalWeek("Pacific/Honolulu", date(2026, 11, 23)), id="honolulu"),
    pytest.param(LocalWeek("Europe/London", date(2026, 3, 30)), id="london-dst"),
    pytest.param(LocalWeek("America/New_York", date(2026, 11, 2)), id="new-york-dst"),
    pytest.param(LocalWeek("UTC", date(2026, 11, 23)), id="utc"),
]
