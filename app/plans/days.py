"""Which days of a week can hold a back session, and the most evenly spread choice of them.

Days are offsets from the week's Monday (0-6); "fixed" sessions are ones already decided
(last week's final session as a negative offset, or sessions already done this week).
"""

from collections.abc import Sequence
from itertools import combinations, pairwise

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def safe_days(available: frozenset[str], first: int, fixed: Sequence[int]) -> tuple[int, ...]:
    """Available week offsets from `first` on with a rest day to every fixed session."""
    return tuple(
        offset
        for offset in range(max(first, 0), 7)
        if WEEKDAYS[offset] in available and all(abs(offset - other) >= 2 for other in fixed)
    )


def most_spread_days(
    candidates: Sequence[int], count: int, fixed: Sequence[int]
) -> tuple[int, ...]:
    """The most evenly spread non-adjacent candidates: `count` of them, or as many as fit."""
    for size in range(count, 0, -1):
        options = [
            days
            for days in combinations(candidates, size)
            if all(later - earlier >= 2 for earlier, later in pairwise(days))
        ]
        if options:
            # Larger smallest gap first, then the next smallest, ...; then the earliest days.
            return min(options, key=lambda days: ([-gap for gap in _gaps(days, fixed)], days))
    return ()


def _gaps(days: Sequence[int], fixed: Sequence[int]) -> list[int]:
    """Gaps between all sessions plus the wrap-around gap of the repeating week, smallest first."""
    timeline = sorted({*days, *fixed})
    in_week = [offset for offset in timeline if 0 <= offset <= 6]
    gaps = [later - earlier for earlier, later in pairwise(timeline)]
    return sorted([*gaps, in_week[0] + 7 - in_week[-1]] if in_week else gaps)
