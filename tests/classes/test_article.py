"""Every seeded class, block and step held against the article, step by step.

The article's classes are transcribed here independently of seed/: a step is
(name as the article writes it, reps, sets, rest seconds, hold seconds).
"""

from typing import Any

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio

Step = tuple[str, int | None, int | None, int | None, int | None]


def reps(name: str, count: int, sets: int, rest: int) -> Step:
    return (name, count, sets, rest, None)


def hold(name: str, seconds: int) -> Step:
    return (name, None, None, None, seconds)


def unmeasured(*names: str) -> list[Step]:
    return [(name, None, None, None, None) for name in names]


ARTICLE_CLASSES: dict[str, dict[str, Any]] = {
    "back-fit-workout": {
        "title": "The back fit workout",
        "difficulty": "easy",
        "duration_minutes": 10,
        "equipment": ["dumbbells", "mat", "stepper"],
        "blocks": [
            ("Warm-up", "warm_up", [
                reps("Depth jump", 15, 2, 30),
                reps("Arm Circles", 15, 2, 10),
                reps("Cat camel", 15, 2, 10),
            ]),
            ("Main workout", "main", [
                reps("Squat", 15, 3, 10),
                reps("Sit up", 15, 3, 10),
                reps("Side Plank Lift", 15, 3, 10),
                reps("Kneeling Superman", 15, 3, 10),
            ]),
            ("Cool down", "cool_down", [
                hold("Thoracic Rotation", 30),
                hold("Cat camel", 30),
                hold("Hamstring stretch", 30),
                hold("Lying glute stretch", 30),
                hold("Side Hip and Quad Stretch", 30),
                hold("Straight-leg Calf Stretch", 30),
                hold("Standing IT Band Stretch", 30),
            ]),
        ],
    },
    "revitalise-your-spine": {
        "title": "Revitalise your spine",
        "difficulty": "easy",
        "duration_minutes": 30,
        "equipment": ["mat"],
        "blocks": [
            ("Warm up", "warm_up", unmeasured(
                "March on the spot", "Cervical flexion", "Shoulder rolls",
                "Lumbar spine side flexion", "Spinal roll down",
            )),
            ("Block 1", "main", unmeasured("Sit to stand", "Static lunge", "Deadlift")),
            ("Block 2", "main", unmeasured("Hip extension", "Box push up", "Cat cow")),
            ("Block 3", "main", unmeasured(
                "Thoracic rotation", "Glute bridge", "Alternate leg lifts"
            )),
            ("Cool down", "cool_down", unmeasured(
                "Knee hugs", "Knee rolls", "Glute stretches", "Hamstring stretches",
                "Hip flexor stretch", "Quad stretch",
            )),
        ],
    },
    "zahras-core-workout": {
        "title": "Get strong back muscles with Zahra's core workout!",
        "difficulty": "intermediate",
        "duration_minutes": 20,
        "equipment": ["mat"],
        "blocks": [
            ("Warm up", "warm_up", unmeasured(
                "Shoulder rolls", "Squats", "Reach ups", "Squat reach over", "Oblique reaches",
            )),
            ("Block 1", "main", unmeasured(
                "Leg raises", "Leg raise crunches", "Bicycle crunches",
                "Leg raises", "Leg raise crunches", "Bicycle crunches",
            )),
            ("Block 2", "main", unmeasured("Plank", "Back extensions")),
            ("Block 3", "main", unmeasured(
                "High plank", "Knee drives", "Back raises", "Skydives", "High plank knee drives",
            )),
            ("Block 4", "main", unmeasured("Side plank hip raises", "Glute bridges")),
        ],
    },
}  # fmt: skip


async def spellings_by_slug(client: AsyncClient) -> dict[str, set[str]]:
    """Every name and alias of every exercise, folded to lower case."""
    body = (await client.get("/v1/exercises", params={"limit": 100})).json()
    assert body["next_cursor"] is None
    return {
        item["slug"]: {item["name"].lower(), *(alias.lower() for alias in item["aliases"])}
        for item in body["items"]
    }


@pytest.mark.parametrize("slug", sorted(ARTICLE_CLASSES))
async def test_class_matches_the_article(client: AsyncClient, slug: str) -> None:
    expected = ARTICLE_CLASSES[slug]
    response = await client.get(f"/v1/classes/{slug}")
    assert response.status_code == 200
    served = response.json()
    spellings = await spellings_by_slug(client)

    for field in ("title", "difficulty", "duration_minutes", "equipment"):
        assert served[field] == expected[field], field
    assert [(b["name"], b["kind"]) for b in served["blocks"]] == [
        (name, kind) for name, kind, _ in expected["blocks"]
    ]
    assert [b["position"] for b in served["blocks"]] == list(range(1, len(served["blocks"]) + 1))
    for block, (_, _, steps) in zip(served["blocks"], expected["blocks"], strict=True):
        assert len(block["steps"]) == len(steps), block["name"]
        for position, (step, (name, count, sets, rest, seconds)) in enumerate(
            zip(block["steps"], steps, strict=True), start=1
        ):
            assert step["position"] == position
            assert name.lower() in spellings[step["exercise"]["slug"]], (block["name"], name)
            assert (step["reps"], step["sets"], step["rest_seconds"], step["duration_seconds"]) == (
                count,
                sets,
                rest,
                seconds,
            ), (block["name"], name)


async def test_the_catalog_holds_exactly_the_three_classes(client: AsyncClient) -> None:
    listed = (await client.get("/v1/classes")).json()
    assert [item["slug"] for item in listed["items"]] == sorted(ARTICLE_CLASSES)
    assert listed["next_cursor"] is None


async def test_each_spelling_names_one_exercise(client: AsyncClient) -> None:
    spellings = await spellings_by_slug(client)
    owners: dict[str, list[str]] = {}
    for slug, names in spellings.items():
        for name in names:
            owners.setdefault(name, []).append(slug)
    assert {name: slugs for name, slugs in owners.items() if len(slugs) > 1} == {}
    for same in (("squat", "squats"), ("glute bridge", "glute bridges"),
                 ("hamstring stretch", "hamstring stretches")):  # fmt: skip
        assert owners[same[0]] == owners[same[1]]
