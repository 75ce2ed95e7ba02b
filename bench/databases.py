"""Scratch databases for the service: a fresh SQLite file or a fresh PostgreSQL ``bench``."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.errors import BenchError

DatabaseKind = Literal["sqlite", "postgres"]
POSTGRES_DATABASE = "bench"


async def _run_on_postgres_server(server_url: str, statement: str) -> None:
    engine = create_async_engine(
        f"postgresql+asyncpg://{server_url.split('://', 1)[1].rstrip('/')}/postgres",
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _recreate_postgres_database(server_url: str) -> None:
    drop = f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"
    try:
        asyncio.run(_run_on_postgres_server(server_url, drop))
        asyncio.run(_run_on_postgres_server(server_url, f"CREATE DATABASE {POSTGRES_DATABASE}"))
    except Exception as error:  # any driver or connection failure
        raise BenchError(f"cannot create database {POSTGRES_DATABASE!r}: {error}") from error


@contextmanager
def scratch_database(
    kind: DatabaseKind, scratch_dir: Path, postgres_server_url: str
) -> Iterator[str]:
    """Yield the URL of an empty database for ``backfit serve``; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{scratch_dir / 'backfit.db'}"  # removed with the scratch folder
        return
    _recreate_postgres_database(postgres_server_url)
    try:
        yield f"{postgres_server_url.rstrip('/')}/{POSTGRES_DATABASE}"
    finally:
        drop = f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"
        asyncio.run(_run_on_postgres_server(postgres_server_url, drop))
