"""The full-text indexes of migration 0006 are all there at head, on either database: a later
migration that rebuilds a searched table on SQLite (batch mode copies it) would drop its
triggers, and the index would silently stop following the table."""

from __future__ import annotations

from sqlalchemy import text

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
