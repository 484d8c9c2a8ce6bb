"""The root Query. Each root resolver opens its own short session."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graphql_api.db import curation, models, queries
from graphql_api.schema import connection as conn
from graphql_api.schema import ids
from graphql_api.schema.args import After, Before, Id, PageFirst, PageLast
from graphql_api.schema.context import Info
from graphql_api.schema.enums import SkillCategory
from graphql_api.schema.errors import ApiError
from graphql_api.schema.portfolio import (
    AnswerType,
    ConsentType,
    ExportType,
    MiningJobType,
    PortfolioType,
    QuestionType,
)
from graphql_api.schema.types import (
    EvidenceType,
    NodeType,
    ProjectSkillType,
    RepoStatType,
    ResumeItemType,
    SkillType,
    UserProjectSkillType,
    UserRepoStatType,
)

# Which table and GraphQL type a global ID's type name stands for.
NODE_TYPES: dict[str, tuple[type[models.Base], Any]] = {
    "Portfolio": (models.Portfolio, PortfolioType),
    "RepoStat": (models.RepoStat, RepoStatType),
    "UserRepoStat": (models.UserRepoStat, UserRepoStatType),
    "Skill": (models.Skill, SkillType),
    "ProjectSkill": (models.ProjectSkill, ProjectSkillType),
    "UserProjectSkill": (models.UserProjectSkill, UserProjectSkillType),
    "Evidence": (models.ProjectEvidence, EvidenceType),
    "ResumeItem": (models.ResumeItem, ResumeItemType),
    "MiningJob": (models.MiningJob, MiningJobType),
    "Question": (models.Question, QuestionType),
    "Consent": (models.Consent, ConsentType),
    "Export": (models.Export, ExportType),
}


async def load_nodes(info: Info, global_ids: list[strawberry.ID]) -> list[Any]:
    """Many objects by global ID, one query per type named, in the order asked."""
    limit = info.context.settings.max_page_size
    if len(global_ids) > limit:
        raise ApiError(f"at most {limit} ids at once", code="BAD_PAGE_SIZE")
    wanted = [ids.decode(global_id) for global_id in global_ids]
    found: dict[tuple[str, str], Any] = {}
    async with info.context.db.read() as session:
        for type_name in {t for t, _ in wanted if t in NODE_TYPES}:
            model, gql_type = NODE_TYPES[type_name]
            uids = [uid for t, uid in wanted if t == type_name]
            rows: list[Any] = await queries.rows_by_uids(
                session, model, uids, owner_id=info.context.owner_id
            )
            found.update({(type_name, row.uid): gql_type.from_model(row) for row in rows})
    return [found.get(key) for key in wanted]


async def load_node(info: Info, global_id: str, expected: str | None = None) -> Any:
    type_name, uid = ids.decode(global_id, expected)
    if type_name not in NODE_TYPES:
        return None
    model, gql_type = NODE_TYPES[type_name]
    async with info.context.db.read() as session:
        row = await queries.by_uid(session, model, uid, owner_id=info.context.owner_id)
    return None if row is None else gql_type.from_model(row)


Ids = Annotated[
    list[strawberry.ID],
    strawberry.argument(description="Global IDs, at most MAX_PAGE_SIZE (default 100)."),
]


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when there is none.")
    async def node(self, info: Info, id: Id) -> NodeType | None:
        node: NodeType | None = await load_node(info, id)
        return node

    @strawberry.field(
        description="Objects by their global IDs, in the order given; null for "
        "each that is not there."
    )
    async def nodes(self, info: Info, ids: Ids) -> list[NodeType | None]:
        found: list[NodeType | None] = await load_nodes(info, ids)
        return found

    @strawberry.field(description="A portfolio of yours by its ID; null when there is none.")
    async def portfolio(self, info: Info, id: Id) -> PortfolioType | None:
        node: PortfolioType | None = await load_node(info, id, "Portfolio")
        return node

    @strawberry.field(description="Your portfolios, newest first.")
    async def portfolios(
        self,
        info: Info,
        first: PageFirst = None,
        after: After = None,
        last: PageLast = None,
        before: Before = None,
    ) -> conn.ConnectionType[PortfolioType]:
        return await conn.newest_first(
            info.context,
            "portfolios",
            queries.portfolios_page,
            queries.newest_first_cursor,
            first=first,
            after=after,
            last=last,
            before=before,
            convert=PortfolioType.from_model,
        )

    @strawberry.field(description="A project by its ID (deleted projects too).")
    async def project(self, info: Info, id: Id) -> RepoStatType | None:
        node: RepoStatType | None = await load_node(info, id, "RepoStat")
        return node

    @strawberry.field(description="The skills catalogue, by name.")
    async def skills(
        self,
        info: Info,
        first: PageFirst = None,
        after: After = None,
        last: PageLast = None,
        before: Before = None,
        category: Annotated[
            SkillCategory | None, strawberry.argument(description="Only skills of this kind.")
        ] = None,
    ) -> conn.ConnectionType[SkillType]:
        page_of = conn.window(first, after, last, before, info.context.settings.max_page_size)
        kind = f"skills:{category.value if category else ''}"
        start = conn.decode_cursor(page_of.cursor, kind)
        with conn.cursor_checked():
            async with info.context.db.read() as session:
                page = await queries.skills_page(
                    session,
                    owner_id=info.context.owner_id,
                    first=page_of.size,
                    after=start,
                    category=category.value if category else None,
                    backward=page_of.backward,
                )
        return conn.build(
            page,
            convert=SkillType.from_model,
            cursor_of=lambda row: conn.encode_cursor(kind, [row.name]),
            window=page_of,
        )

    @strawberry.field(description="A skill by name (case-insensitive), with its projects.")
    async def skill(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The skill's name.")],
    ) -> SkillType | None:
        async with info.context.db.read() as session:
            row = await queries.skill_by_name(session, name, owner_id=info.context.owner_id)
        return None if row is None else SkillType.from_model(row)

    @strawberry.field(description="A mining job of yours by its ID; null when there is none.")
    async def job(self, info: Info, id: Id) -> MiningJobType | None:
        node: MiningJobType | None = await load_node(info, id, "MiningJob")
        return node

    @strawberry.field(description="The configuration questions, in display order.")
    async def questions(self, info: Info) -> list[QuestionType]:
        async with info.context.db.read() as session:
            rows = await queries.active_questions(session)
        return [QuestionType.from_model(row) for row in rows]

    @strawberry.field(description="Your newest answer to each question you answered.")
    async def answers(self, info: Info) -> list[AnswerType]:
        async with info.context.db.read() as session:
            rows = await curation.latest_answers(session, owner_id=info.context.owner_id)
        return [AnswerType.from_model(answer, question) for answer, question in rows]

    @strawberry.field(description="The consent in force (the newest given); null if none yet.")
    async def consent(self, info: Info) -> ConsentType | None:
        async with info.context.db.read() as session:
            row = await queries.current_consent(session, owner_id=info.context.owner_id)
        return None if row is None else ConsentType.from_model(row)
