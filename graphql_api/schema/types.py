"""GraphQL types, kept apart from the ORM models: each has `from_model(row)`.

Scalar fields are plain attributes filled in `from_model` (an async resolver costs several
times a plain field); only relations are resolvers, and each goes through a DataLoader.
`from_model` copies the columns a type shows under the same name (`columns`) and names only
the few whose GraphQL name differs from the table's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Self, TypeVar

import strawberry
from sqlalchemy.engine import Row
from strawberry.dataloader import DataLoader

from graphql_api.db import models, queries
from graphql_api.schema import connection as conn
from graphql_api.schema import ids
from graphql_api.schema.args import After, First, PageFirst
from graphql_api.schema.context import Info
from graphql_api.schema.curation_types import SummaryType
from graphql_api.schema.enums import (
    ActivityKind,
    EvidenceKind,
    EvidenceOrigin,
    ProjectKind,
    SkillCategory,
)
from graphql_api.schema.errors import ApiError
from graphql_api.schema.loaders import Children
from mining.analyze import ResumeCategory
from mining.analyze.proficiency import Level

# Plain lists that can grow take `first`; without it they return everything up to the page
# cap (and the cost rule counts them at the cap).
FIRST_OF_LIST = "At most `first` items; without it, all up to MAX_PAGE_SIZE (default 100)."

if TYPE_CHECKING:
    from graphql_api.schema.portfolio import PortfolioType

R = TypeVar("R")
T = TypeVar("T")


def columns(
    cls: type, row: Any, renamed: Mapping[str, str] | None = None, **given: Any
) -> dict[str, Any]:
    """The plain (resolver-less) fields of the GraphQL type `cls`: those `given`, and the
    others read from `row`, each from the column of the same name or of the name `renamed`
    gives it."""
    renamed = renamed or {}
    read = {
        name: getattr(row, renamed.get(name, name))
        for name in _plain_fields(cls)
        if name not in given
    }
    return read | given


@functools.cache
def _plain_fields(cls: type) -> tuple[str, ...]:
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return tuple(
        field.python_name
        for field in definition.fields
        if field.base_resolver is None
        and not field.python_name.startswith("_")
        and field.python_name != "id"
    )


def found(row: R | None, what: str) -> R:
    """`row`, or NOT_FOUND: a related row gone since its parent was read (deleted, or no
    longer the caller's) reads as missing, never as a server error."""
    if row is None:
        raise ApiError(f"no such {what}", code="NOT_FOUND")
    return row


@strawberry.interface(name="Node", description="An object with an opaque global ID.")
class NodeType:
    id: strawberry.ID = strawberry.field(
        description="The global ID: pass it to `node(id:)` or `nodes(ids:)`."
    )


@strawberry.input(
    name="ProjectFilter", description="Narrow a project listing; every given condition must hold."
)
class ProjectFilterInput:
    language: str | None = strawberry.field(
        default=None, description="Primary language, or a language skill (case-insensitive)."
    )
    framework: str | None = strawberry.field(
        default=None, description="A framework or library skill (case-insensitive)."
    )
    skill: str | None = strawberry.field(
        default=None, description="Any skill, by name (case-insensitive)."
    )
    include_deleted: bool = strawberry.field(
        default=False, description="Include soft-deleted projects."
    )

    def to_query(self) -> queries.ProjectFilter:
        return queries.ProjectFilter(
            language=self.language,
            framework=self.framework,
            skill=self.skill,
            include_deleted=self.include_deleted,
        )


@strawberry.type(name="LanguageShare", description="A language's share of a project's bytes.")
class LanguageShareType:
    name: str = strawberry.field(description="The language (linguist's name).")
    percent: float = strawberry.field(description="Its share of the bytes at HEAD, 0..100.")


@strawberry.type(name="Framework", description="A framework, library or tool a project uses.")
class FrameworkType:
    name: str = strawberry.field(description="Its name, e.g. React or pytest.")
    category: str = strawberry.field(
        description="What it is, e.g. framework, library, testing, linter, database."
    )
    ecosystem: str | None = strawberry.field(
        description="Where it lives: python, javascript, ..., or any."
    )
    source: str | None = strawberry.field(
        description="The file it was found in (a manifest or configuration file)."
    )


@strawberry.type(name="Author", description="One author of a project's history.")
class AuthorType:
    name: str = strawberry.field(description="The author's name, as in the commits.")
    email: str = strawberry.field(description="The author's email, as in the commits.")
    commits: int = strawberry.field(description="Their commits (merges and bots left out).")
    share: float | None = strawberry.field(
        description="Their share of the project's commits, 0..100."
    )


@strawberry.type(name="Collaboration", description="Who worked on a project, and how spread.")
class CollaborationType:
    bus_factor: int | None = strawberry.field(
        description="How few authors wrote over half of the commits; null without history."
    )
    is_collaborative: bool = strawberry.field(description="More than one author.")
    author_count: int = strawberry.field(description="How many authors there are in all.")
    _authors: strawberry.Private[list[dict[str, Any]]]

    @strawberry.field(description="Most commits first. " + FIRST_OF_LIST)
    def authors(self, info: Info, first: First = None) -> list[AuthorType]:
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
    name: str = strawberry.field(description="The term, e.g. contribution or recency.")
    value: float | None = strawberry.field(description="Its raw value (points for health).")
    max_value: float | None = strawberry.field(description="The most it can be.")
    weight: float | None = strawberry.field(description="Its weight in the score.")
    contribution: float | None = strawberry.field(description="What it adds to the score.")
    reason: str | None = strawberry.field(description="Why it has this value, for people.")

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


@strawberry.type(name="ActivityShare", description="Lines of one kind of work.")
class ActivityShareType:
    kind: ActivityKind = strawberry.field(description="The kind of files the lines were in.")
    lines: float = strawberry.field(description="Lines added and deleted in them.")


@strawberry.type(name="UserRepoStat", description="The user's own work in one project.")
class UserRepoStatType(NodeType):
    user_email: str = strawberry.field(description="The identity (email) the work is under.")
    first_commit: dt.datetime | None = strawberry.field(description="The user's first commit.")
    last_commit: dt.datetime | None = strawberry.field(description="The user's last commit.")
    total_commits: int = strawberry.field(description="The user's commits.")
    share_percent: float = strawberry.field(
        description="The user's share of the project's commits, 0..100."
    )
    commits_per_week: float = strawberry.field(
        description="The user's commits per week between their first and last."
    )
    lines_added: int = strawberry.field(description="Lines the user added.")
    lines_deleted: int = strawberry.field(description="Lines the user deleted.")
    activity_breakdown: list[ActivityShareType] = strawberry.field(
        description="The user's lines by kind of work."
    )
    role: str | None = strawberry.field(description="The user's role in the project.")

    @classmethod
    def from_model(cls, row: models.UserRepoStat | Row[Any]) -> Self:
        activity = [
            ActivityShareType(kind=ActivityKind(k), lines=v)
            for k, v in sorted(row.activity_breakdown.items())
        ]
        fields = columns(cls, row, _USER_STAT_COLUMNS, activity_breakdown=activity)
        return cls(id=strawberry.ID(ids.encode("UserRepoStat", row.uid)), **fields)


# GraphQL name -> the table's column, where they differ.
_USER_STAT_COLUMNS = {
    "share_percent": "user_stats_percentages",
    "commits_per_week": "commit_frequency",
    "role": "user_role",
}


@strawberry.type(name="Skill", description="A skill of the catalogue that the user's work shows.")
class SkillType(NodeType):
    name: str = strawberry.field(description="The skill, e.g. Python or Testing.")
    category: SkillCategory = strawberry.field(description="What kind of skill it is.")
    _pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.Skill) -> Self:
        return cls.of(row.uid, row.name, row.category, row.id)

    @classmethod
    def of(cls, uid: str, name: str, category: str, pk: int) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Skill", uid)),
            name=name,
            category=SkillCategory(category),
            _pk=pk,
        )

    @strawberry.field(description="Where this skill shows, strongest first, a page at a time.")
    async def projects(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[ProjectSkillType]:
        loader = info.context.loaders.project_skills_by_skill
        convert = ProjectSkillType.from_model
        return await children(info, loader, self._pk, convert, first, after, kind="Skill.projects")


@strawberry.type
class _SkillLink:
    """Shared fields of the rows that tie a skill to a project (not itself in the schema).

    `skill` is a plain attribute: every query that reads these rows joins the skill in
    (queries.children_by_project), so no field waits on a loader per row."""

    skill: SkillType = strawberry.field(description="The skill.")
    proficiency: float = strawberry.field(
        description="How proficient the work shows the user to be, 0..1."
    )
    level: Level | None = strawberry.field(description="The proficiency as a level.")
    evidence: list[str] = strawberry.field(description="What the skill was found in.")
    _project_id: strawberry.Private[int]

    @strawberry.field(description="The project the skill shows in.")
    async def project(self, info: Info) -> RepoStatType:
        row = await info.context.loaders.project_by_id.load(self._project_id)
        return RepoStatType.from_model(found(row, "project"))


# A row that ties a skill to a project: the ORM's, or a plain row of a loader's with the skill's
# columns joined in (queries.child_rows_by_project).
SkillLinkRow = models.ProjectSkill | models.UserProjectSkill | Row[Any]


def _skill_of(row: SkillLinkRow) -> SkillType:
    if isinstance(row, Row):
        return SkillType.of(row.skill_uid, row.skill_name, row.skill_category, row.skill_id)
    return SkillType.from_model(row.skill)


def _skill_link(row: SkillLinkRow) -> dict[str, Any]:
    return {
        "skill": _skill_of(row),
        "proficiency": row.proficiency,
        "level": Level(row.level) if row.level else None,
        "evidence": row.evidence,
        "_project_id": row.repo_stat_id,
    }


@strawberry.type(name="ProjectSkill", description="A skill a project shows.")
class ProjectSkillType(_SkillLink, NodeType):
    weight: float = strawberry.field(
        description="How central the skill is to the project's work, 0..1."
    )

    @classmethod
    def from_model(cls, row: models.ProjectSkill | Row[Any]) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("ProjectSkill", row.uid)),
            weight=row.weight,
            **_skill_link(row),
        )


@strawberry.type(
    name="UserProjectSkill", description="A skill the user's own work in a project shows."
)
class UserProjectSkillType(_SkillLink, NodeType):
    user_email: str = strawberry.field(description="The identity (email) the work is under.")

    @classmethod
    def from_model(cls, row: models.UserProjectSkill | Row[Any]) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("UserProjectSkill", row.uid)),
            user_email=row.user_email,
            **_skill_link(row),
        )


@strawberry.type(name="Evidence", description="A piece of evidence about a project.")
class EvidenceType(NodeType):
    type: EvidenceKind = strawberry.field(description="What it is.")
    content: str = strawberry.field(description="The evidence, for people.")
    source: str = strawberry.field(
        description="Where it comes from: git_history, file_tree, manifests, languages, "
        "health, ranking, or user."
    )
    date: dt.date | None = strawberry.field(description="The date the evidence is as of.")
    origin: EvidenceOrigin = strawberry.field(
        description="Mined (replaced by mining again) or added by you."
    )

    @classmethod
    def from_model(cls, row: models.ProjectEvidence | Row[Any]) -> Self:
        fields = columns(cls, row, type=EvidenceKind(row.type), origin=EvidenceOrigin(row.origin))
        return cls(id=strawberry.ID(ids.encode("Evidence", row.uid)), **fields)


@strawberry.type(name="ResumeItem", description="One item of the resume, about a project.")
class ResumeItemType(NodeType):
    title: str = strawberry.field(description="The item's title.")
    content: str = strawberry.field(description="The item's text.")
    category: ResumeCategory = strawberry.field(description="The resume section it goes in.")
    position: int = strawberry.field(description="Its place in the project's items, from 0.")
    edited: bool = strawberry.field(
        description="Changed or written by you: regenerating the resume keeps it as it is."
    )

    @classmethod
    def from_model(cls, row: models.ResumeItem | Row[Any]) -> Self:
        fields = columns(cls, row, category=ResumeCategory(row.category))
        return cls(id=strawberry.ID(ids.encode("ResumeItem", row.uid)), **fields)


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

    project_name: str = strawberry.field(description="The project's name (its folder's).")
    project_path: str = strawberry.field(
        description="Its path in the uploads, starting with the upload's name."
    )
    kind: ProjectKind = strawberry.field(description="A repository or a plain folder.")
    root_commit: str | None = strawberry.field(
        description="The first commit's hash (the repository's identity); null for a folder."
    )
    head_commit: str | None = strawberry.field(
        description="The hash of HEAD when mined; null for a folder."
    )
    shallow: bool = strawberry.field(
        description="History cut short (a shallow clone, or a `shallow` file in the upload): "
        "commits, dates and shares describe only the history that was uploaded."
    )
    is_collaborative: bool = strawberry.field(description="More than one author.")
    languages: list[str] = strawberry.field(description="Its languages, by share of bytes.")
    primary_language: str | None = strawberry.field(description="Its largest language.")
    first_commit: dt.datetime | None = strawberry.field(description="The first commit's date.")
    last_commit: dt.datetime | None = strawberry.field(description="The last commit's date.")
    total_commits: int = strawberry.field(description="Commits in all (merges left out).")
    ranking_score: float | None = strawberry.field(
        description="Its ranking score, 0..1; null until ranked (and when deleted)."
    )
    ranking_position: int | None = strawberry.field(
        description="Its place in the portfolio's ranking, from 1; null until ranked."
    )
    ranked_at: dt.datetime | None = strawberry.field(description="When it was last ranked.")
    health_score: float | None = strawberry.field(
        description="Its health (tests, CI, documentation, ...), 0..100."
    )
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
    deleted_at: dt.datetime | None = strawberry.field(
        description="When it was soft-deleted (`deleteProject`); null if it is not."
    )
    created_at: dt.datetime = strawberry.field(description="When it was first mined.")
    _pk: strawberry.Private[int]
    _portfolio_id: strawberry.Private[str]
    _row: strawberry.Private[models.RepoStat]

    @classmethod
    def from_model(cls, row: models.RepoStat) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("RepoStat", row.uid)),
            **columns(
                cls,
                row,
                kind=ProjectKind(row.kind),
                role_overridden=row.user_role_override is not None,
            ),
            _pk=row.id,
            _portfolio_id=row.portfolio_id,
            _row=row,
        )

    @strawberry.field(description="Who worked on it.")
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
        batch = await info.context.loaders.user_stats_by_project.load((self._pk, 1))
        return batch.rows[0].user_role if batch.rows else None

    @strawberry.field(description="Every summary written of it, newest first, a page at a time.")
    async def summaries(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[SummaryType]:
        loader = info.context.loaders.summaries_by_project
        convert = SummaryType.from_model
        return await children(
            info, loader, self._pk, convert, first, after, kind="RepoStat.summaries"
        )

    @strawberry.field(description="The terms of its health score.")
    def health_components(self) -> list[ScoreComponentType]:
        return [ScoreComponentType.from_dict(c) for c in self._row.health_components]

    @strawberry.field(description="The portfolio it belongs to.")
    async def portfolio(
        self, info: Info
    ) -> Annotated[PortfolioType, strawberry.lazy("graphql_api.schema.portfolio")]:
        from graphql_api.schema.portfolio import PortfolioType

        row = await info.context.loaders.portfolio_by_id.load(self._portfolio_id)
        return PortfolioType.from_model(found(row, "portfolio"))

    @strawberry.field(description="Languages by share of bytes at HEAD. " + FIRST_OF_LIST)
    def language_percentages(self, info: Info, first: First = None) -> list[LanguageShareType]:
        return _language_shares(self._row)[: list_size(info, first)]

    @strawberry.field(description="Frameworks, libraries and tools it uses. " + FIRST_OF_LIST)
    def frameworks(self, info: Info, first: First = None) -> list[FrameworkType]:
        return _frameworks(self._row)[: list_size(info, first)]

    @strawberry.field(description="Its skills, strongest first, a page at a time.")
    async def skills(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[ProjectSkillType]:
        loader = info.context.loaders.project_skills_by_project
        return await children(
            info,
            loader,
            self._pk,
            ProjectSkillType.from_model,
            first,
            after,
            kind="RepoStat.skills",
        )

    @strawberry.field(
        description="The user's own skills in this project (collaborative work), a page at a time."
    )
    async def user_skills(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[UserProjectSkillType]:
        loader = info.context.loaders.user_project_skills_by_project
        return await children(
            info,
            loader,
            self._pk,
            UserProjectSkillType.from_model,
            first,
            after,
            kind="RepoStat.userSkills",
        )

    @strawberry.field(description="Evidence about it, by type, a page at a time.")
    async def evidence(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[EvidenceType]:
        loader = info.context.loaders.evidence_by_project
        return await children(
            info, loader, self._pk, EvidenceType.from_model, first, after, kind="RepoStat.evidence"
        )

    @strawberry.field(description="Its resume items, in order, a page at a time.")
    async def resume_items(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[ResumeItemType]:
        loader = info.context.loaders.resume_items_by_project
        return await children(
            info,
            loader,
            self._pk,
            ResumeItemType.from_model,
            first,
            after,
            kind="RepoStat.resumeItems",
        )

    @strawberry.field(description="The user's own work in it, per identity, a page at a time.")
    async def user_stats(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[UserRepoStatType]:
        loader = info.context.loaders.user_stats_by_project
        return await children(
            info,
            loader,
            self._pk,
            UserRepoStatType.from_model,
            first,
            after,
            kind="RepoStat.userStats",
        )


async def children(
    info: Info,
    loader: DataLoader[tuple[int, int], Children[R]],
    parent: int,
    convert: Callable[[R], T],
    first: int | None,
    after: str | None,
    *,
    kind: str,
) -> conn.ConnectionType[T]:
    """A page of one parent's children: the batch reads each parent's first rows up to the
    page's end (and their count) in one statement, and the page is cut from them."""
    start = conn.child_start(after, kind)
    size = conn.page_size(first, info.context.settings.max_page_size)
    batch = await loader.load((parent, start + size))
    return conn.child_page(
        batch.rows[start:], batch.total, start=start, size=size, kind=kind, convert=convert
    )


def list_size(info: Info, first: int | None) -> int:
    """The length of a plain list field: `first`, or all up to the page cap."""
    return conn.list_size(first, info.context.settings.max_page_size)
