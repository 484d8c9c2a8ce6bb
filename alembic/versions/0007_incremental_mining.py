"""Incremental mining: what a job need not mine again.

- uploaded_zips.mined_at: when a job's results first included the upload (its bytes never
  change, so its plain folders are not mined again; its repositories are mined again only when
  their HEAD is not a stored project's).
- mining_jobs.full: mine every repository again (remine), not only what is new or changed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("uploaded_zips") as batch_op:
        batch_op.add_column(sa.Column("mined_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("mining_jobs") as batch_op:
        batch_op.add_column(
            sa.Column("full", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("mining_jobs") as batch_op:
        batch_op.drop_column("full")
    with op.batch_alter_table("uploaded_zips") as batch_op:
        batch_op.drop_column("mined_at")
