"""Full-text search over projects, evidence, resume items and skills; the user's active months.

- `activity_months`: the months of the user's commits per project, for the project as a whole
  (skill_id NULL) and within each of their skills' period of use (mining/analyze/chronology.py).
- SQLite: one FTS5 table per searched table, with external content (the text stays in its own
  table; the index holds only tokens) and triggers that keep it in step with every insert,
  update and delete (https://www.sqlite.org/fts5.html#external_content_tables). The FTS5 tables
  and their shadow tables (fts_*) are not in the models: alembic/env.py leaves them out of the
  comparison. A later migration that rebuilds one of these tables on SQLite (batch mode copies
  it into a new table) drops its triggers: tests/search checks that every trigger is there.
- PostgreSQL: a GIN index on each table's weighted `tsvector` expression; graphql_api/db/search.py
  queries the same expressions, so the planner uses these indexes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (FTS table, content table, columns); on PostgreSQL each column has a weight, A highest.
DOCUMENTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "fts_projects",
        "repo_stats",
        (("project_name", "A"), ("primary_language", "B"), ("summary", "C")),
    ),
    ("fts_skills", "skills", (("name", "A"), ("category", "C"))),
    ("fts_evidence", "project_evidence", (("content", "B"),)),
    ("fts_resume", "resume_items", (("title", "A"), ("content", "B"))),
)


def _sqlite_up(fts: str, table: str, columns: Sequence[str]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    remove = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _pg_vector(columns: Sequence[tuple[str, str]]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce({c}, '')), '{w}')" for c, w in columns
    )


def upgrade() -> None:
    op.create_table(
        "activity_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("commits", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_activity_months_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_activity_months_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_activity_months_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_months")),
    )
    op.create_index(
        "ix_activity_months_owner_month", "activity_months", ["owner_id", "month"], unique=False
    )
    op.create_index(
        op.f("ix_activity_months_repo_stat_id"), "activity_months", ["repo_stat_id"], unique=False
    )
    op.create_index(
        op.f("ix_activity_months_skill_id"), "activity_months", ["skill_id"], unique=False
    )
    dialect = op.get_bind().dialect.name
    for fts, table, columns in DOCUMENTS:
        if dialect == "sqlite":
            for statement in _sqlite_up(fts, table, [c for c, _ in columns]):
                op.execute(statement)
        elif dialect == "postgresql":
            op.execute(f"CREATE INDEX ix_{fts} ON {table} USING gin (({_pg_vector(columns)}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for fts, table, _ in DOCUMENTS:
        if dialect == "sqlite":
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        elif dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{fts}")
    op.drop_index(op.f("ix_activity_months_skill_id"), table_name="activity_months")
    op.drop_index(op.f("ix_activity_months_repo_stat_id"), table_name="activity_months")
    op.drop_index("ix_activity_months_owner_month", table_name="activity_months")
    op.drop_table("activity_months")
