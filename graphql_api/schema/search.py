"""`search`: one full-text query over the user's projects, skills, evidence and resume items,
ranked, with highlights (graphql_api/db/search.py runs it on either database)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api.db import models, queries
from graphql_api.db import search as fts
from graphql_api.ingest.errors import shown
from graphql_api.schema import connection as conn
from graphql_api.schema import ids
from graphql_api.schema.context import Info
from graphql_api.schema.enums import described
from graphql_api.schema.errors import ApiError
from graphql_api.schema.types import EvidenceType, RepoStatType, ResumeItemType, SkillType

MAX_QUERY = 200  # characters
CURSOR_KIND = "search"


described(
    fts.HitKind,
    "SearchKind",
    "What a search hit is.",
    {
        "PROJECT": "A project (its name, primary language, summary).",
        "SKILL": "A skill one of the projects shows (its name, category).",
        "EVIDENCE": "An evidence entry of a project.",
        "RESUME_ITEM": "A resume item of a project (its title, content).",
    },
)


@strawberry.type(name="HighlightSegment", description="A piece of a hit's highlighted text.")
class HighlightSegmentType:
    text: str = strawberry.field(description="The text of the piece, as stored.")
    matched: bool = strawberry.field(description="Whether the piece matched the query.")


@strawberry.interface(
    name="SearchHit",
    description="One result of `search`: what matched, how well, and where in its text.",
)
class SearchHitType:
    kind: fts.HitKind = strawberry.field(description="What the hit is.")
    score: float = strawberry.field(
        description="How well it matched, higher is better: comparable within one search "
        "only (bm25 on SQLite, ts_rank on PostgreSQL)."
    )
    highlight: list[HighlightSegmentType] = strawberry.field(
        description="The best-matching passage of its text, the matched words marked."
    )


@strawberry.type(name="ProjectHit", description="A project that matched.")
class ProjectHitType(SearchHitType):
    project: RepoStatType = strawberry.field(description="The project.")


@strawberry.type(name="SkillHit", description="A skill that matched.")
class SkillHitType(SearchHitType):
    skill: SkillType = strawberry.field(description="The skill.")


@strawberry.type(name="EvidenceHit", description="An evidence entry that matched.")
class EvidenceHitType(SearchHitType):
    evidence: EvidenceType = strawberry.field(description="The evidence entry.")
    project: RepoStatType = strawberry.field(description="The project it belongs to.")


@strawberry.type(name="ResumeItemHit", description="A resume item that matched.")
class ResumeItemHitType(SearchHitType):
    resume_item: ResumeItemType = strawberry.field(description="The resume item.")
    project: RepoStatType = strawberry.field(description="The project it belongs to.")


HIT_TYPES = [ProjectHitType, SkillHitType, EvidenceHitType, ResumeItemHitType]
_MODELS: dict[fts.HitKind, type[models.HasId]] = {
    fts.HitKind.PROJECT: models.RepoStat,
    fts.HitKind.SKILL: models.Skill,
    fts.HitKind.EVIDENCE: models.ProjectEvidence,
    fts.HitKind.RESUME_ITEM: models.ResumeItem,
}


def search_terms(query: str) -> list[str]:
    """The query's words and phrases; BAD_SEARCH_QUERY when too long or without any."""
    if len(query) > MAX_QUERY:
        raise ApiError(f"a search is at most {MAX_QUERY} characters", code="BAD_SEARCH_QUERY")
    terms = fts.terms_of(query)
    if not terms:
        raise ApiError(f"search {shown(query)} has no words", code="BAD_SEARCH_QUERY")
    return terms


def _offset(after: str | None) -> int:
    values = conn.decode_cursor(after, CURSOR_KIND)
    if values is None:
        return 0
    if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
        raise ApiError("cursor does not belong to this listing", code="BAD_CURSOR")
    return int(values[0])


_Found = dict[tuple[fts.HitKind, int], Any]  # rows by (kind, id)


async def _rows(info: Info, hits: Sequence[fts.Hit]) -> _Found:
    """The rows the hits name, and the projects of evidence and resume items, one query per
    kind (owner-filtered like every read)."""
    owner = info.context.owner_id
    found: _Found = {}
    async with info.context.db.read() as session:
        for kind, model in _MODELS.items():
            wanted = [hit.row_id for hit in hits if hit.kind is kind]
            found.update(await _keyed(session, kind, model, wanted, owner))
        parents = _unread_projects(found)
        found.update(await _keyed(session, fts.HitKind.PROJECT, models.RepoStat, parents, owner))
    return found


async def _keyed(
    session: AsyncSession,
    kind: fts.HitKind,
    model: type[models.HasId],
    ids: list[int],
    owner_id: int,
) -> _Found:
    """The owner's rows of `model` with these ids, by (kind, id); no query for no ids."""
    if not ids:
        return {}
    rows = await queries.rows_by_ids(session, model, ids, owner_id=owner_id)
    return {(kind, row.id): row for row in rows}


def _unread_projects(found: _Found) -> list[int]:
    """The projects of the evidence and resume items found that no project hit read."""
    under_project = (fts.HitKind.EVIDENCE, fts.HitKind.RESUME_ITEM)
    parents = {row.repo_stat_id for (kind, _), row in found.items() if kind in under_project}
    return list(parents - {row_id for kind, row_id in found if kind is fts.HitKind.PROJECT})


def _hit(hit: fts.Hit, rows: _Found) -> SearchHitType | None:
    row = rows.get((hit.kind, hit.row_id))
    if row is None:  # deleted between the search and this read
        return None
    common: dict[str, Any] = {
        "kind": hit.kind,
        "score": hit.score,
        "highlight": [
            HighlightSegmentType(text=t, matched=m) for t, m in fts.segments(hit.snippet)
        ],
    }
    if hit.kind is fts.HitKind.PROJECT:
        return ProjectHitType(project=RepoStatType.from_model(row), **common)
    if hit.kind is fts.HitKind.SKILL:
        return SkillHitType(skill=SkillType.from_model(row), **common)
    project = rows.get((fts.HitKind.PROJECT, row.repo_stat_id))
    if project is None:
        return None
    if hit.kind is fts.HitKind.EVIDENCE:
        return EvidenceHitType(
            evidence=EvidenceType.from_model(row),
            project=RepoStatType.from_model(project),
            **common,
        )
    return ResumeItemHitType(
        resume_item=ResumeItemType.from_model(row),
        project=RepoStatType.from_model(project),
        **common,
    )


QueryArg = Annotated[
    str,
    strawberry.argument(
        description='Words to find, every one required; a "quoted phrase" must appear as '
        "written. English words match their other forms (tests, testing). Operators are "
        f"not interpreted: they are searched as text. At most {MAX_QUERY} characters."
    ),
]
KindsArg = Annotated[
    list[fts.HitKind] | None,
    strawberry.argument(description="Only hits of these kinds (all kinds when left out)."),
]
PortfolioArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Only what belongs to this portfolio (all of yours when left out)."
    ),
]
FirstArg = Annotated[int | None, strawberry.argument(description="Hits per page.")]
AfterArg = Annotated[
    str | None, strawberry.argument(description="The cursor of the hit to continue after.")
]


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Your projects, skills, evidence and resume items that match the query, "
        "best first (ties by kind, then age), each with a highlighted passage. Deleted "
        "projects and what belongs to them are left out."
    )
    async def search(
        self,
        info: Info,
        query: QueryArg,
        kinds: KindsArg = None,
        portfolio_id: PortfolioArg = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> conn.ConnectionType[SearchHitType]:
        terms = search_terms(query)
        size = conn.page_size(first, info.context.settings.max_page_size)
        offset = _offset(after)
        portfolio = None if portfolio_id is None else ids.decode(portfolio_id, "Portfolio")[1]
        wanted = kinds or list(fts.HitKind)
        async with info.context.db.read() as session:
            found = await fts.search(
                session,
                terms,
                list(dict.fromkeys(wanted)),
                owner_id=info.context.owner_id,
                portfolio_id=portfolio,
                offset=offset,
                limit=size + 1,
            )
        shown_hits = found.hits[:size]
        rows = await _rows(info, shown_hits)
        nodes, cursors = [], []
        for n, hit in enumerate(shown_hits):
            node = _hit(hit, rows)
            if node is not None:
                nodes.append(node)
                cursors.append(conn.encode_cursor(CURSOR_KIND, [offset + n + 1]))
        return conn.ConnectionType.of(
            nodes,
            cursors.__getitem__,
            has_next=len(found.hits) > size,
            has_previous=offset > 0,
            total=found.total,
        )
