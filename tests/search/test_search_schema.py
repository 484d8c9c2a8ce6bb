"""The full-text indexes of migration 0006 are all there at head, on either database: a later
migration that rebuilds a searched table on SQLite (batch mode copies it) would drop its
triggers, and the index would silently stop following the table."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from graphql_api.db import search
from graphql_api.db.engine import create_engine

FTS_TABLES = ("fts_evidence", "fts_projects", "fts_resume", "fts_skills")


async def test_every_search_index_and_trigger_exists_at_head(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
                expected = [f"{t}_{s}" for t in FTS_TABLES for s in ("ad", "ai", "au")]
            else:
                query = (
                    "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_fts_%' ORDER BY 1"
                )
                expected = [f"ix_{t}" for t in FTS_TABLES]
            found = (await conn.scalars(text(query))).all()
    finally:
        await engine.dispose()
    assert [name for name in found if name.startswith(("fts_", "ix_fts_"))] == expected


@pytest.mark.postgresql
async def test_postgresql_searches_through_the_gin_indexes(database_url: str) -> None:
    """The ranked query's tsvector expressions are the indexes' own: with sequential scans
    off, matching each kind's table reads it through its ix_fts_* index."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    tables = {
        search.HitKind.PROJECT: ("repo_stats r", "ix_fts_projects"),
        search.HitKind.SKILL: ("skills s", "ix_fts_skills"),
        search.HitKind.EVIDENCE: ("project_evidence e", "ix_fts_evidence"),
        search.HitKind.RESUME_ITEM: ("resume_items i", "ix_fts_resume"),
    }
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            for kind, (table, index) in tables.items():
                sql = f"EXPLAIN SELECT 1 FROM {table} WHERE {search.pg_match(kind, 1)}"
                plan = "\n".join((await conn.scalars(text(sql), {"term0": "thing"})).all())
                assert index in plan, plan
    finally:
        await engine.dispose()
