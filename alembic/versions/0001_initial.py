"""Initial schema: every table of seed 000, plus portfolios, mining jobs, owners, API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 06:34:14.052115
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from graphql_api.db.seeds import insert_missing_questions


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifacts")),
        sa.UniqueConstraint("path", name=op.f("uq_artifacts_path")),
    )
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owners")),
        sa.UniqueConstraint("uid", name=op.f("uq_owners_uid")),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("question_text", sa.String(length=500), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("answer_type", sa.String(length=20), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("key", name=op.f("uq_questions_key")),
        sa.UniqueConstraint("uid", name=op.f("uq_questions_uid")),
    )
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("name", name=op.f("uq_skills_name")),
        sa.UniqueConstraint("uid", name=op.f("uq_skills_uid")),
    )
    with op.batch_alter_table("skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skills_category"), ["category"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_api_tokens_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("consent_level", sa.String(length=20), nullable=False),
        sa.Column("LLM_model", sa.String(length=100), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_consents_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        sa.UniqueConstraint("uid", name=op.f("uq_consents_uid")),
    )
    op.create_table(
        "portfolios",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("user_emails", sa.JSON(), nullable=False),
        sa.Column("ranking_weights", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_portfolios_owner_id_owners"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolios")),
    )
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolios_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "user_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owners.id"],
            name=op.f("fk_user_answers_owner_id_owners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_user_answers_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_answers")),
        sa.UniqueConstraint("uid", name=op.f("uq_user_answers_uid")),
    )
    with op.batch_alter_table("user_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_answers_question_id"), ["question_id"], unique=False
        )

    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.String(length=32), nullable=True),
        sa.Column("export_type", sa.String(length=30), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_exports_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
        sa.UniqueConstraint("uid", name=op.f("uq_exports_uid")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exports_portfolio_id"), ["portfolio_id"], unique=False)

    op.create_table(
        "mining_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("current", sa.String(length=1000), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("repo_errors", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_mining_jobs_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mining_jobs")),
        sa.UniqueConstraint("uid", name=op.f("uq_mining_jobs_uid")),
    )
    with op.batch_alter_table("mining_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mining_jobs_portfolio_id"), ["portfolio_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mining_jobs_status"), ["status"], unique=False)

    op.create_table(
        "repo_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.String(length=32), nullable=False),
        sa.Column("project_key", sa.String(length=300), nullable=False),
        sa.Column("project_name", sa.String(length=300), nullable=False),
        sa.Column("project_path", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("root_commit", sa.String(length=64), nullable=True),
        sa.Column("head_commit", sa.String(length=64), nullable=True),
        sa.Column("is_collaborative", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("language_percentages", sa.JSON(), nullable=False),
        sa.Column("primary_language", sa.String(length=100), nullable=True),
        sa.Column("first_commit", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_commit", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_commits", sa.Integer(), nullable=False),
        sa.Column("frameworks", sa.JSON(), nullable=False),
        sa.Column("collaboration_metadata", sa.JSON(), nullable=False),
        sa.Column("ranking_score", sa.Float(), nullable=True),
        sa.Column("ranking_position", sa.Integer(), nullable=True),
        sa.Column("ranking_components", sa.JSON(), nullable=False),
        sa.Column("ranked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("health_score", sa.Float(), nullable=True),
        sa.Column("health_components", sa.JSON(), nullable=False),
        sa.Column("thumbnail_url", sa.String(length=1000), nullable=True),
        sa.Column("showcased", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_repo_stats_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repo_stats")),
        sa.UniqueConstraint(
            "portfolio_id", "project_key", name=op.f("uq_repo_stats_portfolio_id_project_key")
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_repo_stats_uid")),
    )
    with op.batch_alter_table("repo_stats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repo_stats_portfolio_id"), ["portfolio_id"], unique=False
        )
        batch_op.create_index(
            "ix_repo_stats_portfolio_rank", ["portfolio_id", "ranking_score"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_repo_stats_primary_language"), ["primary_language"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_repo_stats_project_name"), ["project_name"], unique=False
        )

    op.create_table(
        "representation_prefs",
        sa.Column("portfolio_id", sa.String(length=32), nullable=False),
        sa.Column("prefs_json", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_representation_prefs_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("portfolio_id", name=op.f("pk_representation_prefs")),
    )
    op.create_table(
        "uploaded_zips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extraction_path", sa.String(length=1000), nullable=True),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_uploaded_zips_portfolio_id_portfolios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploaded_zips")),
        sa.UniqueConstraint("uid", name=op.f("uq_uploaded_zips_uid")),
    )
    with op.batch_alter_table("uploaded_zips", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_uploaded_zips_portfolio_id"), ["portfolio_id"], unique=False
        )

    op.create_table(
        "project_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_project_evidence_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_evidence")),
        sa.UniqueConstraint("uid", name=op.f("uq_project_evidence_uid")),
    )
    with op.batch_alter_table("project_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_evidence_repo_stat_id"), ["repo_stat_id"], unique=False
        )

    op.create_table(
        "project_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("proficiency", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_project_skills_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_project_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_skills")),
        sa.UniqueConstraint(
            "repo_stat_id", "skill_id", name=op.f("uq_project_skills_repo_stat_id_skill_id")
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_project_skills_uid")),
    )
    with op.batch_alter_table("project_skills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_skills_repo_stat_id"), ["repo_stat_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_project_skills_skill_id"), ["skill_id"], unique=False)

    op.create_table(
        "resume_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_resume_items_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resume_items")),
        sa.UniqueConstraint("uid", name=op.f("uq_resume_items_uid")),
    )
    with op.batch_alter_table("resume_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resume_items_repo_stat_id"), ["repo_stat_id"], unique=False
        )

    op.create_table(
        "user_intelligence_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=True),
        sa.Column("repo_path", sa.String(length=1000), nullable=False),
        sa.Column("user_email", sa.String(length=320), nullable=False),
        sa.Column("summary_text", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_user_intelligence_summaries_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_intelligence_summaries")),
        sa.UniqueConstraint("uid", name=op.f("uq_user_intelligence_summaries_uid")),
    )
    with op.batch_alter_table("user_intelligence_summaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_intelligence_summaries_repo_stat_id"),
            ["repo_stat_id"],
            unique=False,
        )

    op.create_table(
        "user_project_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("user_email", sa.String(length=320), nullable=False),
        sa.Column("proficiency", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_user_project_skills_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_user_project_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_project_skills")),
        sa.UniqueConstraint(
            "repo_stat_id",
            "skill_id",
            "user_email",
            name=op.f("uq_user_project_skills_repo_stat_id_skill_id_user_email"),
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_user_project_skills_uid")),
    )
    with op.batch_alter_table("user_project_skills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_project_skills_repo_stat_id"), ["repo_stat_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_user_project_skills_skill_id"), ["skill_id"], unique=False
        )

    op.create_table(
        "user_repo_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_stat_id", sa.Integer(), nullable=False),
        sa.Column("user_email", sa.String(length=320), nullable=False),
        sa.Column("project_name", sa.String(length=300), nullable=False),
        sa.Column("project_path", sa.String(length=1000), nullable=False),
        sa.Column("first_commit", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_commit", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_commits", sa.Integer(), nullable=False),
        sa.Column("userStatspercentages", sa.Float(), nullable=False),
        sa.Column("commitFrequency", sa.Float(), nullable=False),
        sa.Column("lines_added", sa.Integer(), nullable=False),
        sa.Column("lines_deleted", sa.Integer(), nullable=False),
        sa.Column("activity_breakdown", sa.JSON(), nullable=False),
        sa.Column("user_role", sa.String(length=100), nullable=True),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_stat_id"],
            ["repo_stats.id"],
            name=op.f("fk_user_repo_stats_repo_stat_id_repo_stats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_repo_stats")),
        sa.UniqueConstraint(
            "repo_stat_id", "user_email", name=op.f("uq_user_repo_stats_repo_stat_id_user_email")
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_user_repo_stats_uid")),
    )
    with op.batch_alter_table("user_repo_stats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_repo_stats_repo_stat_id"), ["repo_stat_id"], unique=False
        )

    insert_missing_questions(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("user_repo_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_repo_stats_repo_stat_id"))

    op.drop_table("user_repo_stats")
    with op.batch_alter_table("user_project_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_project_skills_skill_id"))
        batch_op.drop_index(batch_op.f("ix_user_project_skills_repo_stat_id"))

    op.drop_table("user_project_skills")
    with op.batch_alter_table("user_intelligence_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_intelligence_summaries_repo_stat_id"))

    op.drop_table("user_intelligence_summaries")
    with op.batch_alter_table("resume_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resume_items_repo_stat_id"))

    op.drop_table("resume_items")
    with op.batch_alter_table("project_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_skills_skill_id"))
        batch_op.drop_index(batch_op.f("ix_project_skills_repo_stat_id"))

    op.drop_table("project_skills")
    with op.batch_alter_table("project_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_evidence_repo_stat_id"))

    op.drop_table("project_evidence")
    with op.batch_alter_table("uploaded_zips", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploaded_zips_portfolio_id"))

    op.drop_table("uploaded_zips")
    op.drop_table("representation_prefs")
    with op.batch_alter_table("repo_stats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repo_stats_project_name"))
        batch_op.drop_index(batch_op.f("ix_repo_stats_primary_language"))
        batch_op.drop_index("ix_repo_stats_portfolio_rank")
        batch_op.drop_index(batch_op.f("ix_repo_stats_portfolio_id"))

    op.drop_table("repo_stats")
    with op.batch_alter_table("mining_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mining_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_mining_jobs_portfolio_id"))

    op.drop_table("mining_jobs")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exports_portfolio_id"))

    op.drop_table("exports")
    with op.batch_alter_table("user_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_answers_question_id"))

    op.drop_table("user_answers")
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolios_owner_id"))

    op.drop_table("portfolios")
    op.drop_table("consents")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_owner_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skills_category"))

    op.drop_table("skills")
    op.drop_table("questions")
    op.drop_table("owners")
    op.drop_table("artifacts")
