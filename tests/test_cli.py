"""The ``backfit`` command: seeding is idempotent and ``serve`` starts a working service."""

import os
import subprocess

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.seed import SeedReport, seed_catalog
from tests.conftest import SEED_DIR
from tests.support.server import BACKFIT_COMMAND, running_service


@pytest.mark.anyio
async def test_seeding_again_changes_nothing(db_session: AsyncSession) -> None:
    assert await seed_catalog(db_session, SEED_DIR) == SeedReport(0, 0)


@pytest.mark.slow
def test_serve_migrates_seeds_and_serves(scratch_database_url: str) -> None:
    with running_service(scratch_database_url) as base_url:
        response = httpx.get(f"{base_url}/v1/classes/back-fit-workout")
        assert response.status_code == 200
        assert [len(block["steps"]) for block in response.json()["blocks"]] == [3, 4, 7]
    # A second start finds the schema and the catalog already in place.
    with running_service(scratch_database_url) as base_url:
        listed = httpx.get(f"{base_url}/v1/classes").json()
        assert len(listed["items"]) == 3


@pytest.mark.slow
def test_create_admin_reads_the_password_from_stdin(scratch_database_url: str) -> None:
    env = {**os.environ, "BACKFIT_DATABASE_URL": scratch_database_url}
    subprocess.run([BACKFIT_COMMAND, "migrate"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [BACKFIT_COMMAND, "create-admin", "Boss@Example.com", "--password-stdin"],
        input="a strong password\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    too_short = subprocess.run(
        [BACKFIT_COMMAND, "create-admin", "x@example.com", "--password-stdin"],
        input="short\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert too_short.returncode != 0
    assert "password" in too_short.stderr
    with running_service(scratch_database_url) as base_url:
        token = httpx.post(
            f"{base_url}/v1/auth/token",
            data={"username": "boss@example.com", "password": "a strong password"},
        ).json()["access_token"]
        me = httpx.get(f"{base_url}/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == "admin"
