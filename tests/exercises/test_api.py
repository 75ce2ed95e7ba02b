"""The exercise catalog through HTTP."""

from typing import Any

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio

FEATURED = {
    "bent-over-row",
    "cable-row",
    "deadlift",
    "dips",
    "dumbbell-lateral-raise",
    "pull-ups",
    "romanian-deadlift",
    "seated-row",
    "suspended-row",
}


async def all_pages(client: AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page_params = {**params, "cursor": cursor} if cursor else params
        response = await client.get(path, params=page_params)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


async def test_featured_are_the_nine_best_back_exercises(client: AsyncClient) -> None:
    featured = await all_pages(client, "/v1/exercises", featured="true")
    assert {item["slug"] for item in featured} == FEATURED


async def test_pages_walk_every_exercise_once_in_slug_order(client: AsyncClient) -> None:
    paged = await all_pages(client, "/v1/exercises", limit=7)
    whole = (await client.get("/v1/exercises", params={"limit": 100})).json()["items"]
    assert [item["slug"] for item in paged] == [item["slug"] for item in whole]
    assert [item["slug"] for item in whole] == sorted(item["slug"] for item in whole)
    assert len(whole) == len({item["slug"] for item in whole})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SQUATS", {"squat"}),  # an alias, any case
        ("glute bridges", {"glute-bridge"}),
        ("hamstring stretches", {"hamstring-stretch"}),
        ("thoracic rotation", {"thoracic-rotation"}),
        ("'; DROP TABLE exercise; --", set()),
        ("100%", set()),
        ("_", set()),
    ],
)
async def test_search_matches_names_and_aliases(
    client: AsyncClient, query: str, expected: set[str]
) -> None:
    found = await all_pages(client, "/v1/exercises", q=query)
    assert {item["slug"] for item in found} == expected


async def test_filters_by_category_muscle_and_equipment(client: AsyncClient) -> None:
    stretches = await all_pages(client, "/v1/exercises", category="stretch")
    assert stretches
    assert {item["category"] for item in stretches} == {"stretch"}
    lats = await all_pages(client, "/v1/exercises", muscle="lats")
    assert lats
    assert all("lats" in item["muscles"] for item in lats)
    barbell = await all_pages(client, "/v1/exercises", equipment="barbell")
    assert {"deadlift", "romanian-deadlift", "bent-over-row"} <= {i["slug"] for i in barbell}
    assert all("barbell" in item["equipment"] for item in barbell)


async def test_one_record_per_movement(client: AsyncClient) -> None:
    squat = (await client.get("/v1/exercises/squat")).json()
    assert squat["aliases"] == ["Squats"]
    assert squat["used_in"] == ["back-fit-workout", "zahras-core-workout"]
    assert (await client.get("/v1/exercises/deadlift")).json()["used_in"] == [
        "revitalise-your-spine"
    ]
    assert (await client.get("/v1/exercises/shoulder-rolls")).json()["used_in"] == [
        "revitalise-your-spine",
        "zahras-core-workout",
    ]


async def test_etag_revalidation_answers_304(client: AsyncClient) -> None:
    first = await client.get("/v1/exercises/deadlift")
    etag = first.headers["etag"]
    again = await client.get("/v1/exercises/deadlift", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = await client.get("/v1/exercises/deadlift", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"category": "yoga"}, "category"),
        ({"featured": "maybe"}, "featured"),
        ({"muscle": "Lats!"}, "muscle"),
    ],
)
async def test_bad_parameters_are_422_problems_naming_them(
    client: AsyncClient, params: dict[str, Any], parameter: str
) -> None:
    response = await client.get("/v1/exercises", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert parameter in body["detail"]
    assert [error["loc"] for error in body["errors"]] == [["query", parameter]]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjoxfQ", "WzEsMl0", "%%%", "W10"])
async def test_malformed_cursor_is_422(client: AsyncClient, cursor: str) -> None:
    response = await client.get("/v1/exercises", params={"cursor": cursor})
    assert response.status_code == 422
    assert "cursor" in response.json()["detail"]


async def test_unknown_exercise_is_404_problem(client: AsyncClient) -> None:
    response = await client.get("/v1/exercises/no-such-move")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "No exercise with slug 'no-such-move'.",
    }
