"""The README's walk-through runs as written against a real server, this week."""

import datetime
import re
import subprocess

import pytest

from app.config import PROJECT_ROOT
from tests.support.server import running_service
from tests.support.system import require_command

WALKTHROUGH = re.compile(r"## Walk-through[^\n]*\n+```sh\n(.*?)```", re.DOTALL)


@pytest.mark.slow
def test_the_walkthrough_plans_this_week_without_a_single_error(
    scratch_database_url: str,
) -> None:
    match = WALKTHROUGH.search((PROJECT_ROOT / "README.md").read_text())
    assert match is not None
    script = match[1]
    assert "2026-" not in script, "the walk-through must compute its dates"
    require_command("curl", "curl")
    with running_service(scratch_database_url) as api:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:8000", api)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    today = datetime.datetime.now(datetime.UTC).date()
    monday = today - datetime.timedelta(days=today.weekday())
    assert f'"week_start":"{monday.isoformat()}"' in result.stdout
    assert "/problems/" not in result.stdout, result.stdout
