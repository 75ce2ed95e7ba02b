"""The ``backfit`` command: seeding is idempotent and ``serve`` starts a working service."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from app.seed import SeedReport, seed_catalog
from tests.conftest import SEED_DIR
from tests.support.server import running_service


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
