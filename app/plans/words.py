"""Small pieces of English for plan reasons and details."""

from collections.abc import Iterable


def or_list(words: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    *rest, last = words
    return f"{', '.join(rest)} or {last}" if rest else last


def plural(count: int, noun: str) -> str:
    """'1 class', '2 classes', '0 rest days'."""
    return (
        f"{count} {noun}" if count == 1 else f"{count} {noun}{'es' if noun.endswith('s') else 's'}"
    )
