"""The seeded catalog speaks the vocabulary, and each class's kit covers its steps."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import PROJECT_ROOT
from app.seed import seed_catalog
from app.vocabulary import EQUIPMENT, MUSCLES

pytestmark = pytest.mark.anyio
SEED_DIR = PROJECT_ROOT / "seed"
FEATURED = {
    "deadlift", "bent-over-row", "pull-ups", "seated-row", "cable-row",
    "dumbbell-lateral-raise", "romanian-deadlift", "dips", "suspended-row",
}  # fmt: skip


async def all_exercises(client: AsyncClient) -> dict[str, dict[str, Any]]:
    body = (await client.get("/v1/exercises", params={"limit": 100})).json()
    return {item["slug"]: item for item in body["items"]}


async def test_exercises_use_only_vocabulary_names(client: AsyncClient) -> None:
    exercises = await all_exercises(client)
    for slug, item in exercises.items():
        assert set(item["muscles"]) <= set(MUSCLES), slug
        assert set(item["equipment"]) <= set(EQUIPMENT), slug
    assert {slug for slug, item in exercises.items() if item["featured"]} == FEATURED
    assert all(exercises[slug]["equipment"] for slug in FEATURED)  # each says what it needs


async def test_each_class_lists_the_kit_its_steps_use(client: AsyncClient) -> None:
    exercises = await all_exercises(client)
    for summary in (await client.get("/v1/classes")).json()["items"]:
        detail = (await client.get(f"/v1/classes/{summary['slug']}")).json()
        for block in detail["blocks"]:
            for step in block["steps"]:
                kit = step["equipment"]
                if kit is None:
                    kit = exercises[step["exercise"]["slug"]]["equipment"]
                assert set(kit) <= set(detail["equipment"]), (detail["slug"], step)


async def test_issue_13_content_fixes(client: AsyncClient) -> None:
    exercises = await all_exercises(client)
    assert "quadriceps" in exercises["deadlift"]["muscles"]
    assert exercises["deadlift"]["equipment"] == ["barbell"]
    revitalise = (await client.get("/v1/classes/revitalise-your-spine")).json()
    (deadlift_step,) = [
        step
        for block in revitalise["blocks"]
        for step in block["steps"]
        if step["exercise"]["slug"] == "deadlift"
    ]
    assert deadlift_step["equipment"] == []  # a bodyweight hinge in a mat-only class
    knee_drives = exercises["knee-drives"]
    assert knee_drives["category"] == "core"
    assert "plank" in knee_drives["description"].lower()
    assert all({"spine", "neck"}.isdisjoint(item["muscles"]) for item in exercises.values())


async def test_seed_refuses_names_outside_the_vocabulary(
    db_session: AsyncSession, tmp_path: Path
) -> None:
    shutil.copy(SEED_DIR / "classes.json", tmp_path / "classes.json")
    exercises = json.loads((SEED_DIR / "exercises.json").read_text())
    exercises[0]["muscles"] = ["spine"]
    (tmp_path / "exercises.json").write_text(json.dumps(exercises))
    with pytest.raises(ValidationError, match="spine"):
        await seed_catalog(db_session, tmp_path)
