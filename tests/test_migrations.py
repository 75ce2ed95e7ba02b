"""Migrations build the schema the models describe, and walk down and up again cleanly."""

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import PROJECT_ROOT
from app.migrations_state import alembic_config
from app.models import metadata
from tests.conftest import migrate


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def inspect_database(url: str) -> tuple[list[object], set[str]]:
    async def run() -> tuple[list[object], set[str]]:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.connect() as connection:
            differences = await connection.run_sync(_schema_differences)
            tables = await connection.run_sync(_table_names)
        await engine.dispose()
        return differences, tables

    return asyncio.run(run())


def test_single_head() -> None:
    assert len(ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads()) == 1


def test_upgrade_downgrade_upgrade_matches_models(scratch_database_url: str) -> None:
    migrate(scratch_database_url)
    differences, tables = inspect_database(scratch_database_url)
    assert differences == []
    assert tables == set(metadata.tables)

    config = alembic_config(scratch_database_url)
    config.attributes["configure_logger"] = False
    command.downgrade(config, "base")
    assert inspect_database(scratch_database_url)[1] == set()

    migrate(scratch_database_url)
    assert inspect_database(scratch_database_url) == ([], set(metadata.tables))
