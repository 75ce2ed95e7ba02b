"""What the plan generator takes and gives: plain values, no framework and no database."""

import datetime as dt
from dataclasses import dataclass

from app.plans.rules import WEEKDAYS
from app.plans.strength import StrengthSession


@dataclass(frozen=True)
class ClassOption:
    """One class of the catalog, as the generator sees it."""

    slug: str
    title: str
    difficulty: str
    duration_minutes: int
    equipment: frozenset[str]
    focus: frozenset[str]


@dataclass(frozen=True)
class Profile:
    """What the user told us about their level, equipment, time and back."""

    experience_level: str
    equipment: frozenset[str] = frozenset()
    available_days: frozenset[str] = frozenset(WEEKDAYS)
    max_session_minutes: int | None = None
    back_pain: bool = False


@dataclass(frozen=True)
class History:
    """The user's real past and neighbouring weeks, as local dates.

    ``session_dates``: days holding a logged workout (linked to a plan or not) or a done or
    planned session of another week's plan. ``pain_dates``: days with a workout logged with
    pain of 5 or more. ``recent_class_slugs``: classes of the previous weeks' plans, latest
    week first. ``fully_completed_weeks``: complete weeks in a row just before this one.
    """

    session_dates: frozenset[dt.date] = frozenset()
    pain_dates: frozenset[dt.date] = frozenset()
    recent_class_slugs: tuple[str, ...] = ()
    fully_completed_weeks: int = 0


@dataclass(frozen=True)
class Advisory:
    """A piece of advice shown alongside the plan."""

    code: str
    message: str


@dataclass(frozen=True)
class SessionDraft:
    """One scheduled back session and the plain-English reasons for it."""

    date: dt.date
    class_slug: str
    reasons: tuple[str, ...]
    # Set when app.plans.strength_week placed a strength session here instead of the class.
    strength: StrengthSession | None = None


@dataclass(frozen=True)
class PlanDraft:
    """A week of back sessions, Monday to Sunday (without the done sessions it was given)."""

    week_start: dt.date
    experience_level: str
    sessions_per_week: int
    sessions: tuple[SessionDraft, ...]
    advisories: tuple[Advisory, ...]


@dataclass(frozen=True)
class ReplanDraft:
    """The week again after some sessions were done or missed, and its advice recomputed."""

    sessions: tuple[SessionDraft, ...]
    statuses: tuple[str, ...]
    moved: tuple[int, ...]
    advisories: tuple[Advisory, ...]


@dataclass(frozen=True)
class ProfileFix:
    """One profile change: set ``field`` to ``value``, or add the ``add`` items to it."""

    field: str
    value: int | None = None
    add: tuple[str, ...] | None = None


class PlanRuleError(Exception):
    """A plan rule that the profile, catalog, history or week cannot satisfy."""

    def __init__(self, rule: str, detail: str, fixes: tuple[ProfileFix, ...] = ()) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail
        self.fixes = fixes
