"""SQLAlchemy 2 typed models: every table of the legacy data model this service re-builds,
plus portfolios, mining jobs, owners and API tokens.

Conventions: integer primary keys stay internal; every row the API exposes also has a random
`uid` (its opaque global ID is built from it, so IDs cannot be guessed by counting). Timestamps
are `UTCDateTime` (aware UTC). Relationships are `lazy="raise"`: nothing is loaded behind the
caller's back (async sessions cannot lazy-load anyway; MissingGreenlet is the symptom).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Mapped,
    mapped_column,
    relationship,
)

from graphql_api.db import json_schemas as js
from graphql_api.db.states import ExportStatus, JobStage, JobStatus
from graphql_api.db.types import UTCDateTime, ValidatedJSON, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uid() -> str:
    return uuid.uuid4().hex


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublicId:
    # The insert sentinel (made here, unique) lets the ORM flush new rows of a table as one
    # INSERT ... RETURNING and match each returned id to its row; without it, SQLite's RETURNING
    # order being unspecified, each row was an INSERT of its own (a job's projects, resume items).
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid, insert_sentinel=True)


class HasId(Protocol):
    """A model whose primary key is `id` (an integer, or a portfolio's or stored upload's
    string): what the generic reads by primary key take. Declared as the class attribute
    the queries read (a column; a row's value when read on a row): mypy does not match a
    protocol's `Mapped[...]` member against a model's mapped column."""

    id: ClassVar[InstrumentedAttribute[Any]]


class HasRepoStatId(HasId, Protocol):
    """A model whose rows belong to a project (skills, evidence, resume items, user stats,
    summaries): what the generic per-project reads take."""

    repo_stat_id: ClassVar[InstrumentedAttribute[Any]]


# --- owners and configuration -------------------------------------------------------------


class Owner(Base, PublicId, CreatedAt):
    """Whose data a row is. Tokens name their owner; a loopback server without REQUIRE_AUTH
    acts for the single owner called LOCAL_OWNER."""

    __tablename__ = "owners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, index=True)


LOCAL_OWNER = "local"


def owner_fk(*, index: bool = True) -> Mapped[int]:
    """The owner column of a row that belongs to someone: required, gone with its owner."""
    return mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=index)


class ApiToken(Base, CreatedAt):
    """A bearer token; only its SHA-256 is stored, so a leaked database leaks no token."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base, PublicId, CreatedAt):
    """One state-changing operation: who (owner, token), what (operation, object), outcome
    ("ok" or the userError code). Listed newest first by keyset on (created_at, uid)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_owner_keyset", "owner_id", "created_at", "uid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = owner_fk(index=False)  # the keyset index leads with it
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    operation: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(60))


class Question(Base, PublicId, CreatedAt):
    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    question_text: Mapped[str] = mapped_column(String(500))
    order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_type: Mapped[str] = mapped_column(String(20), default="text")

    answers: Mapped[list[UserAnswer]] = relationship(back_populates="question", lazy="raise")


class UserAnswer(Base, PublicId):
    __tablename__ = "user_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = owner_fk()
    answer_text: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="answers", lazy="raise")


class Consent(Base, PublicId):
    """Consent for LLM use. The newest row of an owner is in force."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = owner_fk()
    consent_level: Mapped[str] = mapped_column(String(20))  # none | local | local-llm | cloud
    llm_model: Mapped[str | None] = mapped_column("LLM_model", String(100))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- portfolios and uploads ---------------------------------------------------------------


class Portfolio(Base, CreatedAt):
    """A set of uploaded ZIPs mined together; `user_emails` say whose work is "the user's"."""

    __tablename__ = "portfolios"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_uid)
    owner_id: Mapped[int] = owner_fk()
    name: Mapped[str] = mapped_column(String(200), default="")
    user_emails: Mapped[list[str]] = mapped_column(ValidatedJSON(js.EMAILS), default=list)
    # The ranking weights last asked for (rankProjects); empty means the defaults.
    ranking_weights: Mapped[dict[str, float]] = mapped_column(
        ValidatedJSON(js.COUNTS), default=dict
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def uid(self) -> str:
        return self.id


class StoredUpload(Base, CreatedAt):
    """A ZIP sent to POST /uploads, kept for `uploadPortfolio(uploadIds:)` by its owner only;
    `id` is the store's upload id (the file's name)."""

    __tablename__ = "stored_uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = owner_fk()
    filename: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")


class UploadedZip(Base, PublicId):
    __tablename__ = "uploaded_zips"
    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[str] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = owner_fk()
    filename: Mapped[str] = mapped_column(String(500))
    path: Mapped[str] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extraction_path: Mapped[str | None] = mapped_column(String(1000))
    # When a job's results first included it (migration 0007): its bytes never change, so its
    # plain folders are not mined again, nor its repositories whose HEAD is a stored project's.
    mined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MiningJob(Base, PublicId, CreatedAt):
    """A background mining run over a portfolio (queued -> running -> a final status)."""

    __tablename__ = "mining_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[str] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = owner_fk()
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value, index=True)
    stage: Mapped[str] = mapped_column(String(40), default=JobStage.QUEUED.value)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[str | None] = mapped_column(String(1000))  # the repository just finished
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    repo_errors: Mapped[list[dict[str, Any]]] = mapped_column(
        ValidatedJSON(js.JOB_ERRORS), default=list
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The process running the job, or that ran it last: "host:pid" (for operators, and for
    # telling workers apart when several share the queue).
    worker: Mapped[str | None] = mapped_column(String(300))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # Mine every repository again (remine); otherwise only what is new or changed.
    full: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# --- mined projects ------------------------------------------------------------------------


class RepoStat(Base, PublicId, CreatedAt):
    """A project: a mined repository or plain folder of a portfolio."""

    __tablename__ = "repo_stats"
    __table_args__ = (UniqueConstraint("portfolio_id", "project_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[str] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = owner_fk()
    # What makes a project "the same" across uploads: its root commit, or its path when
    # it has no history (plain folders, empty repositories).
    project_key: Mapped[str] = mapped_column(String(300))
    project_name: Mapped[str] = mapped_column(String(300), index=True)
    project_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(20), default="worktree")
    # History cut short (a shallow clone, or a `shallow` file in the upload): mined as is.
    shallow: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    root_commit: Mapped[str | None] = mapped_column(String(64))
    head_commit: Mapped[str | None] = mapped_column(String(64))
    is_collaborative: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(ValidatedJSON(js.LANGUAGES), default=list)
    language_percentages: Mapped[dict[str, float]] = mapped_column(
        ValidatedJSON(js.LANGUAGE_PERCENTAGES), default=dict
    )
    primary_language: Mapped[str | None] = mapped_column(String(100), index=True)
    first_commit: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_commit: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_commits: Mapped[int] = mapped_column(Integer, default=0)
    frameworks: Mapped[list[dict[str, str]]] = mapped_column(
        ValidatedJSON(js.FRAMEWORKS), default=list
    )
    # The two big JSON columns (the author list, the whole mined report: hundreds of kB on a
    # large repository) are deferred: a query reads them only when asked (`undefer`), and
    # touching them unloaded raises instead of loading behind the caller's back.
    collaboration_metadata: Mapped[dict[str, Any]] = mapped_column(
        ValidatedJSON(js.COLLABORATION), default=dict, deferred=True, deferred_raiseload=True
    )
    ranking_score: Mapped[float | None] = mapped_column(Float)
    # 1-based place in the portfolio's ranking, after representation preferences (a manual
    # order or rank can put a lower score first); None when unranked or deleted.
    ranking_position: Mapped[int | None] = mapped_column(Integer)
    ranking_components: Mapped[list[dict[str, Any]]] = mapped_column(
        ValidatedJSON(js.SCORE_COMPONENTS), default=list
    )
    ranked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    health_score: Mapped[float | None] = mapped_column(Float)
    health_components: Mapped[list[dict[str, Any]]] = mapped_column(
        ValidatedJSON(js.SCORE_COMPONENTS), default=list
    )
    # Our own route to the project's thumbnail (GET /thumbnails/{uid}), set by
    # setProjectThumbnail; a new image gets a new uid, so a cached copy is never stale.
    thumbnail_url: Mapped[str | None] = mapped_column(String(1000))
    # The user's own word for their role here (setProjectRole); None shows the mined role.
    user_role_override: Mapped[str | None] = mapped_column(String(100))
    showcased: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    # The mined report (mining.records.ProjectReport via mining.codec), so ranking, resume
    # items and the profile can be recomputed without running git again.
    report: Mapped[dict[str, Any] | None] = mapped_column(
        ValidatedJSON(js.OBJECT), deferred=True, deferred_raiseload=True
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    project_skills: Mapped[list[ProjectSkill]] = relationship(
        back_populates="repo_stat", lazy="raise", cascade="all, delete-orphan"
    )
    user_project_skills: Mapped[list[UserProjectSkill]] = relationship(
        back_populates="repo_stat", lazy="raise", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[ProjectEvidence]] = relationship(
        back_populates="repo_stat", lazy="raise", cascade="all, delete-orphan"
    )
    resume_items: Mapped[list[ResumeItem]] = relationship(
        back_populates="repo_stat", lazy="raise", cascade="all, delete-orphan"
    )


class UserRepoStat(Base, PublicId, CreatedAt):
    __tablename__ = "user_repo_stats"
    __table_args__ = (UniqueConstraint("repo_stat_id", "user_email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    user_email: Mapped[str] = mapped_column(String(320))
    project_name: Mapped[str] = mapped_column(String(300))
    project_path: Mapped[str] = mapped_column(String(1000))
    first_commit: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_commit: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total_commits: Mapped[int] = mapped_column(Integer, default=0)
    user_stats_percentages: Mapped[float] = mapped_column("userStatspercentages", Float, default=0)
    commit_frequency: Mapped[float] = mapped_column("commitFrequency", Float, default=0)
    lines_added: Mapped[int] = mapped_column(Integer, default=0)
    lines_deleted: Mapped[int] = mapped_column(Integer, default=0)
    activity_breakdown: Mapped[dict[str, float]] = mapped_column(
        ValidatedJSON(js.ACTIVITY_BREAKDOWN), default=dict
    )
    user_role: Mapped[str | None] = mapped_column(String(100))


class Skill(Base, PublicId, CreatedAt):
    __tablename__ = "skills"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(50), index=True)


class ProjectSkill(Base, PublicId, CreatedAt):
    __tablename__ = "project_skills"
    __table_args__ = (UniqueConstraint("repo_stat_id", "skill_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    weight: Mapped[float] = mapped_column(Float, default=0)
    proficiency: Mapped[float] = mapped_column(Float, default=0)
    level: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[list[str]] = mapped_column(ValidatedJSON(js.EVIDENCE_SENTENCES), default=list)

    repo_stat: Mapped[RepoStat] = relationship(back_populates="project_skills", lazy="raise")
    skill: Mapped[Skill] = relationship(lazy="raise")


class UserProjectSkill(Base, PublicId, CreatedAt):
    __tablename__ = "user_project_skills"
    __table_args__ = (UniqueConstraint("repo_stat_id", "skill_id", "user_email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), index=True)
    user_email: Mapped[str] = mapped_column(String(320))
    proficiency: Mapped[float] = mapped_column(Float, default=0)
    level: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[list[str]] = mapped_column(ValidatedJSON(js.EVIDENCE_SENTENCES), default=list)

    repo_stat: Mapped[RepoStat] = relationship(back_populates="user_project_skills", lazy="raise")
    skill: Mapped[Skill] = relationship(lazy="raise")


class ProjectEvidence(Base, PublicId, CreatedAt):
    __tablename__ = "project_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    # mined: metric | testing | documentation | code_quality | evaluation;
    # added by the user (addEvidence): any of those, or feedback | award | custom
    type: Mapped[str] = mapped_column(String(30))
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(100))
    date: Mapped[date | None] = mapped_column(Date)
    # "mined" rows are replaced by each mining of the project; "user" rows are the user's and
    # only addEvidence/deleteEvidence change them.
    origin: Mapped[str] = mapped_column(String(10), default="mined", server_default="mined")

    repo_stat: Mapped[RepoStat] = relationship(back_populates="evidence", lazy="raise")


class ActivityMonth(Base):
    """A month with the user's commits in a project: for the project as a whole (`skill_id`
    None) or within the period one of their skills was used (mining/analyze/chronology.py).
    `commits` are the user's commits to the project that month; `first_day` and `last_day`
    the first and last day of the month with one (for a skill, within its period of use)."""

    __tablename__ = "activity_months"
    __table_args__ = (Index("ix_activity_months_owner_month", "owner_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = owner_fk(index=False)  # the (owner, month) index leads with it
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int | None] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date] = mapped_column(Date)  # its first day
    commits: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class ResumeItem(Base, PublicId, CreatedAt):
    __tablename__ = "resume_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))  # projects | experience
    position: Mapped[int] = mapped_column(Integer, default=0)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    # Changed or written by the user (updateResumeItem, addResumeItem): regenerating the
    # resume keeps it as it is. Generated items are replaced in place (same uid).
    edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Which generated bullet this is (its generated title), so regeneration finds it again;
    # None for an item the user added.
    generated_key: Mapped[str | None] = mapped_column(String(300))

    repo_stat: Mapped[RepoStat] = relationship(back_populates="resume_items", lazy="raise")


class DismissedItem(Base, CreatedAt):
    """A generated row the user deleted (mined evidence, a generated resume item): mining or
    regenerating the resume again does not bring it back. `key` names the row across
    regenerations (see graphql_api/jobs/curation.py)."""

    __tablename__ = "dismissed_items"
    __table_args__ = (UniqueConstraint("repo_stat_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # evidence | resume_item
    key: Mapped[str] = mapped_column(String(64))


class ProjectThumbnail(Base, PublicId, CreatedAt):
    """A project's picture as served: decoded, checked and re-encoded as PNG
    (graphql_api/thumbnails.py), never the uploaded bytes themselves."""

    __tablename__ = "project_thumbnails"
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), unique=True
    )
    owner_id: Mapped[int] = owner_fk()
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)


class RepresentationPrefs(Base):
    __tablename__ = "representation_prefs"
    portfolio_id: Mapped[str] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int] = owner_fk()
    prefs_json: Mapped[dict[str, Any]] = mapped_column(ValidatedJSON(js.OBJECT), default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UserIntelligenceSummary(Base, PublicId):
    __tablename__ = "user_intelligence_summaries"
    id: Mapped[int] = mapped_column(primary_key=True)
    repo_stat_id: Mapped[int | None] = mapped_column(
        ForeignKey("repo_stats.id", ondelete="CASCADE"), index=True
    )
    repo_path: Mapped[str] = mapped_column(String(1000))
    user_email: Mapped[str] = mapped_column(String(320))
    summary_text: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(30), default="template")
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Artifact(Base):
    """Legacy table of the original data model, kept for parity."""

    __tablename__ = "artifacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(1000), unique=True)
    type: Mapped[str] = mapped_column(String(20))  # file | directory
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Export(Base, PublicId, CreatedAt):
    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[str | None] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = owner_fk()
    export_type: Mapped[str] = mapped_column(String(30))  # resume | portfolio
    format: Mapped[str] = mapped_column(String(20), default="json")  # json | markdown
    path: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default=ExportStatus.PENDING.value)
    error: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_repo_stats_portfolio_rank", RepoStat.portfolio_id, RepoStat.ranking_score)
# At most one queued or running job per portfolio, whatever races (migration 0003).
ACTIVE_JOB = text("status IN ('queued', 'running')")
Index(
    "uq_mining_jobs_active_portfolio",
    MiningJob.portfolio_id,
    unique=True,
    sqlite_where=ACTIVE_JOB,
    postgresql_where=ACTIVE_JOB,
)
