"""A TypeScript client generated from the live OpenAPI document type-checks and drives the API.

The npm project in ``typescript/`` pins openapi-typescript, openapi-fetch and TypeScript. The
test serves the real app, generates ``src/api.d.ts`` from its ``/openapi.json``, type-checks
``src/smoke.ts`` against it with ``tsc --strict``, then runs the compiled script under Node
against the same server: schema drift that a front-end team would trip over fails here.
"""

import datetime
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clients.npm_project import NpmProject
from tests.support.server import running_service
from tests.support.system import require_command

PROJECT = NpmProject(Path(__file__).resolve().parent / "typescript")
run = PROJECT.run


@pytest.fixture(scope="module")
def npx() -> str:
    """npx, with the pinned packages installed (once per lockfile and Node version)."""
    return PROJECT.install()


def is_monday(day: str) -> bool:
    return datetime.date.fromisoformat(day).weekday() == 0


@pytest.mark.slow
def test_generated_typescript_client_type_checks_and_drives_the_api(
    npx: str, scratch_database_url: str, tmp_path: Path
) -> None:
    with running_service(scratch_database_url) as base_url:
        spec = tmp_path / "openapi.json"
        spec.write_bytes(httpx.get(f"{base_url}/openapi.json").raise_for_status().content)
        # `--no`: use the pinned local packages, never fetch one. `--default-non-nullable false`:
        # openapi-typescript 7 otherwise makes every property with a `default` required, also in
        # request bodies (FastAPI's are $refs, which its requestBody exemption misses), so a
        # typed client would be forced to send `back_pain`, `scope`, … that the API defaults.
        generator = ["openapi-typescript", str(spec), "-o", "src/api.d.ts"]
        run([npx, "--no", "--", *generator, "--default-non-nullable", "false"])
        run([npx, "--no", "--", "tsc", "--noEmit", "-p", "."])
        run([npx, "--no", "--", "tsc", "-p", "."])  # emits dist/smoke.js (gitignored)
        node = require_command("node", "nodejs")

        smoke = run([node, "dist/smoke.js", base_url], timeout=60)
        listed = httpx.get(f"{base_url}/v1/classes", params={"limit": 100}).json()

        # Anything but the expected status makes the script fail loudly, naming the call.
        lost = run([node, "dist/smoke.js", f"{base_url}/not-the-api"], timeout=60, check=False)

    summary: dict[str, Any] = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert summary["classes"] == [item["slug"] for item in listed["items"]]
    assert len(summary["classes"]) == 3

    plan = summary["plan"]
    assert plan["experience_level"] == "intermediate"
    assert plan["sessions_per_week"] == 2
    assert is_monday(plan["week_start"])
    dates = [datetime.date.fromisoformat(session["date"]) for session in plan["sessions"]]
    week_start = datetime.date.fromisoformat(plan["week_start"])
    assert len(dates) == 2
    assert all(week_start <= day < week_start + datetime.timedelta(days=7) for day in dates)
    assert {day.weekday() for day in dates} <= {0, 2, 4, 5}  # mon, wed, fri, sat
    assert (dates[1] - dates[0]).days > 1
    assert {session["class"] for session in plan["sessions"]} <= set(summary["classes"])

    assert summary["user"]["email"].startswith("ts-client-")
    assert summary["user"]["role"] == "user"
    assert summary["token_type"] == "bearer"
    workout = summary["workout"]
    assert workout["class_slug"] == plan["sessions"][0]["class"]
    assert workout["replayed_id"] == workout["id"]
    assert workout["logged"] == 1

    assert lost.returncode == 1, lost.stdout + lost.stderr
    assert "GET /v1/classes: expected 200, got 404" in lost.stderr
