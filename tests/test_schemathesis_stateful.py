"""Schemathesis' stateful phase from its command line against a real uvicorn.

It follows the OpenAPI links (a created workout is read, then deleted, then read again:
404; a created plan is read, exported and replanned) with random data along the way.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.support.server import running_service

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "use_after_free",
        "ensure_resource_availability",
    ]
)


@pytest.mark.slow
def test_stateful_links_hold(scratch_database_url: str, tmp_path: Path) -> None:
    with running_service(scratch_database_url) as base_url:
        account = {"email": "stateful@example.com", "password": "stateful password"}
        assert httpx.post(f"{base_url}/v1/auth/register", json=account).status_code == 201
        token = httpx.post(
            f"{base_url}/v1/auth/token",
            data={"username": account["email"], "password": account["password"]},
        ).json()["access_token"]
        # A profile every class fits, so created plans (and the links after them) succeed.
        profile = {"experience_level": "advanced", "equipment": ["dumbbells", "mat", "stepper"]}
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.patch(f"{base_url}/v1/me", json=profile, headers=headers).status_code == 200
        run = subprocess.run(
            [
                SCHEMATHESIS, "run", f"{base_url}/openapi.json",
                "--phases", "stateful",
                "--mode", "positive",
                "--checks", CHECKS,
                "--header", f"Authorization: Bearer {token}",
                "--include-path-regex", "^/v1/me/(workouts|plans)",
                "--max-time", "45",
                "--report", "junit",
                "--report-junit-path", str(tmp_path / "stateful.xml"),
            ],
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks"},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )  # fmt: skip
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    covered = re.search(r"API Links:\s+(\d+) covered", run.stdout)
    assert covered is not None
    assert int(covered.group(1)) >= 6, "the stateful phase hardly followed the links"
