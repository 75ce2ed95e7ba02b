"""What the baseline serves, handed from the harness to its workers in one JSON file.

Two kinds of route: canned responses (the service's own bytes, captured once and replayed)
and raw workout inserts (the same row the service would store, written with the bare driver).
"""

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The environment variable that tells the baseline where its spec file is.
BASELINE_SPEC_VARIABLE = "BENCH_BASELINE_SPEC"


@dataclass(frozen=True)
class CannedResponse:
    """One response of the real service, to be replayed byte for byte."""

    method: str
    path: str
    query: str
    status: int
    media_type: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class RawWorkoutInsert:
    """A POST route that stores the body as a workout row of ``user_id`` with the raw driver.

    ``database_url`` is the service's own database (``postgresql://…`` or ``sqlite:///…``).
    """

    path: str
    database_url: str
    user_id: int


@dataclass(frozen=True)
class BaselineSpec:
    """Every route of one baseline app."""

    canned: Sequence[CannedResponse]
    raw_workout_inserts: Sequence[RawWorkoutInsert]


def _canned_record(response: CannedResponse) -> dict[str, Any]:
    return {
        "method": response.method,
        "path": response.path,
        "query": response.query,
        "status": response.status,
        "media_type": response.media_type,
        "headers": dict(response.headers),
        "body": base64.b64encode(response.body).decode("ascii"),  # any bytes survive
    }


def _canned_response(record: Mapping[str, Any]) -> CannedResponse:
    return CannedResponse(
        method=str(record["method"]),
        path=str(record["path"]),
        query=str(record["query"]),
        status=int(record["status"]),
        media_type=str(record["media_type"]),
        headers={str(name): str(value) for name, value in record["headers"].items()},
        body=base64.b64decode(record["body"]),
    )


def write_baseline_spec(path: Path, spec: BaselineSpec) -> None:
    """Store ``spec`` at ``path`` as JSON."""
    document = {
        "canned": [_canned_record(response) for response in spec.canned],
        "raw_workout_inserts": [
            {"path": insert.path, "database_url": insert.database_url, "user_id": insert.user_id}
            for insert in spec.raw_workout_inserts
        ],
    }
    path.write_text(json.dumps(document, indent=2))


def read_baseline_spec(path: Path) -> BaselineSpec:
    """The spec stored at ``path`` by ``write_baseline_spec``."""
    document = json.loads(path.read_text())
    return BaselineSpec(
        canned=[_canned_response(record) for record in document["canned"]],
        raw_workout_inserts=[
            RawWorkoutInsert(
                path=str(record["path"]),
                database_url=str(record["database_url"]),
                user_id=int(record["user_id"]),
            )
            for record in document["raw_workout_inserts"]
        ],
    )
