"""The container files describe what the tests run: `backfit serve` on PostgreSQL.

No Docker engine runs here; hadolint lints the Dockerfile in scripts/test, test_cli runs its
start command, and this checks the compose topology.
"""

import json
import re
from pathlib import Path
from typing import Any

import yaml

from app.config import PROJECT_ROOT, Settings


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    return loaded


def dockerfile_instruction(name: str) -> str:
    text = Path(PROJECT_ROOT / "Dockerfile").read_text()
    matches = re.findall(rf"^{name} (.+)$", text, flags=re.MULTILINE)
    assert len(matches) == 1, name
    return str(matches[0])


def test_image_starts_with_backfit_serve_as_a_non_root_user() -> None:
    assert json.loads(dockerfile_instruction("CMD")) == ["backfit", "serve"]
    assert dockerfile_instruction("USER") != "root"
    assert "/healthz" in Path(PROJECT_ROOT / "Dockerfile").read_text().partition("HEALTHCHECK")[2]


def test_compose_runs_the_api_on_a_healthy_postgres() -> None:
    services = compose()["services"]
    assert services["db"]["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert any(volume.endswith("/var/lib/postgresql/data") for volume in services["db"]["volumes"])
    api = services["api"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    url = api["environment"]["BACKFIT_DATABASE_URL"]
    assert Settings(database_url=url).database_url.startswith("postgresql+asyncpg://")
    assert "${BACKFIT_SECRET_KEY:?" in api["environment"]["BACKFIT_SECRET_KEY"]
