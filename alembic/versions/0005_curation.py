"""Curation: what the user changes by hand about their portfolio.

- repo_stats.user_role_override: the role the user gives themselves (setProjectRole).
- project_evidence.origin: "mined" (replaced by each mining) or "user" (addEvidence).
- resume_items.edited and .generated_key: regenerating keeps edited items and updates the
  generated ones in place, found again by their generated title.
- dismissed_items: generated rows the user deleted, so mining again does not bring them back.
- project_thumbnails: a project's picture, re-encoded (setProjectThumbnail).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("repo_stats") as batch_op:
        batch_op.add_column(sa.Column("user_role_override", sa.String(length=100), nullable=True))
    with op.batch_alter_table("project_evidence") as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=10), server_default="mined", nullable=False)
        )
    with op.batch_alter_table("resume_items") as batch_op:
        batch_op.add_column(
            sa.Column("edited", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("generated_key", sa.String(length=300), nullable=True))
    # Rows written before 0005 were all generated: their title is their key.
    op.execute("UPDATE resume_items SET generated_key = title")
    op.create_table(
        "dismissed_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_dismissed_items_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dismissed_items")),
        sa.UniqueConstraint(
            "repo_stat_id", "kind", "key", name=op.f("uq_dismissed_items_repo_stat_id_kind_key")
        ),
    )
    op.create_index(
        op.f("ix_dismissed_items_repo_stat_id"), "dismissed_items", ["repo_stat_id"], unique=False
    )
    op.create_table(
        "project_thumbnails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_project_thumbnails_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_project_thumbnails_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_thumbnails")),
        sa.UniqueConstraint("repo_stat_id", name=op.f("uq_project_thumbnails_repo_stat_id")),
        sa.UniqueConstraint("uid", name=op.f("uq_project_thumbnails_uid")),
    )
    op.create_index(
        op.f("ix_project_thumbnails_owner_id"), "project_thumbnails", ["owner_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_project_thumbnails_owner_id"), table_name="project_thumbnails")
    op.drop_table("project_thumbnails")
    op.drop_index(op.f("ix_dismissed_items_repo_stat_id"), table_name="dismissed_items")
    op.drop_table("dismissed_items")
    with op.batch_alter_table("resume_items") as batch_op:
        batch_op.drop_column("generated_key")
        batch_op.drop_column("edited")
    with op.batch_alter_table("project_evidence") as batch_op:
        batch_op.drop_column("origin")
    with op.batch_alter_table("repo_stats") as batch_op:
        batch_op.drop_column("user_role_override")
