"""Schemathesis over every operation: examples, coverage and fuzzing, valid and invalid data.

Signed in as a plain user, against its own migrated and seeded database of the first store
under test (CI runs the suite once per store). Every status an operation can answer must be
declared, with the right media type and body schema; no input may produce a 500.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import Settings
from app.db import configure_sqlite, create_sessionmaker
from app.main import create_app
from tests.conftest import migrate, requested_database_urls, scratch_database, seed

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
MAX_EXAMPLES = 30
FuzzCase = schemathesis.Case[Any]
WORK_DIRECTORY = Path(tempfile.mkdtemp(prefix="backfit-fuzz-"))
STORE_URL = requested_database_urls(WORK_DIRECTORY)[0]
FUZZ_DATABASE = scratch_database(STORE_URL, WORK_DIRECTORY, "fuzz")
FUZZ_URL = FUZZ_DATABASE.__enter__()
# Ready before collection: schemathesis signs in while it builds the tests.
migrate(FUZZ_URL)
seed(FUZZ_URL)

app = create_app(Settings(database_url=FUZZ_URL, env="test"))
# The test client runs the app on event loops of its own: no pooled connection may outlive one.
_engine = create_async_engine(app.state.settings.database_url, poolclass=NullPool)
if FUZZ_URL.startswith("sqlite"):
    configure_sqlite(_engine)
app.state.sessionmaker = create_sessionmaker(_engine)

schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    app,
    config=SchemathesisConfig.from_dict(
        {
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
                       "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
        }
    ),
)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def fuzz_database() -> Iterator[None]:
    yield
    FUZZ_DATABASE.__exit__(None, None, None)


@schema.auth()
class PlainUserToken:
    """Signs every generated request in as one plain (non-admin) user."""

    token: str | None = None

    def get(self, case: FuzzCase, context: schemathesis.AuthContext) -> str:
        # Signed in once for the whole run: fuzzed wrong passwords (sign-in, password change,
        # account deletion) count against this account, so a later sign-in would be throttled.
        if PlainUserToken.token is not None:
            return PlainUserToken.token
        # From an address of its own: the fuzzed sign-ins exhaust the test client's quota.
        with TestClient(app, client=("203.0.113.99", 50000)) as client:
            account = {"email": "fuzzer@example.com", "password": "fuzzing password"}
            client.post("/v1/auth/register", json=account)
            response = client.post(
                "/v1/auth/token",
                data={"username": account["email"], "password": account["password"]},
            )
            token: str = response.json()["access_token"]
            PlainUserToken.token = token
            return token

    def set(self, case: FuzzCase, data: str, context: schemathesis.AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schema.parametrize()
def test_every_operation_conforms(case: FuzzCase, fuzz_database: None) -> None:
    case.call_and_validate(checks=CHECKS)
