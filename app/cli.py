"""The ``backfit`` command: serve, migrate, seed, create-admin, openapi."""

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from alembic import command
from pydantic import ValidationError

from app.accounts.models import RegisterRequest
from app.accounts.service import make_admin
from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.http_protocol import BoundedHttpToolsProtocol
from app.log import configure_logging, logging_config
from app.migrations_state import alembic_config
from app.seed import seed_catalog

logger = logging.getLogger("backfit.cli")

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def migrate(settings: Settings) -> None:
    """Bring the database schema to the newest migration."""
    if settings.is_sqlite:
        database_path = settings.database_url.partition(":///")[2]
        if database_path and database_path != ":memory:":
            Path(database_path).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(settings.database_url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    logger.info("migrated", extra={"database": settings.database_url.split("@")[-1]})


async def _seed(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            report = await seed_catalog(session, settings.seed_dir)
            await session.commit()
    finally:
        await engine.dispose()
    logger.info(
        "seeded",
        extra={
            "exercises_changed": report.exercises_changed,
            "classes_changed": report.classes_changed,
        },
    )


def seed(settings: Settings) -> None:
    """Upsert the catalog from the seed files."""
    asyncio.run(_seed(settings))


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """With several workers, a fresh directory where they all keep their metrics, so any
    worker's /metrics reports the whole group (prometheus-client's multiprocess mode).

    Workers start as new interpreters and read the variable before importing the client. A
    directory the operator set is used as is; clearing it between runs is theirs to do.
    """
    if workers == 1 or MULTIPROCESS_VARIABLE in os.environ:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="backfit-metrics-") as directory:
        os.environ[MULTIPROCESS_VARIABLE] = directory
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_VARIABLE]


def serve(settings: Settings) -> None:
    """Migrate, seed, then run the API with uvicorn."""
    migrate(settings)
    seed(settings)
    with shared_metrics(settings.workers):
        run_uvicorn(settings)


def run_uvicorn(settings: Settings) -> None:
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        http=BoundedHttpToolsProtocol,
        log_config=logging_config(settings.log_level),
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
        access_log=False,  # RequestContextMiddleware writes the access line
        timeout_graceful_shutdown=20,
        # A worker starved of CPU (a burst of Argon2 on a small machine) answers the
        # supervisor's ping late; killing it at the default 5 s drops its requests in flight.
        timeout_worker_healthcheck=30,
    )


def create_admin(settings: Settings, email: str, password: str) -> None:
    """Create an admin account, or promote an existing one (its password is reset)."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with create_sessionmaker(engine)() as session:
                user = await make_admin(session, email=email, password=password)
                await session.commit()
        finally:
            await engine.dispose()
        logger.info("admin ready", extra={"user_id": user.id})

    asyncio.run(run())


def read_password(from_stdin: bool) -> str:
    """The new admin's password, from standard input or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Repeat password: "):
        raise SystemExit("The passwords differ.")
    return password


def print_openapi() -> None:
    """Write the OpenAPI document to standard output (docs/openapi.json is this, committed)."""
    from app.main import create_app

    document = create_app(Settings(docs_enabled=True)).openapi()
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``backfit`` console script."""
    parser = argparse.ArgumentParser(prog="backfit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate, seed, then serve HTTP")
    commands.add_parser("migrate", help="alembic upgrade head")
    commands.add_parser("seed", help="upsert the catalog from seed/")
    commands.add_parser("openapi", help="print the OpenAPI document as JSON")
    admin = commands.add_parser("create-admin", help="create or promote an admin account")
    admin.add_argument("email")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    arguments = parser.parse_args(argv)

    if arguments.command == "openapi":
        print_openapi()
        return
    settings = get_settings()
    configure_logging(settings.log_level)
    if arguments.command == "create-admin":
        try:
            request = RegisterRequest(
                email=arguments.email, password=read_password(arguments.password_stdin)
            )
        except ValidationError as error:
            raise SystemExit(
                f"Not created: {error.errors()[0]['msg']} ({error.errors()[0]['loc'][0]})."
            ) from None
        create_admin(settings, request.email, request.password)
        return
    {"serve": serve, "migrate": migrate, "seed": seed}[arguments.command](settings)
