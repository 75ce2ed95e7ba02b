"""Scratch databases for the service: fresh SQLite files or fresh PostgreSQL ``bench*`` ones."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import asyncpg  # type: ignore[import-untyped]  # no stubs in the project's dev tools

from bench.errors import BenchError

DatabaseKind = Literal["sqlite", "postgres"]
DatabaseChoice = Literal["postgres", "sqlite", "both"]
DEFAULT_DATABASE_NAME = "bench"


def stores_for(choice: DatabaseChoice) -> tuple[DatabaseKind, ...]:
    """The stores a run covers, the production one (PostgreSQL) first."""
    if choice == "both":
        return ("postgres", "sqlite")
    return (choice,)


async def _run_on_postgres_server(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(f"{server_url.rstrip('/')}/postgres")
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _check_name(name: str) -> None:
    # Only databases named bench… are ever created or dropped, so nothing else can be lost.
    if not name.startswith("bench") or not name.replace("_", "").isalnum():
        raise BenchError(f"refusing to (re)create database {name!r}: not a bench… name")


def recreate_postgres_database(server_url: str, name: str) -> None:
    """Drop ``name`` if it exists (closing its connections) and create it empty."""
    _check_name(name)
    try:
        asyncio.run(_run_on_postgres_server(server_url, f"DROP DATABASE IF EXISTS {name} (FORCE)"))
        asyncio.run(_run_on_postgres_server(server_url, f"CREATE DATABASE {name}"))
    except (OSError, asyncpg.PostgresError) as error:
        raise BenchError(f"cannot create database {name!r} on {server_url}: {error}") from error


def drop_postgres_database(server_url: str, name: str) -> None:
    """Drop ``name``, closing whatever is still connected to it."""
    _check_name(name)
    asyncio.run(_run_on_postgres_server(server_url, f"DROP DATABASE IF EXISTS {name} (FORCE)"))


@contextmanager
def scratch_database(
    kind: DatabaseKind,
    scratch_dir: Path,
    postgres_server_url: str,
    name: str = DEFAULT_DATABASE_NAME,
) -> Iterator[str]:
    """Yield the URL of an empty database for ``backfit serve``; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{scratch_dir / (name + '.db')}"  # removed with the scratch folder
        return
    recreate_postgres_database(postgres_server_url, name)
    try:
        yield f"{postgres_server_url.rstrip('/')}/{name}"
    finally:
        drop_postgres_database(postgres_server_url, name)
