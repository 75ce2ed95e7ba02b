"""The published OpenAPI document: summaries from docstrings, and the Problem schema."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import Problem


def install_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document whose summaries are the endpoints' one-line docstrings."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            # Error responses refer to Problem by reference; publish it (and what it uses).
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem.pop("$defs", {}))
            schemas["Problem"] = problem
            for operations in document["paths"].values():
                for operation in operations.values():
                    first_line = operation.get("description", "").strip().splitlines()
                    if first_line:
                        operation["summary"] = first_line[0].rstrip(".")
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
