"""GraphQL types, kept apart from the ORM models: each has `from_model(row)`.

Scalar fields are plain attributes filled in `from_model` (an async resolver costs several
times a plain field); only relations are resolvers, and each goes through a DataLoader.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry

from graphql_api.db import models, queries
from graphql_api.schema import connection as conn
from graphql_api.schema import ids
from graphql_api.schema.context import Info
from graphql_api.schema.curation_types import SummaryType
from graphql_api.schema.enums import EvidenceKind, EvidenceOrigin
from mining.analyze import ResumeCategory
from mining.analyze.proficiency import Level

# Plain lists that can grow take `first`; without it they return everything up to the page
# cap (and the cost rule counts them at the cap).
FIRST_OF_LIST = "At most `first` items; without it, all up to MAX_PAGE_SIZE (default 100)."

if TYPE_CHECKING:
    from graphql_api.schema.portfolio import PortfolioType


@strawberry.interface(name="Node", description="An object with an opaque global ID.")
class NodeType:
    id: strawberry.ID


@strawberry.input(
    name="ProjectFilter", description="Narrow a project listing; every given condition must hold."
)
class ProjectFilterInput:
    language: str | None = None
    framework: str | None = None
    skill: str | None = None
    include_deleted: bool = False

    def to_query(self) -> queries.ProjectFilter:
        return queries.ProjectFilter(
            language=self.language,
            framework=self.framework,
            skill=self.skill,
            include_deleted=self.include_deleted,
        )


@strawberry.type(name="LanguageShare")
class LanguageShareType:
    name: str
    percent: float


@strawberry.type(name="Framework")
class FrameworkType:
    name: str
    category: str
    ecosystem: str | None
    source: str | None


@strawberry.type(name="Author")
class AuthorType:
    name: str
    email: str
    commits: int
    share: float | None


@strawberry.type(name="Collaboration")
class CollaborationType:
    bus_factor: int | None
    is_collaborative: bool
    author_count: int = strawberry.field(description="How many authors there are in all.")
    _authors: strawberry.Private[list[dict[str, Any]]]

    @strawberry.field(description="Most commits first. " + FIRST_OF_LIST)
    def authors(self, info: Info, first: int | None = None) -> list[AuthorType]:
        size = list_size(info, first)
        return [
            AuthorType(name=a["name"], email=a["email"], commits=a["commits"], share=a.get("share"))
            for a in self._authors[:size]
        ]


@strawberry.type(
    name="ScoreComponent",
    description="One term of a score (ranking or health), so it can be explained.",
)
class ScoreComponentType:
    name: str
    value: float | None
    max_value: float | None
    weight: float | None
    contribution: float | None
    reason: str | None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        return cls(
            name=raw["name"],
            value=raw.get("value", raw.get("points")),
            max_value=raw.get("max_value", raw.get("max_points")),
            weight=raw.get("weight"),
            contribution=raw.get("contribution"),
            reason=raw.get("reason"),
        )


@strawberry.type(name="ActivityShare")
class ActivityShareType:
    kind: str
    lines: float


@strawberry.type(name="UserRepoStat", description="The user's own work in one project.")
class UserRepoStatType(NodeType):
    user_email: str
    first_commit: dt.datetime | None
    last_commit: dt.datetime | None
    total_commits: int
    share_percent: float
    commits_per_week: float
    lines_added: int
    lines_deleted: int
    activity_breakdown: list[ActivityShareType]
    role: str | None

    @classmethod
    def from_model(cls, row: models.UserRepoStat) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("UserRepoStat", row.uid)),
            user_email=row.user_email,
            first_commit=row.first_commit,
            last_commit=row.last_commit,
            total_commits=row.total_commits,
            share_percent=row.user_stats_percentages,
            commits_per_week=row.commit_frequency,
            lines_added=row.lines_added,
            lines_deleted=row.lines_deleted,
            activity_breakdown=[
                ActivityShareType(kind=k, lines=v)
                for k, v in sorted(row.activity_breakdown.items())
            ],
            role=row.user_role,
        )


@strawberry.type(name="Skill")
class SkillType(NodeType):
    name: str
    category: str
    _pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.Skill) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Skill", row.uid)),
            name=row.name,
            category=row.category,
            _pk=row.id,
        )

    @strawberry.field(description="Where this skill shows, strongest first. " + FIRST_OF_LIST)
    async def projects(self, info: Info, first: int | None = None) -> list[ProjectSkillType]:
        key = (self._pk, list_size(info, first))
        rows = await info.context.loaders.project_skills_by_skill.load(key)
        return [ProjectSkillType.from_model(row) for row in rows]


@strawberry.type
class _SkillLink:
    """Shared fields of the rows that tie a skill to a project (not itself in the schema).

    `skill` is a plain attribute: every query that reads these rows joins the skill in
    (queries.children_by_project), so no field waits on a loader per row."""

    skill: SkillType
    _project_id: strawberry.Private[int]

    @strawberry.field
    async def project(self, info: Info) -> RepoStatType:
        row = await info.context.loaders.project_by_id.load(self._project_id)
        assert row is not None
        return RepoStatType.from_model(row)


@strawberry.type(name="ProjectSkill")
class ProjectSkillType(_SkillLink, NodeType):
    weight: float
    proficiency: float
    level: Level | None
    evidence: list[str]

    @classmethod
    def from_model(cls, row: models.ProjectSkill) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("ProjectSkill", row.uid)),
            weight=row.weight,
            proficiency=row.proficiency,
            level=Level(row.level) if row.level else None,
            evidence=row.evidence,
            skill=SkillType.from_model(row.skill),
            _project_id=row.repo_stat_id,
        )


@strawberry.type(name="UserProjectSkill")
class UserProjectSkillType(_SkillLink, NodeType):
    user_email: str
    proficiency: float
    level: Level | None
    evidence: list[str]

    @classmethod
    def from_model(cls, row: models.UserProjectSkill) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("UserProjectSkill", row.uid)),
            user_email=row.user_email,
            proficiency=row.proficiency,
            level=Level(row.level) if row.level else None,
            evidence=row.evidence,
            skill=SkillType.from_model(row.skill),
            _project_id=row.repo_stat_id,
        )


@strawberry.type(name="Evidence")
class EvidenceType(NodeType):
    type: EvidenceKind
    content: str
    source: str
    date: dt.date | None
    origin: EvidenceOrigin = strawberry.field(
        description="Mined (replaced by mining again) or added by you."
    )

    @classmethod
    def from_model(cls, row: models.ProjectEvidence) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Evidence", row.uid)),
            type=EvidenceKind(row.type),
            content=row.content,
            source=row.source,
            date=row.date,
            origin=EvidenceOrigin(row.origin),
        )


@strawberry.type(name="ResumeItem")
class ResumeItemType(NodeType):
    title: str
    content: str
    category: ResumeCategory
    position: int
    edited: bool = strawberry.field(
        description="Changed or written by you: regenerating the resume keeps it as it is."
    )

    @classmethod
    def from_model(cls, row: models.ResumeItem) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("ResumeItem", row.uid)),
            title=row.title,
            content=row.content,
            category=ResumeCategory(row.category),
            position=row.position,
            edited=row.edited,
        )


def _language_shares(row: models.RepoStat) -> list[LanguageShareType]:
    ranked = sorted(row.language_percentages.items(), key=lambda item: (-item[1], item[0]))
    return [LanguageShareType(name=name, percent=percent) for name, percent in ranked]


def _frameworks(row: models.RepoStat) -> list[FrameworkType]:
    return [
        FrameworkType(
            name=f["name"],
            category=f["category"],
            ecosystem=f.get("ecosystem"),
            source=f.get("source"),
        )
        for f in row.frameworks
    ]


@strawberry.type(name="RepoStat", description="A project: a mined repository or plain folder.")
class RepoStatType(NodeType):
    """Scalars are attributes; the nested objects are built only when a query selects them
    (a dashboard reads a few of the fields of many projects), and the author list, a
    deferred column, is read through a loader."""

    project_name: str
    project_path: str
    kind: str
    root_commit: str | None
    head_commit: str | None
    shallow: bool = strawberry.field(
        description="History cut short (a shallow clone, or a `shallow` file in the upload): "
        "commits, dates and shares describe only the history that was uploaded."
    )
    is_collaborative: bool
    languages: list[str]
    primary_language: str | None
    first_commit: dt.datetime | None
    last_commit: dt.datetime | None
    total_commits: int
    ranking_score: float | None
    ranking_position: int | None
    ranked_at: dt.datetime | None
    health_score: float | None
    thumbnail_url: str | None = strawberry.field(
        description="Our route to the project's picture (setProjectThumbnail), a PNG; null "
        "when none is set."
    )
    showcased: bool = strawberry.field(
        description="Showcased by your preferences (showcaseProjects; every project when "
        "none are named): it gets resume items and a summary."
    )
    summary: str | None = strawberry.field(
        description="The newest summary of the project (generateResume); null before one."
    )
    role_overridden: bool = strawberry.field(
        description="Whether `role` is the one you set (setProjectRole) rather than the mined one."
    )
    deleted_at: dt.datetime | None
    created_at: dt.datetime
    _pk: strawberry.Private[int]
    _portfolio_id: strawberry.Private[str]
    _row: strawberry.Private[models.RepoStat]

    @classmethod
    def from_model(cls, row: models.RepoStat) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("RepoStat", row.uid)),
            project_name=row.project_name,
            project_path=row.project_path,
            kind=row.kind,
            root_commit=row.root_commit,
            head_commit=row.head_commit,
            shallow=row.shallow,
            is_collaborative=row.is_collaborative,
            languages=row.languages,
            primary_language=row.primary_language,
            first_commit=row.first_commit,
            last_commit=row.last_commit,
            total_commits=row.total_commits,
            ranking_score=row.ranking_score,
            ranking_position=row.ranking_position,
            ranked_at=row.ranked_at,
            health_score=row.health_score,
            thumbnail_url=row.thumbnail_url,
            showcased=row.showcased,
            summary=row.summary,
            role_overridden=row.user_role_override is not None,
            deleted_at=row.deleted_at,
            created_at=row.created_at,
            _pk=row.id,
            _portfolio_id=row.portfolio_id,
            _row=row,
        )

    @strawberry.field
    async def collaboration(self, info: Info) -> CollaborationType:
        metadata = await info.context.loaders.collaboration_by_project.load(self._pk)
        authors = metadata.get("authors", [])
        return CollaborationType(
            bus_factor=metadata.get("bus_factor"),
            is_collaborative=self.is_collaborative,
            author_count=len(authors),
            _authors=authors,
        )

    @strawberry.field(
        description="The terms of the ranking score your comparison attributes name (every "
        "term when none are named); `includeAll` lists every term."
    )
    def ranking_components(
        self,
        include_all: Annotated[
            bool, strawberry.argument(description="Every term, compared or not.")
        ] = False,
    ) -> list[ScoreComponentType]:
        return [
            ScoreComponentType.from_dict(c)
            for c in self._row.ranking_components
            if include_all or c.get("compared", True)
        ]

    @strawberry.field(
        description="Your role in the project: the one you set, else the mined one (from your "
        "share and kind of commits); null when you made no commit."
    )
    async def role(self, info: Info) -> str | None:
        if self._row.user_role_override is not None:
            return self._row.user_role_override
        rows = await info.context.loaders.user_stats_by_project.load((self._pk, 1))
        return rows[0].user_role if rows else None

    @strawberry.field(description="Every summary written of it, newest first. " + FIRST_OF_LIST)
    async def summaries(self, info: Info, first: int | None = None) -> list[SummaryType]:
        rows = await info.context.loaders.summaries_by_project.load(self._key(info, first))
        return [SummaryType.from_model(row) for row in rows]

    @strawberry.field
    def health_components(self) -> list[ScoreComponentType]:
        return [ScoreComponentType.from_dict(c) for c in self._row.health_components]

    @strawberry.field
    async def portfolio(
        self, info: Info
    ) -> Annotated[PortfolioType, strawberry.lazy("graphql_api.schema.portfolio")]:
        from graphql_api.schema.portfolio import PortfolioType

        row = await info.context.loaders.portfolio_by_id.load(self._portfolio_id)
        assert row is not None
        return PortfolioType.from_model(row)

    @strawberry.field(description="Languages by share of bytes at HEAD. " + FIRST_OF_LIST)
    def language_percentages(self, info: Info, first: int | None = None) -> list[LanguageShareType]:
        return _language_shares(self._row)[: list_size(info, first)]

    @strawberry.field(description=FIRST_OF_LIST)
    def frameworks(self, info: Info, first: int | None = None) -> list[FrameworkType]:
        return _frameworks(self._row)[: list_size(info, first)]

    @strawberry.field(description="Strongest first. " + FIRST_OF_LIST)
    async def skills(self, info: Info, first: int | None = None) -> list[ProjectSkillType]:
        rows = await info.context.loaders.project_skills_by_project.load(self._key(info, first))
        return [ProjectSkillType.from_model(row) for row in rows]

    @strawberry.field(
        description="The user's own skills in this project (collaborative work). " + FIRST_OF_LIST
    )
    async def user_skills(self, info: Info, first: int | None = None) -> list[UserProjectSkillType]:
        loader = info.context.loaders.user_project_skills_by_project
        rows = await loader.load(self._key(info, first))
        return [UserProjectSkillType.from_model(row) for row in rows]

    @strawberry.field(description=FIRST_OF_LIST)
    async def evidence(self, info: Info, first: int | None = None) -> list[EvidenceType]:
        rows = await info.context.loaders.evidence_by_project.load(self._key(info, first))
        return [EvidenceType.from_model(row) for row in rows]

    @strawberry.field(description=FIRST_OF_LIST)
    async def resume_items(self, info: Info, first: int | None = None) -> list[ResumeItemType]:
        rows = await info.context.loaders.resume_items_by_project.load(self._key(info, first))
        return [ResumeItemType.from_model(row) for row in rows]

    @strawberry.field(description=FIRST_OF_LIST)
    async def user_stats(self, info: Info, first: int | None = None) -> list[UserRepoStatType]:
        rows = await info.context.loaders.user_stats_by_project.load(self._key(info, first))
        return [UserRepoStatType.from_model(row) for row in rows]

    def _key(self, info: Info, first: int | None) -> tuple[int, int]:
        return self._pk, list_size(info, first)


def list_size(info: Info, first: int | None) -> int:
    """The length of a plain list field: `first`, or all up to the page cap."""
    return conn.list_size(first, info.context.settings.max_page_size)
