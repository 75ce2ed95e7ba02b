"""Class listing and detail through HTTP."""

from typing import Any

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio


async def listed_slugs(client: AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/classes", params=params)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"difficulty": "easy"}, ["back-fit-workout", "revitalise-your-spine"]),
        ({"difficulty": "intermediate"}, ["zahras-core-workout"]),
        ({"difficulty": "advanced"}, []),
        ({"max_minutes": 20}, ["back-fit-workout", "zahras-core-workout"]),
        ({"max_minutes": 9}, []),
        ({"equipment": "mat"}, ["revitalise-your-spine", "zahras-core-workout"]),
        ({"equipment": "mat,dumbbells,stepper"}, [
            "back-fit-workout", "revitalise-your-spine", "zahras-core-workout",
        ]),
        ({"equipment": ""}, []),
        ({"focus": "pain-relief"}, ["revitalise-your-spine"]),
        ({"focus": "core"}, ["zahras-core-workout"]),
        ({"q": "REVITALISE"}, ["revitalise-your-spine"]),
        ({"q": "%"}, []),
        ({"difficulty": "easy", "equipment": "mat"}, ["revitalise-your-spine"]),
    ],
)  # fmt: skip
async def test_filters(client: AsyncClient, params: dict[str, Any], expected: list[str]) -> None:
    assert await listed_slugs(client, **params) == expected


async def test_pages_of_one(client: AsyncClient) -> None:
    first = (await client.get("/v1/classes", params={"limit": 1})).json()
    second = (
        await client.get("/v1/classes", params={"limit": 1, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await client.get("/v1/classes", params={"limit": 1, "cursor": second["next_cursor"]})
    ).json()
    assert [page["items"][0]["slug"] for page in (first, second, third)] == [
        "back-fit-workout",
        "revitalise-your-spine",
        "zahras-core-workout",
    ]
    assert third["next_cursor"] is None


async def test_list_and_detail_revalidate_with_304(client: AsyncClient) -> None:
    for path in ("/v1/classes", "/v1/classes/back-fit-workout"):
        etag = (await client.get(path)).headers["etag"]
        response = await client.get(path, headers={"If-None-Match": f'W/"x", {etag}'})
        assert response.status_code == 304, path


@pytest.mark.parametrize(
    "params",
    [
        {"difficulty": "hard"},
        {"max_minutes": 0},
        {"max_minutes": "ten"},
        {"equipment": "Mat"},
        {"equipment": "mat,,x"},
        {"limit": 1000},
        {"cursor": "not-a-cursor"},
    ],
)
async def test_bad_parameters_are_422(client: AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/v1/classes", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert next(iter(params)) in response.json()["detail"]


async def test_unknown_class_is_404(client: AsyncClient) -> None:
    response = await client.get("/v1/classes/does-not-exist")
    assert response.status_code == 404
    assert response.json()["detail"] == "No class with slug 'does-not-exist'."
