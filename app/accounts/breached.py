"""The most common breached passwords, refused at registration and every password change."""

from functools import cache
from pathlib import Path

_LIST = Path(__file__).with_name("breached_passwords.txt")


@cache
def _breached() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip())


def refuse_breached(password: str) -> str:
    """``password`` unless it is on the shipped list of common breached passwords."""
    if password.casefold() in _breached():
        raise ValueError("this password is among the most common breached passwords; pick another")
    return password
