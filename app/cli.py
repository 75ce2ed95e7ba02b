"""The ``backfit`` command: serve, migrate, seed."""

import argparse
import asyncio
import logging
from pathlib import Path

import uvicorn
from alembic import command

from app.config import Settings, get_settings
from app.db import create_engine, create_sessionmaker
from app.log import configure_logging
from app.migrations_state import alembic_config
from app.seed import seed_catalog

logger = logging.getLogger("backfit.cli")


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


def serve(settings: Settings) -> None:
    """Migrate, seed, then run the API with uvicorn."""
    migrate(settings)
    seed(settings)
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``backfit`` console script."""
    parser = argparse.ArgumentParser(prog="backfit", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrate, seed, then serve HTTP")
    commands.add_parser("migrate", help="alembic upgrade head")
    commands.add_parser("seed", help="upsert the catalog from seed/")
    arguments = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level)
    {"serve": serve, "migrate": migrate, "seed": seed}[arguments.command](settings)
