"""Alembic environment, async, with batch mode on SQLite.

Two ways in: the `alembic` command line (URL from the settings, run through asyncio), or
`graphql_api.db.migrate`, which hands over an open connection in `config.attributes`.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from alembic import context
from graphql_api.db.engine import create_engine
from graphql_api.db.models import Base
from graphql_api.settings import Settings

target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations name plain SQL types, so they never import our TypeDecorators.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # The job queue's tables (migration 0004) are procrastinate's, not our models'; the
    # full-text search tables and indexes (migration 0006) are written in SQL, not modelled.
    name = name or ""
    if type_ == "table":
        return not name.startswith(("procrastinate_", "fts_"))
    return not (type_ == "index" and name.startswith("ix_fts_"))


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().sqlalchemy_url
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_with)
    finally:
        await engine.dispose()


given = context.config.attributes.get("connection")
if given is not None:
    run_with(given)
else:
    asyncio.run(run_online())
