"""Responses captured from the service, handed to the baseline in a JSON file."""

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# The environment variable that tells the baseline where the captured responses are.
CANNED_RESPONSES_VARIABLE = "BENCH_CANNED_RESPONSES"


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


def write_canned_responses(path: Path, responses: Iterable[CannedResponse]) -> None:
    """Store ``responses`` at ``path`` (bodies base64-encoded, so any bytes survive)."""
    records = [
        {
            "method": response.method,
            "path": response.path,
            "query": response.query,
            "status": response.status,
            "media_type": response.media_type,
            "headers": dict(response.headers),
            "body": base64.b64encode(response.body).decode("ascii"),
        }
        for response in responses
    ]
    path.write_text(json.dumps(records, indent=2))


def read_canned_responses(path: Path) -> list[CannedResponse]:
    """The responses stored at ``path`` by ``write_canned_responses``."""
    return [
        CannedResponse(
            method=str(record["method"]),
            path=str(record["path"]),
            query=str(record["query"]),
            status=int(record["status"]),
            media_type=str(record["media_type"]),
            headers={str(name): str(value) for name, value in record["headers"].items()},
            body=base64.b64decode(record["body"]),
        )
        for record in json.loads(path.read_text())
    ]
