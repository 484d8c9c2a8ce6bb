"""One active job per portfolio, enforced by the database: a unique partial index on
mining_jobs(portfolio_id) over the queued and running rows (SQLite and PostgreSQL both have
partial indexes), so two concurrent uploads or remines can never both start a job.

Before 0003 the check raced; a portfolio left with several active jobs keeps its newest one,
the others fail with INTERRUPTED.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('queued', 'running')"


def upgrade() -> None:
    op.execute(
        "UPDATE mining_jobs SET status = 'failed', stage = 'failed', "
        "error_code = 'INTERRUPTED', error = 'another job of the portfolio was active' "
        f"WHERE {ACTIVE} AND id NOT IN "
        f"(SELECT max(id) FROM mining_jobs WHERE {ACTIVE} GROUP BY portfolio_id)"
    )
    op.create_index(
        "uq_mining_jobs_active_portfolio",
        "mining_jobs",
        ["portfolio_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_mining_jobs_active_portfolio", table_name="mining_jobs")
