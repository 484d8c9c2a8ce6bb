"""Per-request DataLoaders, named `XByYLoader`.

Each batch runs ONE `IN` query in a turn of its own (graphql-core resolves sibling fields
concurrently and one AsyncSession must not be used by two of them at once) and returns results
in key order. The request's Database gives those turns one at a time (see
`Database.serialised`: a turn's session is handed on to the turns queued behind it), so a
request never holds more than one pooled connection.

A list of children is keyed by `(parent id, limit)`: the batch cuts each parent's rows in SQL
at the largest limit asked (a window, which also counts each parent's rows) and every key gets
its own first `limit` with the parent's count (`Children`), which a connection pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Row
from strawberry.dataloader import DataLoader

from graphql_api.db import curation, queries
from graphql_api.db.engine import Database
from graphql_api.db.models import (
    HasId,
    HasRepoStatId,
    MiningJob,
    Portfolio,
    ProjectEvidence,
    ProjectSkill,
    RepoStat,
    RepresentationPrefs,
    ResumeItem,
    UploadedZip,
    UserIntelligenceSummary,
    UserProjectSkill,
    UserRepoStat,
)

M = TypeVar("M")  # a row
R = TypeVar("R", bound=HasId)
C = TypeVar("C", bound=HasRepoStatId)
K = TypeVar("K")


def _one_each(rows: Sequence[M], keys: Sequence[Any], key: Callable[[M], Any]) -> list[M | None]:
    found = {key(row): row for row in rows}
    return [found.get(k) for k in keys]


def _grouped(rows: Sequence[M], keys: Sequence[Any], key: Callable[[M], Any]) -> list[list[M]]:
    groups: dict[Any, list[M]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return [groups.get(k, []) for k in keys]


def _by_id_loader(db: Database, owner_id: int, model: type[R]) -> DataLoader[Any, R | None]:
    async def load(ids: list[Any]) -> list[R | None]:
        async with db.read() as session:
            rows = await queries.rows_by_ids(session, model, ids, owner_id=owner_id)
        return _one_each(rows, ids, lambda row: row.id)

    return DataLoader(load_fn=load)


@dataclass(frozen=True, slots=True)
class Children(Generic[M]):
    """The first rows of one parent's children, and how many children it has in all."""

    rows: list[M]
    total: int


def _shown_loader(
    db: Database, owner_id: int, model: type[HasRepoStatId]
) -> DataLoader[tuple[int, int], Children[Row[Any]]]:
    """Pages of a child table as plain rows of the columns the API shows
    (`queries.child_rows_by_project`)."""

    async def load(keys: list[tuple[int, int]]) -> list[Children[Row[Any]]]:
        async with db.read() as session:
            rows = await queries.child_rows_by_project(
                session, model, _parents(keys), max(limit for _, limit in keys), owner_id=owner_id
            )
        return _firsts(rows, keys, lambda row: row.repo_stat_id)

    return DataLoader(load_fn=load)


def _by_project_loader(
    db: Database, owner_id: int, model: type[C]
) -> DataLoader[tuple[int, int], Children[C]]:
    async def load(keys: list[tuple[int, int]]) -> list[Children[C]]:
        async with db.read() as session:
            rows = await queries.child_pages_by_project(
                session, model, _parents(keys), max(limit for _, limit in keys), owner_id=owner_id
            )
        return _firsts(rows, keys, lambda row: row.repo_stat_id)

    return DataLoader(load_fn=load)


def _parents(keys: Sequence[tuple[Any, int]]) -> list[Any]:
    return list(dict.fromkeys(parent for parent, _ in keys))


def _firsts(
    rows: Sequence[tuple[M, int]], keys: Sequence[tuple[Any, int]], parent: Callable[[M], Any]
) -> list[Children[M]]:
    totals = {parent(row): total for row, total in rows}
    groups = _grouped([row for row, _ in rows], _parents(keys), parent)
    by_parent = dict(zip(_parents(keys), groups, strict=True))
    return [Children(by_parent[key][:limit], totals.get(key, 0)) for key, limit in keys]


@dataclass
class Loaders:
    portfolio_by_id: DataLoader[str, Portfolio | None]
    project_by_id: DataLoader[int, RepoStat | None]
    # Plain rows (queries.SHOWN_COLUMNS) of project_skills, user_project_skills, evidence,
    # resume_items and user_repo_stats.
    project_skills_by_project: DataLoader[tuple[int, int], Children[Row[Any]]]
    user_project_skills_by_project: DataLoader[tuple[int, int], Children[Row[Any]]]
    evidence_by_project: DataLoader[tuple[int, int], Children[Row[Any]]]
    resume_items_by_project: DataLoader[tuple[int, int], Children[Row[Any]]]
    user_stats_by_project: DataLoader[tuple[int, int], Children[Row[Any]]]
    project_skills_by_skill: DataLoader[tuple[int, int], Children[ProjectSkill]]
    latest_job_by_portfolio: DataLoader[str, MiningJob | None]
    project_by_uid: DataLoader[str, RepoStat | None]
    collaboration_by_project: DataLoader[int, dict[str, Any]]
    analysis_stamp_by_portfolio: DataLoader[str, tuple[Any, ...]]
    prefs_by_portfolio: DataLoader[str, RepresentationPrefs | None]
    uploads_by_portfolio: DataLoader[str, list[UploadedZip]]
    summaries_by_project: DataLoader[tuple[int, int], Children[UserIntelligenceSummary]]

    @classmethod
    def create(cls, db: Database, owner_id: int) -> Loaders:
        """Loaders that see `owner_id`'s rows only (each query filters by it)."""

        async def skills_by_skill(keys: list[tuple[int, int]]) -> list[Children[ProjectSkill]]:
            async with db.read() as session:
                rows = await queries.project_skills_by_skill(
                    session, _parents(keys), max(limit for _, limit in keys), owner_id=owner_id
                )
            return _firsts(rows, keys, lambda row: row.skill_id)

        async def latest_jobs(portfolio_ids: list[str]) -> list[MiningJob | None]:
            async with db.read() as session:
                rows = await queries.latest_jobs_by_portfolio(
                    session, portfolio_ids, owner_id=owner_id
                )
            return _one_each(rows, portfolio_ids, lambda row: row.portfolio_id)

        async def projects_by_uid(uids: list[str]) -> list[RepoStat | None]:
            async with db.read() as session:
                rows = await queries.rows_by_uids(session, RepoStat, uids, owner_id=owner_id)
            return _one_each(rows, uids, lambda row: row.uid)

        async def collaborations(project_ids: list[int]) -> list[dict[str, Any]]:
            async with db.read() as session:
                found = dict(
                    await queries.collaboration_by_project(session, project_ids, owner_id=owner_id)
                )
            return [found.get(pid, {}) for pid in project_ids]

        async def stamps(portfolio_ids: list[str]) -> list[tuple[Any, ...]]:
            async with db.read() as session:
                found = await queries.analysis_stamps(session, portfolio_ids, owner_id=owner_id)
            return [found[pid] for pid in portfolio_ids]

        async def prefs(portfolio_ids: list[str]) -> list[RepresentationPrefs | None]:
            async with db.read() as session:
                rows = await curation.prefs_by_portfolio(session, portfolio_ids, owner_id=owner_id)
            return _one_each(rows, portfolio_ids, lambda row: row.portfolio_id)

        async def uploads(portfolio_ids: list[str]) -> list[list[UploadedZip]]:
            async with db.read() as session:
                rows = await curation.uploads_by_portfolio(
                    session, portfolio_ids, owner_id=owner_id
                )
            return _grouped(rows, portfolio_ids, lambda row: row.portfolio_id)

        return cls(
            portfolio_by_id=_by_id_loader(db, owner_id, Portfolio),
            project_by_id=_by_id_loader(db, owner_id, RepoStat),
            project_skills_by_project=_shown_loader(db, owner_id, ProjectSkill),
            user_project_skills_by_project=_shown_loader(db, owner_id, UserProjectSkill),
            evidence_by_project=_shown_loader(db, owner_id, ProjectEvidence),
            resume_items_by_project=_shown_loader(db, owner_id, ResumeItem),
            user_stats_by_project=_shown_loader(db, owner_id, UserRepoStat),
            project_skills_by_skill=DataLoader(load_fn=skills_by_skill),
            latest_job_by_portfolio=DataLoader(load_fn=latest_jobs),
            project_by_uid=DataLoader(load_fn=projects_by_uid),
            collaboration_by_project=DataLoader(load_fn=collaborations),
            analysis_stamp_by_portfolio=DataLoader(load_fn=stamps),
            prefs_by_portfolio=DataLoader(load_fn=prefs),
            uploads_by_portfolio=DataLoader(load_fn=uploads),
            summaries_by_project=_by_project_loader(db, owner_id, UserIntelligenceSummary),
        )
