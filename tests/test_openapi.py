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


def test_schema_names_and_titles_are_unique_type_names() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles))
    assert all(name.isidentifier() for name in schemas), sorted(schemas)
    assert {"ExerciseLog", "ExerciseLogInput", "WorkoutPublicPage"} <= set(schemas)


def test_summaries_are_plain_words() -> None:
    for method, path, operation in OPERATIONS:
        assert "`" not in operation["summary"], (method, path)


def test_every_response_declares_its_headers() -> None:
    headers = DOCUMENT["components"]["headers"]
    assert {"X-Request-ID", "ETag", "Cache-Control", "Retry-After", "RateLimit"} <= set(headers)
    for method, path, operation in OPERATIONS:
        for status, response in operation["responses"].items():
            declared = response["headers"]
            assert "X-Request-ID" in declared, (method, path, status)
            if status in {"429", "503"}:
                assert "Retry-After" in declared, (method, path, status)
            if status == "401":
                assert "WWW-Authenticate" in declared, (method, path, status)
    token = DOCUMENT["paths"]["/v1/auth/token"]["post"]["responses"]
    assert {"RateLimit", "RateLimit-Policy"} <= set(token["200"]["headers"])
    assert {"RateLimit", "RateLimit-Policy"} <= set(token["429"]["headers"])


@pytest.mark.parametrize(
    "path",
    ["/v1/exercises", "/v1/exercises/{slug}", "/v1/classes", "/v1/classes/{slug}",
     "/v1/equipment", "/v1/muscles"],
)  # fmt: skip
def test_cached_reads_declare_304_and_their_validators(path: str) -> None:
    operation = DOCUMENT["paths"][path]["get"]
    assert {"ETag", "Cache-Control"} <= set(operation["responses"]["200"]["headers"])
    assert "content" not in operation["responses"]["304"]
    assert {"ETag", "Cache-Control"} <= set(operation["responses"]["304"]["headers"])
    assert "If-None-Match" in [parameter["name"] for parameter in operation["parameters"]]


def test_calendar_routes_are_text_calendar() -> None:
    for path in ("/v1/me/plans/{plan_id}.ics", "/v1/calendar/{token}.ics"):
        assert list(DOCUMENT["paths"][path]["get"]["responses"]["200"]["content"]) == [
            "text/calendar"
        ]


def test_the_idempotency_key_is_a_plain_header_parameter() -> None:
    (parameter,) = DOCUMENT["paths"]["/v1/me/workouts"]["post"]["parameters"]
    assert parameter["name"] == "Idempotency-Key"
    assert parameter["in"] == "header"
    assert parameter["schema"]["type"] == "string"  # not "string or null"


def test_each_error_status_has_its_own_true_example() -> None:
    for method, path, operation in OPERATIONS:
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            examples = response["content"]["application/problem+json"]["examples"]
            assert examples, (method, path, status)
            for example in examples.values():
                value = example["value"]
                assert value["status"] == int(status), (method, path, status, value)
                if status == "422":
                    assert value["errors"], (method, path)
                    assert all(issue["pointer"].startswith("#") for issue in value["errors"])
                if status == "404" and "{" in path:
                    assert "resource at this address" not in value["detail"], (method, path)


def test_success_responses_show_real_examples() -> None:
    for method, path, operation in OPERATIONS:
        created = operation["responses"].get("201", {}).get("content", {})
        if "application/json" in created:
            example = created["application/json"]["example"]
            assert example.get("id", 1) > 0, (method, path)
            assert example.get("slug", "a-slug") != "string", (method, path)
    workout = DOCUMENT["paths"]["/v1/me/workouts"]["post"]["responses"]["201"]
    assert workout["content"]["application/json"]["example"]["pain"] <= 4
