"""The distributed job queue (QUEUE=postgres): mining_jobs.worker (the "host:pid" running a
job), and procrastinate's schema, on PostgreSQL only (SQLite keeps the in-process queue).

The SQL is procrastinate's own, read from the installed package (`SchemaManager.get_schema`),
so it matches the version pinned in pyproject.toml; a later procrastinate whose schema changed
comes with a migration of ours that applies its migration files. Its tables are not in our
models: alembic/env.py leaves every `procrastinate_*` name out of the comparison.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import await_only

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Everything the schema creates is named procrastinate_*: tables (their row types go with
# them), then functions (triggers go with their tables), then the enums and composite types.
DROP = r"""
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'r'
               AND c.relname LIKE 'procrastinate\_%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.relname);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\_%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f);
    END LOOP;
    FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'c')
               AND t.typname LIKE 'procrastinate\_%' LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
    END LOOP;
END $$;
"""


def _run_script(sql: str) -> None:
    """Several statements in one go, on the migration's own connection and transaction:
    asyncpg's simple-query protocol (SQLAlchemy would prepare it as one statement)."""
    raw = op.get_bind().connection.driver_connection
    await_only(raw.execute(sql))


def upgrade() -> None:
    op.add_column("mining_jobs", sa.Column("worker", sa.String(length=300), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run_script(DROP)
    with op.batch_alter_table("mining_jobs") as batch:
        batch.drop_column("worker")
