"""Which days of a week can hold a back session, and the most evenly spread choice of them.

Days are offsets from the week's Monday (0-6). "Busy" offsets are days with a real session
(they may lie outside the week: -1 is the Sunday before, 7 the Monday after); "fixed" ones are
sessions of this week already decided (done, or kept by a replan).
"""

from collections.abc import Collection, Sequence
from itertools import combinations, pairwise

from app.plans.rules import MIN_DAYS_APART, WEEKDAYS


def safe_days(available: Collection[str], first: int, busy: Collection[int]) -> tuple[int, ...]:
    """Available week offsets from `first` on with a rest day to every busy day."""
    return tuple(
        offset
        for offset in range(max(first, 0), 7)
        if WEEKDAYS[offset] in available
        and all(abs(offset - other) >= MIN_DAYS_APART for other in busy)
    )


def most_spread_days(
    candidates: Sequence[int], count: int, fixed: Collection[int], rhythm: Collection[int] = ()
) -> tuple[int, ...]:
    """`count` non-adjacent candidates (or as many as fit), spread most evenly with `fixed`.

    Evenness is judged on the week as it repeats: the smallest gap between this week's
    sessions, counting the wrap-around to the next week, as large as possible, then the next
    smallest, and so on. Among equally even choices, the one keeping most of last week's
    weekdays (`rhythm`) wins, then the earliest days: the gap to sessions of other weeks only
    has to be a rest day, so it never pulls sessions later.
    """
    for size in range(count, 0, -1):
        options = [
            days
            for days in combinations(candidates, size)
            if all(later - earlier >= MIN_DAYS_APART for earlier, later in pairwise(days))
        ]
        if options:
            return min(
                options,
                key=lambda days: (
                    [-gap for gap in weekly_gaps([*days, *fixed])],
                    -len(set(days) & set(rhythm)),
                    days,
                ),
            )
    return ()


def weekly_gaps(offsets: Collection[int]) -> list[int]:
    """Gaps between a week's sessions and the wrap-around to the next week, smallest first."""
    timeline = sorted(set(offsets))
    if not timeline:
        return []
    gaps = [later - earlier for earlier, later in pairwise(timeline)]
    return sorted([*gaps, timeline[0] + 7 - timeline[-1]])
