"""The container files describe what the tests run: PostgreSQL, a one-shot migration, two API
replicas and nginx in front of them.

No Docker engine runs here: hadolint lints the Dockerfile in scripts/test, test_cli runs the
image's start command, tests/test_replicas.py starts the compose topology by hand (same
commands, same nginx config), and this checks the compose file itself.
"""

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from app.config import PROJECT_ROOT, Settings
from app.log import JsonFormatter, logging_config
from tests.support.server import BACKFIT_COMMAND

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
API_REPLICAS = ("api-1", "api-2")
MIGRATE = "migrate"
PROXY = "proxy"
# Where compose mounts deploy/nginx.conf: the official image includes it inside `http {}`.
NGINX_SERVER_CONF = "/etc/nginx/conf.d/default.conf"
POSTGRES_RESERVED_CONNECTIONS = 3  # superuser_reserved_connections' default


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def option(command: list[str], name: str) -> str:
    """The value given to ``--name`` in a command list."""
    assert command.count(name) == 1, name
    return command[command.index(name) + 1]


def nginx_text() -> str:
    """deploy/nginx.conf without its comment lines."""
    lines = NGINX_CONF.read_text().splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith("#"))


def nginx_block(header: str) -> str:
    """The body of the (unnested) block that opens with ``header {``."""
    match = re.search(rf"^\s*{re.escape(header)}\s*\{{([^{{}}]*)\}}", nginx_text(), re.MULTILINE)
    assert match, header
    return match.group(1)


def nginx_directives(name: str, text: str | None = None) -> list[str]:
    """The arguments of every ``name ...;`` directive in ``text`` (all of deploy/nginx.conf)."""
    return re.findall(rf"^\s*{name}\s+([^;{{}}]*);", text or nginx_text(), flags=re.MULTILINE)


def upstream_servers() -> list[str]:
    """``host:port`` of each ``server`` line of the upstream block."""
    upstream = nginx_block("upstream backfit_api")
    return [arguments.split()[0] for arguments in nginx_directives("server", upstream)]


def dockerfile_instruction(name: str) -> str:
    text = Path(PROJECT_ROOT / "Dockerfile").read_text()
    matches = re.findall(rf"^{name} (.+)$", text, flags=re.MULTILINE)
    assert len(matches) == 1, name
    return str(matches[0])


def test_image_starts_with_backfit_serve_as_a_non_root_user() -> None:
    assert json.loads(dockerfile_instruction("CMD")) == ["backfit", "serve"]
    assert dockerfile_instruction("USER") != "root"
    assert "/healthz" in Path(PROJECT_ROOT / "Dockerfile").read_text().partition("HEALTHCHECK")[2]


def dockerfile_environment() -> dict[str, str]:
    """The variables the image's ENV instruction sets."""
    text = Path(PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (instruction,) = re.findall(r"^ENV (.+)$", text, flags=re.MULTILINE)
    return dict(pair.split("=", 1) for pair in instruction.split())


def test_image_runs_as_production_and_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    image_environment = dockerfile_environment()
    assert image_environment["BACKFIT_ENV"] == "production"
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("BACKFIT_")},
        **image_environment,
        "BACKFIT_DATABASE_URL": f"sqlite:///{tmp_path / 'image.db'}",
    }
    started = subprocess.run(
        [BACKFIT_COMMAND, "serve"], env=environment, capture_output=True, timeout=60, check=False
    )
    assert started.returncode != 0
    assert b"BACKFIT_SECRET_KEY" in started.stderr
    assert not (tmp_path / "image.db").exists()  # refused before touching the database


def test_compose_runs_on_a_healthy_postgres_16_with_a_volume() -> None:
    db = services()["db"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.endswith("/var/lib/postgresql/data") for volume in db["volumes"])
    assert "ports" not in db


def test_migrate_is_a_one_shot_of_the_api_image_after_the_database_is_healthy() -> None:
    all_services = services()
    migrate = all_services[MIGRATE]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    script = " ".join(migrate["command"])
    assert "backfit migrate" in script
    assert "backfit seed" in script
    assert script.index("backfit migrate") < script.index("backfit seed")
    assert "&&" in script or migrate["command"][:2] == ["backfit", "migrate"]
    assert migrate.get("restart", "no") == "no"
    for name in API_REPLICAS:
        assert all_services[name]["image"] == migrate["image"]
        assert all_services[name]["build"] == migrate["build"]


def test_both_replicas_start_after_the_migration_and_never_migrate_themselves() -> None:
    all_services = services()
    for name in API_REPLICAS:
        api = all_services[name]
        assert api["depends_on"][MIGRATE]["condition"] == "service_completed_successfully"
        assert api["depends_on"]["db"]["condition"] == "service_healthy"
        command = api["command"]
        # The image's CMD is `backfit serve`, which migrates and seeds: it must be replaced.
        assert command[:2] == ["uvicorn", "app.main:app"]
        assert not {"backfit", "serve", "migrate", "seed"} & set(command)
        assert "--proxy-headers" in command
        assert option(command, "--forwarded-allow-ips") == "*"
        assert "--no-server-header" in command
        assert "ports" not in api, "replicas are reached through the proxy only"


def test_replicas_log_json_lines_from_every_worker() -> None:
    # `uvicorn` on its own never calls app.log.configure_logging; the log config does it in
    # each worker process, and uvicorn's own access line is off (the app writes its own).
    api = services()[API_REPLICAS[0]]
    log_config = option(api["command"], "--log-config")
    assert "--no-access-log" in api["command"]
    workdir = dockerfile_instruction("WORKDIR")
    assert f"./{log_config}:{workdir}/{log_config}:ro" in api["volumes"]
    config = json.loads((PROJECT_ROOT / log_config).read_text())
    formatter = config["formatters"][config["handlers"]["stderr"]["formatter"]]["()"]
    module, _, name = formatter.rpartition(".")
    assert (module, name) == (JsonFormatter.__module__, JsonFormatter.__name__)
    assert config["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    assert config["root"]["handlers"] == ["stderr"]


def test_replicas_and_migration_share_the_database_and_the_secret() -> None:
    all_services = services()
    environments = [all_services[name]["environment"] for name in (MIGRATE, *API_REPLICAS)]
    for key in ("BACKFIT_DATABASE_URL", "BACKFIT_SECRET_KEY", "BACKFIT_ENV"):
        assert len({environment[key] for environment in environments}) == 1, key
    environment = environments[0]
    url = Settings(database_url=environment["BACKFIT_DATABASE_URL"]).database_url
    assert url.startswith("postgresql+asyncpg://")
    assert "@db:5432/" in url
    assert environment["BACKFIT_SECRET_KEY"].startswith("${BACKFIT_SECRET_KEY:?")
    assert environment["BACKFIT_ENV"] == "production"


def test_connection_pools_fit_in_postgres_max_connections() -> None:
    all_services = services()
    max_connections = int(option(all_services["db"]["command"], "-c").partition("=")[2])
    opened = sum(
        int(option(all_services[name]["command"], "--workers"))
        * int(all_services[name]["environment"]["BACKFIT_DATABASE_POOL_SIZE"])
        for name in API_REPLICAS
    )
    assert opened <= max_connections - POSTGRES_RESERVED_CONNECTIONS


def test_nginx_publishes_the_only_port_after_both_replicas_are_healthy() -> None:
    all_services = services()
    published = {
        name: service["ports"] for name, service in all_services.items() if "ports" in service
    }
    assert list(published) == [PROXY]
    proxy = all_services[PROXY]
    assert proxy["image"].startswith("nginx:")
    [mapping] = published[PROXY]
    assert mapping.rpartition(":")[2] == nginx_directives("listen")[0].split()[0]
    assert f"./deploy/nginx.conf:{NGINX_SERVER_CONF}:ro" in proxy["volumes"]
    for name in API_REPLICAS:
        # The image's HEALTHCHECK (/healthz) tells compose when a replica is up.
        assert proxy["depends_on"][name]["condition"] == "service_healthy"
        # nginx resolves the names once: restart it when compose recreates a replica.
        assert proxy["depends_on"][name]["restart"] is True


def test_nginx_balances_both_replicas_and_forwards_what_the_api_needs() -> None:
    all_services = services()
    ports = {option(all_services[name]["command"], "--port") for name in API_REPLICAS}
    [port] = ports
    assert sorted(upstream_servers()) == [f"{name}:{port}" for name in API_REPLICAS]
    assert nginx_directives("proxy_pass") == ["http://backfit_api"]
    headers = {
        arguments.split()[0]: arguments.split(maxsplit=1)[1]
        for arguments in nginx_directives("proxy_set_header")
    }
    # Replaced, not appended: the replicas trust X-Forwarded-For from anyone who reaches them.
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$http_host"
    assert headers["X-Request-ID"] == "$backfit_request_id"
    # Keepalive to the upstream needs HTTP/1.1 and no "Connection: close".
    assert headers["Connection"] == '""'
    assert nginx_directives("proxy_http_version") == ["1.1"]
    assert nginx_directives("keepalive", nginx_block("upstream backfit_api"))
    for timeout in ("proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout"):
        assert len(nginx_directives(timeout)) == 1, timeout


def test_nginx_closes_idle_upstream_connections_before_uvicorn_does() -> None:
    # Otherwise uvicorn may close a kept-alive connection just as nginx sends on it: a 502.
    [upstream_idle] = nginx_directives("keepalive_timeout", nginx_block("upstream backfit_api"))
    command = services()[API_REPLICAS[0]]["command"]
    assert int(upstream_idle.removesuffix("s")) < int(option(command, "--timeout-keep-alive"))


def test_nginx_refuses_bodies_over_the_api_limit() -> None:
    # 1m is nginx's 1 MiB: the API's own limit (tests/test_replicas.py checks both edges).
    assert nginx_directives("client_max_body_size") == ["1m"]


def test_replica_logging_config_is_the_services_own() -> None:
    shipped = json.loads((PROJECT_ROOT / "deploy" / "logging.json").read_text())
    assert shipped == logging_config("info")
