"""Ways out of a plan-rule error: single profile changes, each tried on the generator itself.

A candidate is listed only when running the generator on the changed profile gives a plan, so
every fix works and the detail text says exactly what the fixes say. Fixes never touch
`back_pain` or the level: nobody is told to stop reporting pain.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import combinations

from app.plans.drafts import ClassOption, PlanRuleError, Profile, ProfileFix
from app.plans.rules import LEVEL_FREQUENCIES, WEEKDAYS

FIXABLE_RULES = frozenset({"fit", "pain", "recovery"})
# Tries the generator on a changed profile and session count; raises PlanRuleError if no plan.
Attempt = Callable[[Profile, int | None], object]

_NO_WAY_OUT = "No single change of equipment, available days, session length or sessions a week "
_NEXT_STEP = {
    "fit": "ask for a class that suits you to be added to the catalog.",
    "pain": "ask for a pain-relief or mobility class that suits you to be added.",
    "recovery": "the sessions and workouts you already have around this week leave no room.",
}


def apply_fix(
    profile: Profile, requested: int | None, fix: ProfileFix
) -> tuple[Profile, int | None]:
    """The profile and session count with one fix applied."""
    if fix.field == "sessions_per_week":
        return profile, fix.value
    if fix.field == "max_session_minutes":
        return replace(profile, max_session_minutes=fix.value), requested
    added = frozenset(fix.add or ())
    if fix.field == "equipment":
        return replace(profile, equipment=profile.equipment | added), requested
    return replace(profile, available_days=profile.available_days | added), requested


def with_ways_out(
    error: PlanRuleError,
    attempt: Attempt,
    *,
    profile: Profile,
    requested: int | None,
    catalog: Sequence[ClassOption],
    count_can_change: bool,
) -> PlanRuleError:
    """The error again, carrying every single-change fix that works and saying them in words."""
    if error.rule not in FIXABLE_RULES:
        return error
    # Which classes are eligible does not depend on the days, nor the days on the classes.
    if error.rule == "recovery":
        counts = _count_fixes(profile, requested) if count_can_change else []
        fixes = [fix for fix in counts if _works(attempt, profile, requested, fix)]
        fixes = _day_fixes(attempt, profile, requested) + fixes
    else:
        candidates = [*equipment_fixes(profile, catalog), *minutes_fixes(profile, catalog)]
        fixes = _smallest([fix for fix in candidates if _works(attempt, profile, requested, fix)])
    way_out = (
        "Way out: " + "; or ".join(describe_fix(fix) for fix in fixes) + "."
        if fixes
        else f"{_NO_WAY_OUT}gives a plan; {_NEXT_STEP[error.rule]}"
    )
    return PlanRuleError(error.rule, f"{error.detail} {way_out}", tuple(fixes))


def describe_fix(fix: ProfileFix) -> str:
    """A fix in words, as the detail text shows it."""
    if fix.field == "sessions_per_week":
        return f"ask for {fix.value} sessions a week"
    if fix.field == "max_session_minutes":
        return f"raise max_session_minutes to {fix.value}"
    items = ", ".join(fix.add or ())
    where = "equipment" if fix.field == "equipment" else "available days"
    return f"add {items} to your {where}"


def _works(attempt: Attempt, profile: Profile, requested: int | None, fix: ProfileFix) -> bool:
    try:
        attempt(*apply_fix(profile, requested, fix))
    except PlanRuleError:
        return False
    return True


def _smallest(fixes: list[ProfileFix]) -> list[ProfileFix]:
    """Working fixes without the bigger versions of another: less kit, the shortest limit."""
    kits = [frozenset(fix.add or ()) for fix in fixes if fix.field == "equipment"]
    limits = [fix.value for fix in fixes if fix.field == "max_session_minutes" and fix.value]
    return [
        fix
        for fix in fixes
        if (fix.field == "equipment" and not any(kit < frozenset(fix.add or ()) for kit in kits))
        or (fix.field == "max_session_minutes" and fix.value == min(limits))
    ]


def equipment_fixes(profile: Profile, catalog: Sequence[ClassOption]) -> list[ProfileFix]:
    """For each class that needs kit the user lacks: add exactly that kit."""
    missing = {tuple(sorted(option.equipment - profile.equipment)) for option in catalog}
    return [ProfileFix("equipment", add=kit) for kit in sorted(missing) if kit]


def minutes_fixes(profile: Profile, catalog: Sequence[ClassOption]) -> list[ProfileFix]:
    """For each class longer than the limit: raise the limit to its length."""
    limit = profile.max_session_minutes
    if limit is None:
        return []
    longer = {option.duration_minutes for option in catalog if option.duration_minutes > limit}
    return [ProfileFix("max_session_minutes", value=minutes) for minutes in sorted(longer)]


def _count_fixes(profile: Profile, requested: int | None) -> list[ProfileFix]:
    """The level's other allowed session counts."""
    allowed = LEVEL_FREQUENCIES.get(profile.experience_level, ())
    current = requested if requested is not None else (allowed[0] if allowed else None)
    return [ProfileFix("sessions_per_week", value=n) for n in sorted(allowed) if n != current]


def _day_fixes(attempt: Attempt, profile: Profile, requested: int | None) -> list[ProfileFix]:
    """The fewest days to add that make room: every such set of that size."""
    missing = [day for day in WEEKDAYS if day not in profile.available_days]
    for size in range(1, len(missing) + 1):
        fixes = [ProfileFix("available_days", add=days) for days in combinations(missing, size)]
        working = [fix for fix in fixes if _works(attempt, profile, requested, fix)]
        if working:
            return working
    return []
