"""Read queries: the only place `select()` is written for the API.

Every function takes the session it runs in; callers own the session's lifetime (one short
session per root resolver or DataLoader batch). Batch functions take many keys and run one
`IN` query.

Owners are kept apart here, in SQL: every function that reads someone's rows takes a required
keyword `owner_id` and adds `owned_by(model, owner_id)` to its WHERE clause, so a caller that
forgets the owner does not type-check, and another owner's row is simply not found (the same
answer as a missing one). Only the shared tables (questions, the skill names themselves) and
the server's own bookkeeping (tokens, owners, jobs to resume) are read without one.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased, joinedload, undefer
from sqlalchemy.sql.elements import BindParameter

from graphql_api.db.models import (
    ApiToken,
    AuditEntry,
    Base,
    Consent,
    HasId,
    HasRepoStatId,
    MiningJob,
    Owner,
    Portfolio,
    ProjectEvidence,
    ProjectSkill,
    PublicId,
    Question,
    RepoStat,
    RepresentationPrefs,
    ResumeItem,
    Skill,
    StoredUpload,
    UploadedZip,
    UserAnswer,
    UserIntelligenceSummary,
    UserProjectSkill,
    UserRepoStat,
)
from graphql_api.db.states import ACTIVE
from graphql_api.db.types import UTCDateTime

M = TypeVar("M", bound=Base)
R = TypeVar("R", bound=HasId)
C = TypeVar("C", bound=HasRepoStatId)
T = TypeVar("T")
_Owned = TypeVar("_Owned", Portfolio, AuditEntry)  # listed newest first by keyset


class ProjectOrder(enum.Enum):
    RANKING = "RANKING"  # the ranking's order (scores and preferences); unranked projects last
    RECENT = "RECENT"  # latest commit first (projects without commits: by when added)
    COMMITS = "COMMITS"  # most commits first
    NAME = "NAME"  # by name, case-insensitively


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    language: str | None = None
    framework: str | None = None
    skill: str | None = None
    include_deleted: bool = False


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    has_next: bool
    total: int


class BadCursor(ValueError):
    """A cursor whose values do not fit the listing (the API answers BAD_CURSOR)."""


def owned_by(model: type[object], owner_id: int | BindParameter[Any]) -> ColumnElement[bool]:
    """The condition that a row of `model` is `owner_id`'s: its own owner column; the owner
    of its project for rows under a project; for a skill of the shared catalogue, that one of
    the owner's projects shows it."""
    if model is Skill:
        return exists().where(
            ProjectSkill.skill_id == Skill.id,
            ProjectSkill.repo_stat_id == RepoStat.id,
            RepoStat.owner_id == owner_id,
        )
    if model is Question:
        return true()  # the configuration questions are the same for everyone
    owner_column = getattr(model, "owner_id", None)
    if owner_column is not None:
        return cast(ColumnElement[bool], owner_column == owner_id)
    project_column = getattr(model, "repo_stat_id", None)
    if project_column is not None:
        return exists().where(RepoStat.id == project_column, RepoStat.owner_id == owner_id)
    raise TypeError(f"{model.__name__} rows have no owner")


# --- keyset pagination -------------------------------------------------------------------

_UNRANKED = 2**31 - 1  # sorts after every ranking position


def _project_sort_key(order: ProjectOrder) -> tuple[Any, bool]:
    """The sort expression of an ordering and whether it runs descending; `id` breaks ties."""
    if order is ProjectOrder.RANKING:
        return func.coalesce(RepoStat.ranking_position, _UNRANKED), False
    if order is ProjectOrder.RECENT:
        return func.coalesce(RepoStat.last_commit, RepoStat.created_at), True
    if order is ProjectOrder.COMMITS:
        return RepoStat.total_commits, True
    return func.lower(RepoStat.project_name), False


def project_cursor_values(row: RepoStat, order: ProjectOrder) -> list[Any]:
    """What a cursor must hold to resume after `row` in `order` (JSON-able)."""
    if order is ProjectOrder.RANKING:
        value: Any = _UNRANKED if row.ranking_position is None else row.ranking_position
    elif order is ProjectOrder.RECENT:
        value = (row.last_commit or row.created_at).isoformat()
    elif order is ProjectOrder.COMMITS:
        value = row.total_commits
    else:
        value = row.project_name  # lower-cased by the database, as in the ORDER BY
    return [value, row.uid]  # the random uid breaks ties: a cursor shows no row count


def _after(
    order: ProjectOrder, values: Sequence[Any], backward: bool = False
) -> ColumnElement[bool]:
    """The rows beyond the cursor's: after it in `order`, or before it when `backward`."""
    key, descending = _project_sort_key(order)
    try:
        raw, last_uid = values
        if order is ProjectOrder.RECENT:
            bound: Any = literal(_aware(raw), UTCDateTime)
        elif order is ProjectOrder.NAME:
            bound = func.lower(literal(str(raw)))  # folded by the same function as the key
        else:
            bound = _finite(raw)
        last_uid = str(last_uid)
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadCursor(f"cursor values {values!r} do not fit the {order.value} order") from exc
    beyond = key < bound if descending != backward else key > bound
    tie = RepoStat.uid < last_uid if backward else RepoStat.uid > last_uid
    return or_(beyond, and_(key == bound, tie))


def _aware(raw: Any) -> datetime:
    """A cursor's timestamp; a naive one would fail when bound, not here (UTCDateTime)."""
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(f"{value} has no time zone")
    return value


def _finite(raw: Any) -> float:
    value = float(raw)
    if not math.isfinite(value):  # "nan" and "inf" are strings float() takes
        raise ValueError(f"{value} is not a position or a count")
    return value


def _project_conditions(owner_id: int, portfolio_id: str | None, filt: ProjectFilter) -> list[Any]:
    conditions: list[Any] = [RepoStat.owner_id == owner_id]
    if portfolio_id is not None:
        conditions.append(RepoStat.portfolio_id == portfolio_id)
    if not filt.include_deleted:
        conditions.append(RepoStat.deleted_at.is_(None))
    if filt.language:
        conditions.append(
            or_(
                func.lower(RepoStat.primary_language) == filt.language.lower(),
                _has_skill(filt.language, ("languages",)),
            )
        )
    if filt.framework:
        conditions.append(_has_skill(filt.framework, ("frameworks", "libraries")))
    if filt.skill:
        conditions.append(_has_skill(filt.skill, None))
    return conditions


def _has_skill(name: str, categories: tuple[str, ...] | None) -> ColumnElement[bool]:
    match = [
        ProjectSkill.repo_stat_id == RepoStat.id,
        ProjectSkill.skill_id == Skill.id,
        func.lower(Skill.name) == name.lower(),
    ]
    if categories is not None:
        match.append(Skill.category.in_(categories))
    return exists().where(*match)


async def projects_page(
    session: AsyncSession,
    *,
    owner_id: int,
    portfolio_id: str | None,
    filt: ProjectFilter,
    order: ProjectOrder,
    first: int,
    after: Sequence[Any] | None,
    backward: bool = False,
) -> Page[RepoStat]:
    """One page of projects by keyset (no OFFSET), plus the total matching the filter:
    `first` rows after the cursor `after`, or, `backward`, the last `first` rows before it
    (in the listing's order either way; `has_next` then says there are more before)."""
    conditions = _project_conditions(owner_id, portfolio_id, filt)
    total = select(func.count()).select_from(RepoStat).where(*conditions)
    key, descending = _project_sort_key(order)
    if after:
        conditions.append(_after(order, after, backward))
    down = descending != backward
    stmt = (
        select(RepoStat)
        .where(*conditions)
        .order_by(key.desc() if down else key.asc(), _toward(RepoStat.uid, backward))
        .limit(first + 1)
    )
    return await _counted_page(session, stmt, total, first, backward)


def _toward(column: Any, backward: bool) -> Any:
    return column.desc() if backward else column.asc()


async def _counted_page(
    session: AsyncSession, stmt: Select[M], total: Select[int], first: int, backward: bool = False
) -> Page[M]:
    """The rows of `stmt` (`first` + 1 at most) and the count of `total`, in one statement:
    the count rides along as a column (an uncorrelated subquery, computed once). A page past
    the end has no row to carry it and is counted apart."""
    counted = stmt.add_columns(total.scalar_subquery().label("_total"))
    found = (await session.execute(counted)).all()
    rows = [row[0] for row in found]
    count = found[0][1] if found else await session.scalar(total)
    kept = rows[:first]
    if backward:  # read from the cursor backwards: put back in the listing's order
        kept.reverse()
    return Page(rows=kept, has_next=len(rows) > first, total=count or 0)


async def portfolios_page(
    session: AsyncSession,
    *,
    owner_id: int,
    first: int,
    after: Sequence[Any] | None,
    backward: bool = False,
) -> Page[Portfolio]:
    """The owner's newest portfolios first, by keyset on (created_at, id); `after` is
    `newest_first_cursor` of the last row seen (of the first, `backward`)."""
    return await _newest_first(
        session, Portfolio, Portfolio.id, owner_id, first, after, "the portfolio listing", backward
    )


async def _newest_first(
    session: AsyncSession,
    model: type[_Owned],
    tiebreak: InstrumentedAttribute[str],
    owner_id: int,
    first: int,
    after: Sequence[Any] | None,
    listing: str,
    backward: bool = False,
) -> Page[_Owned]:
    """The owner's rows of `model`, newest first, by keyset on (created_at, tiebreak);
    `after` is the (ISO time, tiebreak) of the last row seen (of the first, `backward`)."""
    mine = model.owner_id == owner_id
    total = select(func.count()).select_from(model).where(mine)
    newer = _toward(model.created_at, not backward), _toward(tiebreak, not backward)
    stmt = select(model).where(mine).order_by(*newer).limit(first + 1)
    if after is not None:
        try:
            created = literal(_aware(after[0]), UTCDateTime)
            last = str(after[1])
        except (TypeError, ValueError, IndexError) as exc:
            raise BadCursor(f"cursor values {after!r} do not fit {listing}") from exc
        if backward:
            beyond = or_(
                model.created_at > created, and_(model.created_at == created, tiebreak > last)
            )
        else:
            beyond = or_(
                model.created_at < created, and_(model.created_at == created, tiebreak < last)
            )
        stmt = stmt.where(beyond)
    return await _counted_page(session, stmt, total, first, backward)


def newest_first_cursor(row: Portfolio | AuditEntry) -> list[Any]:
    """The cursor values of a row of a newest-first listing (`_newest_first`)."""
    return [row.created_at.isoformat(), row.id if isinstance(row, Portfolio) else row.uid]


def _shown_in_live_project(owner_id: int) -> ColumnElement[bool]:
    return exists().where(
        ProjectSkill.skill_id == Skill.id,
        ProjectSkill.repo_stat_id == RepoStat.id,
        RepoStat.owner_id == owner_id,
        RepoStat.deleted_at.is_(None),
    )


async def skills_page(
    session: AsyncSession,
    *,
    owner_id: int,
    first: int,
    after: Sequence[Any] | None,
    category: str | None,
    backward: bool = False,
) -> Page[Skill]:
    """The skills the owner's live projects show, by name (a soft-deleted project's skills,
    hidden skills among them, are not listed); the `first` before `after` (the name of the
    last skill seen), `backward`."""
    conditions = [owned_by(Skill, owner_id), _shown_in_live_project(owner_id)]
    if category:
        conditions.append(Skill.category == category)
    total = select(func.count()).select_from(Skill).where(*conditions)
    if after is not None:
        if len(after) != 1 or not isinstance(after[0], str):  # else PostgreSQL fails on it
            raise BadCursor(f"cursor values {after!r} do not fit the skills by name")
        name = after[0]
        conditions.append(Skill.name < name if backward else Skill.name > name)
    stmt = select(Skill).where(*conditions).order_by(_toward(Skill.name, backward))
    return await _counted_page(session, stmt.limit(first + 1), total, first, backward)


# --- single rows ---------------------------------------------------------------------------


def _public_id(model: type[Base]) -> InstrumentedAttribute[str]:
    """The column of a row's public id: a portfolio's primary key, any other row's `uid`."""
    if model is Portfolio:
        return Portfolio.id
    if issubclass(model, PublicId):
        return model.uid
    raise TypeError(f"{model.__name__} rows have no public id")


async def by_uid(session: AsyncSession, model: type[M], uid: str, *, owner_id: int) -> M | None:
    """The owner's row of `model` with this public id (a portfolio's is its primary key)."""
    stmt = (
        select(model)
        .where(_public_id(model) == uid, owned_by(model, owner_id))
        .options(*_related(model))
    )
    return (await session.scalars(stmt)).one_or_none()


async def skill_by_name(session: AsyncSession, name: str, *, owner_id: int) -> Skill | None:
    stmt = select(Skill).where(
        func.lower(Skill.name) == name.lower(),
        owned_by(Skill, owner_id),
        _shown_in_live_project(owner_id),
    )
    return (await session.scalars(stmt)).one_or_none()


async def active_questions(session: AsyncSession) -> list[Question]:
    stmt = select(Question).where(Question.is_active).order_by(Question.order, Question.id)
    return list((await session.scalars(stmt)).all())


async def current_consent(session: AsyncSession, owner_id: int) -> Consent | None:
    stmt = (
        select(Consent)
        .where(Consent.owner_id == owner_id)
        .order_by(Consent.accepted_at.desc(), Consent.id.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).one_or_none()


# --- batches for DataLoaders ---------------------------------------------------------------


async def rows_by_ids(
    session: AsyncSession, model: type[R], ids: Sequence[Any], *, owner_id: int
) -> list[R]:
    stmt = select(model).where(model.id.in_(ids), owned_by(model, owner_id))
    return list((await session.scalars(stmt)).all())


async def rows_by_uids(
    session: AsyncSession, model: type[M], uids: Sequence[str], *, owner_id: int
) -> list[M]:
    stmt = select(model).where(_public_id(model).in_(uids), owned_by(model, owner_id))
    return list((await session.scalars(stmt)).all())


async def children_by_project(
    session: AsyncSession,
    model: type[C],
    project_ids: Sequence[int],
    limit: int | None = None,
    *,
    owner_id: int,
) -> list[C]:
    """Rows of a per-project table (skills, evidence, resume items, user stats) for many of
    the owner's projects at once, in a stable order: at most `limit` per project when given."""
    if limit is not None:
        pages = await child_pages_by_project(session, model, project_ids, limit, owner_id=owner_id)
        return [row for row, _ in pages]
    order = _CHILD_ORDER.get(model, (model.id,))
    conditions = [model.repo_stat_id.in_(project_ids), owned_by(model, owner_id)]
    stmt = select(model).where(*conditions).order_by(*order)
    return list((await session.scalars(stmt.options(*_related(model)))).all())


async def child_pages_by_project(
    session: AsyncSession, model: type[C], project_ids: Sequence[int], limit: int, *, owner_id: int
) -> list[tuple[C, int]]:
    """The first `limit` rows per project of a per-project table, each with its project's
    count of rows (for a connection's `totalCount`), in one statement."""
    return await _first_of_each(session, _children_window(model), project_ids, limit, owner_id)


# The values a window statement runs with: built once per table (below), such a statement is
# compiled once by SQLAlchemy (its cache is keyed by structure) and costs nothing to build.
_PARENTS: BindParameter[Any] = bindparam("parents", expanding=True)
_OWNER: BindParameter[Any] = bindparam("owner_id")
_LIMIT: BindParameter[Any] = bindparam("limit")


async def _first_of_each(
    session: AsyncSession, stmt: Select[Any], parents: Sequence[Any], limit: int, owner_id: int
) -> list[tuple[Any, int]]:
    values = {"parents": list(parents), "owner_id": owner_id, "limit": limit}
    return [(found, count) for found, count in (await session.execute(stmt, values)).all()]


async def child_rows_by_project(
    session: AsyncSession,
    model: type[HasRepoStatId],
    project_ids: Sequence[int],
    limit: int,
    *,
    owner_id: int,
) -> list[tuple[Row[Any], int]]:
    """`child_pages_by_project` as plain rows (no ORM objects) of the columns the API reads
    (`SHOWN_COLUMNS`), a skill link's skill joined in as `skill_uid`, `skill_name` and
    `skill_category`: a dashboard reads hundreds of such rows, which cost several times as
    much as ORM objects, with every column decoded."""
    values = {"parents": list(project_ids), "owner_id": owner_id, "limit": limit}
    connection = await session.connection()  # Core rows: nothing for the ORM to load
    found = (await connection.execute(_shown_window(model), values)).all()
    return [(row, row[-1]) for row in found]


# The columns of each child table that the API reads (besides `repo_stat_id`).
SHOWN_COLUMNS: dict[type[object], tuple[str, ...]] = {
    ProjectSkill: ("uid", "skill_id", "weight", "proficiency", "level", "evidence"),
    UserProjectSkill: ("uid", "skill_id", "user_email", "proficiency", "level", "evidence"),
    ProjectEvidence: ("uid", "type", "content", "source", "date", "origin"),
    ResumeItem: ("uid", "title", "content", "category", "position", "edited"),
    UserRepoStat: (
        *("uid", "user_email", "first_commit", "last_commit", "total_commits"),
        *("user_stats_percentages", "commit_frequency", "lines_added", "lines_deleted"),
        *("activity_breakdown", "user_role"),
    ),
}


@functools.cache
def _shown_window(model: type[HasRepoStatId]) -> Select[Any]:
    order = _CHILD_ORDER.get(model, (model.id,))
    conditions = [model.repo_stat_id.in_(_PARENTS), owned_by(model, _OWNER)]
    shown = [getattr(model, name) for name in ("repo_stat_id", *SHOWN_COLUMNS[model])]
    position = (
        func.row_number()
        .over(partition_by=model.repo_stat_id, order_by=list(order))
        .label("_row_number")
    )
    total = func.count().over(partition_by=model.repo_stat_id).label("_total")
    ranked = select(*shown, position, total).where(*conditions).subquery()
    picked = [ranked.c[name] for name in ("repo_stat_id", *SHOWN_COLUMNS[model])]
    stmt = select(*picked)
    if model is ProjectSkill or model is UserProjectSkill:
        stmt = stmt.add_columns(
            Skill.uid.label("skill_uid"), Skill.name.label("skill_name"),
            Skill.category.label("skill_category"),
        ).join(Skill, Skill.id == ranked.c.skill_id)  # fmt: skip
    stmt = stmt.add_columns(ranked.c._total).where(ranked.c._row_number <= _LIMIT)
    return stmt.order_by(ranked.c._row_number)


@functools.cache
def _children_window(model: type[HasRepoStatId]) -> Select[Any]:
    order = _CHILD_ORDER.get(model, (model.id,))
    conditions = [model.repo_stat_id.in_(_PARENTS), owned_by(model, _OWNER)]
    return _window(model, model.repo_stat_id, order, conditions)


def _window(
    model: type[object], parent: Any, order: Sequence[Any], conditions: Sequence[Any]
) -> Select[Any]:
    """The first `limit` rows per `parent` value in `order`, cut in SQL (a window), so a
    parent with many rows never loads them all; each with its parent's count of rows."""
    position = (
        func.row_number().over(partition_by=parent, order_by=list(order)).label("_row_number")
    )
    total = func.count().over(partition_by=parent).label("_total")
    ranked = select(model, position, total).where(*conditions).subquery()
    row = aliased(model, ranked)
    stmt = (
        select(row, ranked.c._total)
        .where(ranked.c._row_number <= _LIMIT)
        .order_by(ranked.c._row_number)
    )
    return stmt.options(*_related(model, row))


def _related(model: type[object], entity: Any = None) -> tuple[Any, ...]:
    """What is read with a row: the skill of a project's skill row (one JOIN, not a query
    per row), which its GraphQL type shows as a plain field."""
    if model is ProjectSkill or model is UserProjectSkill:
        return (joinedload((entity or model).skill, innerjoin=True),)
    return ()


_CHILD_ORDER: dict[type[object], tuple[Any, ...]] = {
    ProjectSkill: (ProjectSkill.weight.desc(), ProjectSkill.id),
    UserProjectSkill: (UserProjectSkill.proficiency.desc(), UserProjectSkill.id),
    ProjectEvidence: (ProjectEvidence.type, ProjectEvidence.id),
    ResumeItem: (ResumeItem.position, ResumeItem.id),
    UserRepoStat: (UserRepoStat.id,),
    UserIntelligenceSummary: (
        UserIntelligenceSummary.generated_at.desc(),
        UserIntelligenceSummary.id,
    ),
}


async def project_skills_by_skill(
    session: AsyncSession, skill_ids: Sequence[int], limit: int, *, owner_id: int
) -> list[tuple[ProjectSkill, int]]:
    """Where each skill shows in the owner's projects, strongest first, at most `limit` per
    skill (a common skill may show in very many projects), each with the skill's count of
    projects; deleted projects left out."""
    return await _first_of_each(session, _skills_window(), skill_ids, limit, owner_id)


@functools.cache
def _skills_window() -> Select[Any]:
    live = select(RepoStat.id).where(RepoStat.owner_id == _OWNER, RepoStat.deleted_at.is_(None))
    return _window(
        ProjectSkill,
        ProjectSkill.skill_id,
        (ProjectSkill.proficiency.desc(), ProjectSkill.id),
        [ProjectSkill.skill_id.in_(_PARENTS), ProjectSkill.repo_stat_id.in_(live)],
    )


async def latest_jobs_by_portfolio(
    session: AsyncSession, portfolio_ids: Sequence[str], *, owner_id: int
) -> list[MiningJob]:
    newest = (
        select(func.max(MiningJob.id))
        .where(MiningJob.portfolio_id.in_(portfolio_ids), MiningJob.owner_id == owner_id)
        .group_by(MiningJob.portfolio_id)
    )
    return list((await session.scalars(select(MiningJob).where(MiningJob.id.in_(newest)))).all())


async def portfolio_projects(
    session: AsyncSession, portfolio_id: str, *, owner_id: int, include_deleted: bool = False
) -> list[RepoStat]:
    """A portfolio's projects with their mined reports (the deferred `report` column)."""
    conditions = [RepoStat.portfolio_id == portfolio_id, RepoStat.owner_id == owner_id]
    if not include_deleted:
        conditions.append(RepoStat.deleted_at.is_(None))
    stmt = (
        select(RepoStat).options(undefer(RepoStat.report)).where(*conditions).order_by(RepoStat.id)
    )
    return list((await session.scalars(stmt)).all())


async def analysis_stamps(
    session: AsyncSession, portfolio_ids: Sequence[str], *, owner_id: int
) -> dict[str, tuple[Any, ...]]:
    """What the analysis of each portfolio is computed from, as a comparable stamp: its live
    projects (id, updated_at: any re-mine, ranking, delete or restore changes it) and when
    its representation preferences changed. One statement for many portfolios. (The
    portfolio's own emails and weights change its `updated_at`, which the caller adds.)"""
    projects = select(
        RepoStat.portfolio_id, RepoStat.id, RepoStat.updated_at.label("changed")
    ).where(
        RepoStat.portfolio_id.in_(portfolio_ids),
        RepoStat.owner_id == owner_id,
        RepoStat.deleted_at.is_(None),
    )
    prefs = select(
        RepresentationPrefs.portfolio_id, literal(0), RepresentationPrefs.updated_at
    ).where(
        RepresentationPrefs.portfolio_id.in_(portfolio_ids),
        RepresentationPrefs.owner_id == owner_id,
    )
    stmt = union_all(projects, prefs)
    found: dict[str, list[tuple[int, Any]]] = {pid: [] for pid in portfolio_ids}
    for portfolio_id, project_id, changed in (await session.execute(stmt)).all():
        found[portfolio_id].append((project_id, str(changed)))
    return {pid: tuple(sorted(rows)) for pid, rows in found.items()}


async def collaboration_by_project(
    session: AsyncSession, project_ids: Sequence[int], *, owner_id: int
) -> list[tuple[int, dict[str, Any]]]:
    """The deferred author lists of many of the owner's projects: (project id, metadata)."""
    stmt = select(RepoStat.id, RepoStat.collaboration_metadata).where(
        RepoStat.id.in_(project_ids), RepoStat.owner_id == owner_id
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def portfolio_uploads(
    session: AsyncSession, portfolio_id: str, *, owner_id: int
) -> list[UploadedZip]:
    stmt = select(UploadedZip).where(
        UploadedZip.portfolio_id == portfolio_id, UploadedZip.owner_id == owner_id
    )
    return list((await session.scalars(stmt.order_by(UploadedZip.id))).all())


async def job_to_run(session: AsyncSession, uid: str) -> MiningJob | None:
    """A job by uid, whoever's it is: for the runner, which acts for the job's owner."""
    return (await session.scalars(select(MiningJob).where(MiningJob.uid == uid))).one_or_none()


async def jobs_in(session: AsyncSession, statuses: Collection[str]) -> list[MiningJob]:
    """Every owner's jobs in these states: the runner's own bookkeeping (resume at start)."""
    stmt = select(MiningJob).where(MiningJob.status.in_(statuses)).order_by(MiningJob.id)
    return list((await session.scalars(stmt)).all())


async def job_counts(session: AsyncSession) -> dict[str, int]:
    """Every owner's jobs counted by state, nothing else of them: for /metrics (operators)."""
    stmt = select(MiningJob.status, func.count()).group_by(MiningJob.status)
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def prefs_of(session: AsyncSession, portfolio_id: str, *, owner_id: int) -> dict[str, Any]:
    stmt = select(RepresentationPrefs.prefs_json).where(
        RepresentationPrefs.portfolio_id == portfolio_id, RepresentationPrefs.owner_id == owner_id
    )
    prefs = await session.scalar(stmt)
    return {} if prefs is None else dict(prefs)


async def latest_answer(session: AsyncSession, key: str, *, owner_id: int) -> str | None:
    stmt = (
        select(UserAnswer.answer_text)
        .join(Question, Question.id == UserAnswer.question_id)
        .where(Question.key == key, UserAnswer.owner_id == owner_id)
        .order_by(UserAnswer.answered_at.desc(), UserAnswer.id.desc())
        .limit(1)
    )
    return await session.scalar(stmt)


async def ranked_projects(
    session: AsyncSession, portfolio_id: str, *, owner_id: int
) -> list[RepoStat]:
    """Live projects of a portfolio by ranking (unranked last)."""
    key, _ = _project_sort_key(ProjectOrder.RANKING)
    stmt = (
        select(RepoStat)
        .where(*_project_conditions(owner_id, portfolio_id, ProjectFilter()))
        .order_by(key, RepoStat.uid)
    )
    return list((await session.scalars(stmt)).all())


async def owner_by_name(session: AsyncSession, name: str) -> Owner | None:
    return (await session.scalars(select(Owner).where(Owner.name == name))).first()


async def token_by_hash(session: AsyncSession, token_hash: str) -> ApiToken | None:
    """The token with this hash, live or not (auth.py decides)."""
    stmt = select(ApiToken).where(ApiToken.token_hash == token_hash)
    return (await session.scalars(stmt)).one_or_none()


async def tokens(session: AsyncSession, owner_name: str | None) -> list[tuple[ApiToken, str]]:
    """Every token (of the owner called `owner_name`, if given) with its owner's name."""
    stmt = select(ApiToken, Owner.name).join(Owner, Owner.id == ApiToken.owner_id)
    if owner_name is not None:
        stmt = stmt.where(Owner.name == owner_name)
    rows = await session.execute(stmt.order_by(ApiToken.id))
    return [(token, name) for token, name in rows]


async def stored_upload(
    session: AsyncSession, upload_id: str, *, owner_id: int
) -> StoredUpload | None:
    stmt = select(StoredUpload).where(
        StoredUpload.id == upload_id, StoredUpload.owner_id == owner_id
    )
    return (await session.scalars(stmt)).one_or_none()


async def audit_page(
    session: AsyncSession,
    *,
    owner_id: int,
    first: int,
    after: Sequence[Any] | None,
    backward: bool = False,
) -> Page[AuditEntry]:
    """The owner's audit entries, newest first, by keyset on (created_at, uid)."""
    return await _newest_first(
        session, AuditEntry, AuditEntry.uid, owner_id, first, after, "the audit log", backward
    )


async def stored_upload_bytes(session: AsyncSession, owner_id: int) -> int:
    """Bytes of the ZIP files the owner keeps (the stored-bytes quota), each file once: those
    sent to POST /uploads, used by a portfolio or not, and those uploaded with a mutation. A
    file is named by its upload id (`<id>.zip`)."""
    stmt = select(StoredUpload.id, StoredUpload.size).where(StoredUpload.owner_id == owner_id)
    posted: dict[str, int] = {row.id: row.size for row in await session.execute(stmt)}
    stmt = select(UploadedZip.path, UploadedZip.size).where(UploadedZip.owner_id == owner_id)
    files = {PurePath(path).stem: size for path, size in await session.execute(stmt)}
    return sum((files | posted).values())


async def active_jobs_of_owner(session: AsyncSession, owner_id: int) -> int:
    stmt = select(func.count()).where(MiningJob.owner_id == owner_id, MiningJob.status.in_(ACTIVE))
    return int(await session.scalar(stmt) or 0)
