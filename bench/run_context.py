"""Where and on what a run happened: commit, uncommitted changes, CPUs, load, time."""

import os
import subprocess
from datetime import UTC, datetime

from bench.apps_under_test import PROJECT_ROOT


def _git(*arguments: str) -> str:
    completed = subprocess.run(
        ["git", *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip()


def code_under_test() -> str:
    """``commit abc1234`` and whether app/ had uncommitted changes (others edit it live)."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(_git("status", "--porcelain", "--", "app", "migrations"))
    return f"commit {commit}" + (" with uncommitted changes in app/" if dirty else "")


def run_heading() -> str:
    """When, on which code, on how many CPUs."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{when}, {code_under_test()}; {os.cpu_count()} CPUs shared by the apps, the database "
        "and the load generator."
    )
