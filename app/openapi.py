"""The published OpenAPI document, finished so that every mainstream generator gets it right.

FastAPI's document is adjusted in one place: schema names that are unique and read as type
names (no "ExerciseLog-Input" beside "ExerciseLog-Output" with one title), summaries in plain
words, every response header declared, header parameters named as sent, and one true example
for each error status.
"""

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import PROBLEM_MEDIA_TYPE, Problem, problem_responses
from app.openapi_responses import HEADERS, IF_NONE_MATCH, header_refs, problem_examples

JSON_MEDIA_TYPE = "application/json"
# Operations that never touch the database, so never answer 503 for an outage.
NO_DATABASE = frozenset({"listEquipment", "listMuscles"})
_PAGE_NAME = re.compile(r"^Page_(\w+)_$")
_BODY_NAME = re.compile(r"^Body_(\w+)$")


def _schema_name(name: str) -> str:
    """A type name for FastAPI's component ``name``: input models get an "Input" suffix."""
    if name.endswith("-Output"):
        return name.removesuffix("-Output")
    if name.endswith("-Input"):
        return name.removesuffix("-Input") + "Input"
    if page := _PAGE_NAME.match(name):
        return f"{page[1]}Page"
    if body := _BODY_NAME.match(name):
        return f"{body[1][:1].upper()}{body[1][1:]}Form"
    return name


def _rename_refs(node: Any, names: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            node["$ref"] = "#/components/schemas/" + names[ref.rpartition("/")[2]]
        for value in node.values():
            _rename_refs(value, names)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value, names)


def _unique_schema_names(document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document["components"]["schemas"]
    names = {name: _schema_name(name) for name in schemas}
    assert len(set(names.values())) == len(names), names
    _rename_refs(document, names)
    renamed = {names[name]: schema for name, schema in schemas.items()}
    for name, schema in renamed.items():
        schema["title"] = name  # generators name models after titles: keep them unique too
    document["components"]["schemas"] = dict(sorted(renamed.items()))


def _header_name(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _plain_parameter(parameter: dict[str, Any]) -> None:
    """Header names as sent; an optional parameter's "or null" dropped (absent means null)."""
    if parameter["in"] == "header":
        parameter["name"] = {"X-Request-Id": "X-Request-ID"}.get(
            name := _header_name(parameter["name"]), name
        )
    schema = parameter.get("schema", {})
    choices = schema.get("anyOf")
    if not parameter.get("required") and isinstance(choices, list):
        present = [choice for choice in choices if choice != {"type": "null"}]
        if len(present) == 1:
            parameter["schema"] = {
                **{key: value for key, value in schema.items() if key != "anyOf"},
                **present[0],
            }


def _finish_operation(operation: dict[str, Any], schemas: dict[str, Any], path: str) -> None:
    operation_id: str = operation["operationId"]
    first_line = operation.get("description", "").strip().splitlines()
    if first_line:
        operation["summary"] = first_line[0].rstrip(".").replace("`", "")
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    for parameter in parameters:
        _plain_parameter(parameter)
    responses: dict[str, Any] = operation["responses"]
    if path.startswith("/v1/") and operation_id not in NO_DATABASE and "503" not in responses:
        responses.update({str(k): v for k, v in problem_responses(503).items()})
    if "304" in responses and not any(p["name"] == "If-None-Match" for p in parameters):
        parameters.append(dict(IF_NONE_MATCH))
    if not parameters:
        del operation["parameters"]
    throttled = "429" in responses
    for status, response in responses.items():
        headers = response.setdefault("headers", {})
        headers.update(header_refs("X-Request-ID"))
        if throttled:
            headers.update(header_refs("RateLimit-Policy", "RateLimit"))
        if status in {"429", "503"}:
            headers.update(header_refs("Retry-After"))
        if status == "401":
            headers.update(header_refs("WWW-Authenticate"))
        content = response.get("content", {})
        if status.startswith(("4", "5")) and PROBLEM_MEDIA_TYPE in content:
            content[PROBLEM_MEDIA_TYPE]["examples"] = problem_examples(operation_id, int(status))
        elif status.startswith("2") and JSON_MEDIA_TYPE in content:
            ref = content[JSON_MEDIA_TYPE].get("schema", {}).get("$ref", "")
            examples = schemas.get(ref.rpartition("/")[2], {}).get("examples")
            if examples:
                content[JSON_MEDIA_TYPE]["example"] = examples[0]


def finish_document(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's ``document``, completed as this module's docstring says."""
    # Error responses refer to Problem by reference; publish it (and what it uses).
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    _unique_schema_names(document)
    components["headers"] = HEADERS
    for path, operations in document["paths"].items():
        for operation in operations.values():
            _finish_operation(operation, components["schemas"], path)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the finished OpenAPI document; summaries are the endpoints' one-line docstrings."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_document(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
