"""The published OpenAPI document: committed, complete, and honest about errors."""

import json
from typing import Any

import pytest

from app.config import PROJECT_ROOT, Settings
from app.main import create_app

DOCUMENT = create_app(Settings(docs_enabled=True)).openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]


def test_committed_document_matches_the_app() -> None:
    committed = json.loads((PROJECT_ROOT / "docs" / "openapi.json").read_text())
    assert committed == json.loads(json.dumps(DOCUMENT)), (
        "docs/openapi.json is stale: run `backfit openapi > docs/openapi.json`"
    )


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS)
def test_every_operation_is_described(method: str, path: str, operation: dict[str, Any]) -> None:
    assert operation["summary"]
    assert operation["description"]
    assert operation["tags"]
    assert operation["operationId"][0].islower()
    for status, response in operation["responses"].items():
        if status.startswith(("4", "5")):
            content = response["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }


def test_operation_ids_are_unique_and_read_as_method_names() -> None:
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert {"listClasses", "getClass", "previewPlan", "createWorkout", "getStats"} <= set(ids)


def test_request_bodies_have_examples() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    for _, _, operation in OPERATIONS:
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        schema = body["schema"]
        refs = (
            [schema] if "$ref" in schema else [part for part in schema["anyOf"] if "$ref" in part]
        )
        for ref in refs:
            name = ref["$ref"].rpartition("/")[2]
            assert schemas[name].get("examples"), name
