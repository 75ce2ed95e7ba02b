"""The user's own clock: IANA time zones, local dates of instants, and what "today" may be.

Every day, week and "today" of a user is local. An instant's local date is taken in the
offset the client sent with it; a client that sent UTC (``Z``, offset zero) is read in the
user's profile time zone instead, since most clients serialise to UTC.
"""

from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, StringConstraints

DEFAULT_TIME_ZONE = "UTC"
# A workout may end this far after the server's clock (phones' clocks drift a little).
MAX_CLOCK_SKEW = timedelta(minutes=5)
# Local clocks on Earth run from UTC-12 (Baker Island) to UTC+14 (Kiribati).
WESTMOST_OFFSET = timedelta(hours=-12)
EASTMOST_OFFSET = timedelta(hours=14)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(name: str) -> str:
    if name not in _known_zones():
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/London'")
    return name


TimeZoneName = Annotated[
    str, StringConstraints(min_length=1, max_length=64), AfterValidator(_known_zone)
]


@cache
def zone(name: str) -> ZoneInfo:
    """The zone for a validated IANA name."""
    return ZoneInfo(name)


def sent_offset_minutes(moment: datetime) -> int:
    """The UTC offset the client wrote, in minutes (0 for ``Z``)."""
    offset = moment.utcoffset()
    assert offset is not None, "instants are always aware"
    return int(offset.total_seconds()) // 60


def with_offset(moment: datetime, offset_minutes: int) -> datetime:
    """The instant as the client wrote it: in the offset it sent."""
    return moment.astimezone(timezone(timedelta(minutes=offset_minutes)))


def local_date_of(moment: datetime, time_zone: str) -> date:
    """The user's calendar day of an instant: in its own offset, or in their zone if UTC."""
    if sent_offset_minutes(moment) == 0:
        return moment.astimezone(zone(time_zone)).date()
    return moment.date()


def local_today(now: datetime, time_zone: str) -> date:
    """The date on the user's wall calendar at ``now``."""
    return now.astimezone(zone(time_zone)).date()


def todays_on_earth(now: datetime) -> tuple[date, date]:
    """The first and last calendar date that is "today" somewhere on Earth at ``now``."""
    utc = now.astimezone(UTC)
    return (utc + WESTMOST_OFFSET - MAX_CLOCK_SKEW).date(), (
        utc + EASTMOST_OFFSET + MAX_CLOCK_SKEW
    ).date()
