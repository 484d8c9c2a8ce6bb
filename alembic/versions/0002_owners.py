"""Owners: every row that belongs to someone carries its owner; token expiry; the audit log;
uploads sent to POST /uploads recorded with their owner; `repo_stats.shallow`.

Rows that exist already go to the owner called "local" (created here when missing): the one
a loopback server without REQUIRE_AUTH acts for. Rows under a portfolio take its owner.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:50:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL_OWNER = "local"

# Tables whose owner is their portfolio's (portfolio_id NOT NULL).
BY_PORTFOLIO = ("uploaded_zips", "mining_jobs", "repo_stats", "representation_prefs")
# Tables that get a new owner column; consents and user_answers had a nullable one.
NEW_OWNER = (*BY_PORTFOLIO, "exports")
ALL_OWNED = ("portfolios", *NEW_OWNER, "consents", "user_answers")
# Owner foreign keys 0001 made already, with ON DELETE CASCADE (portfolios' is remade).
HAD_FK = ("consents", "user_answers")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=60), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_audit_log_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_audit_log_token_id_api_tokens"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("uid", name=op.f("uq_audit_log_uid")),
    )
    op.create_index(
        "ix_audit_log_owner_keyset", "audit_log", ["owner_id", "created_at", "uid"], unique=False
    )
    op.create_table(
        "stored_uploads",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_stored_uploads_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_uploads")),
    )
    op.create_index(
        op.f("ix_stored_uploads_owner_id"), "stored_uploads", ["owner_id"], unique=False
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    # An index, not a constraint: SQLite would rebuild `owners` for a constraint.
    op.create_index(op.f("ix_owners_name"), "owners", ["name"], unique=True)
    with op.batch_alter_table("repo_stats") as batch_op:
        batch_op.add_column(
            sa.Column("shallow", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    for table in NEW_OWNER:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))

    _fill_owners(op.get_bind())

    with op.batch_alter_table("portfolios") as batch_op:
        # Was SET NULL; a portfolio cannot outlive its owner now that it needs one.
        batch_op.drop_constraint("fk_portfolios_owner_id_owners", type_="foreignkey")
    for table in ALL_OWNED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("owner_id", existing_type=sa.Integer(), nullable=False)
            if table not in HAD_FK:
                batch_op.create_foreign_key(
                    batch_op.f(f"fk_{table}_owner_id_owners"),
                    "owners",
                    ["owner_id"],
                    ["id"],
                    ondelete="CASCADE",
                )
            if table != "portfolios":  # indexed since 0001
                batch_op.create_index(batch_op.f(f"ix_{table}_owner_id"), ["owner_id"])


def _fill_owners(bind: sa.engine.Connection) -> None:
    """Give every existing row an owner: the local one, or its portfolio's."""
    owners = sa.table(
        "owners",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("uid", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    local = bind.scalar(sa.select(owners.c.id).where(owners.c.name == LOCAL_OWNER).limit(1))
    if local is None:
        bind.execute(
            owners.insert().values(
                name=LOCAL_OWNER, uid=uuid.uuid4().hex, created_at=datetime.now(UTC)
            )
        )
        local = bind.scalar(sa.select(owners.c.id).where(owners.c.name == LOCAL_OWNER))
    for table in ("portfolios", "consents", "user_answers", "exports"):
        bind.execute(
            sa.text(f"UPDATE {table} SET owner_id = :local WHERE owner_id IS NULL"),
            {"local": local},
        )
    for table in (*BY_PORTFOLIO, "exports"):
        bind.execute(
            sa.text(
                f"UPDATE {table} SET owner_id = (SELECT p.owner_id FROM portfolios p "
                f"WHERE p.id = {table}.portfolio_id) WHERE portfolio_id IS NOT NULL"
            )
        )


def downgrade() -> None:
    for table in reversed(ALL_OWNED):
        with op.batch_alter_table(table) as batch_op:
            if table != "portfolios":
                batch_op.drop_index(batch_op.f(f"ix_{table}_owner_id"))
            if table not in HAD_FK:
                batch_op.drop_constraint(f"fk_{table}_owner_id_owners", type_="foreignkey")
            batch_op.alter_column("owner_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("portfolios") as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_portfolios_owner_id_owners"),
            "owners",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
    for table in reversed(NEW_OWNER):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("owner_id")
    with op.batch_alter_table("repo_stats") as batch_op:
        batch_op.drop_column("shallow")
    op.drop_index(op.f("ix_owners_name"), table_name="owners")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_index(op.f("ix_stored_uploads_owner_id"), table_name="stored_uploads")
    op.drop_table("stored_uploads")
    op.drop_index("ix_audit_log_owner_keyset", table_name="audit_log")
    op.drop_table("audit_log")
