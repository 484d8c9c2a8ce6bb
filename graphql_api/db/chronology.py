"""Reads of the user's active months (activity_months, written with each mined project): the
chronology of their skills and the timeline of their projects, optionally within a range of
months. Owner-filtered in SQL like every read (queries.owned_by); deleted projects left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api.db.models import ActivityMonth, RepoStat, Skill
from graphql_api.db.queries import owned_by


@dataclass(frozen=True, slots=True)
class MonthRange:
    """Whole months, both ends included; None leaves that end open."""

    start: date | None = None  # the first day of the first month
    end: date | None = None  # the first day of the last month


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: date  # its first day
    commits: int


@dataclass(frozen=True, slots=True)
class SkillPeriod:
    """One skill of the user's: first and last day of use and the active months (in range)."""

    skill: Skill
    first_used: date
    last_used: date
    months: tuple[MonthCount, ...]
    projects: int  # projects the skill was used in (in range)


@dataclass(frozen=True, slots=True)
class ProjectPeriod:
    project: RepoStat
    first_active: date
    last_active: date
    commits: int
    months: int


@dataclass(frozen=True, slots=True)
class TimelineMonth:
    month: date
    commits: int
    projects: int
    skills: tuple[Skill, ...]


def _conditions(portfolio_id: str, span: MonthRange, owner_id: int) -> list[ColumnElement[bool]]:
    found = [
        owned_by(ActivityMonth, owner_id),
        RepoStat.id == ActivityMonth.repo_stat_id,
        RepoStat.portfolio_id == portfolio_id,
        RepoStat.deleted_at.is_(None),
    ]
    if span.start is not None:
        found.append(ActivityMonth.month >= span.start)
    if span.end is not None:
        found.append(ActivityMonth.month <= span.end)
    return found


def _per_month(stmt: Select[Any]) -> Select[Any]:
    return stmt.add_columns(
        ActivityMonth.month,
        func.sum(ActivityMonth.commits),
        func.min(ActivityMonth.first_day),
        func.max(ActivityMonth.last_day),
        func.count(ActivityMonth.repo_stat_id.distinct()),
    ).group_by(ActivityMonth.month)


async def skill_periods(
    session: AsyncSession, portfolio_id: str, span: MonthRange, *, owner_id: int
) -> list[SkillPeriod]:
    """The owner's skills in the portfolio with an active month in `span`, first used first.
    `projects` counts the projects using the skill in range."""
    where = [*_conditions(portfolio_id, span, owner_id), Skill.id == ActivityMonth.skill_id]
    months = _per_month(select(Skill).where(*where).group_by(Skill.id))
    projects = (
        select(ActivityMonth.skill_id, func.count(ActivityMonth.repo_stat_id.distinct()))
        .where(*where)
        .group_by(ActivityMonth.skill_id)
    )
    counts: dict[int | None, int] = dict((await session.execute(projects)).all())
    grouped: dict[int, list[Any]] = {}
    for skill, month, commits, first, last, _ in await session.execute(months):
        grouped.setdefault(skill.id, []).append((skill, month, commits, first, last))
    found = [_skill_period(rows, counts[skill_id]) for skill_id, rows in grouped.items()]
    return sorted(found, key=lambda p: (p.first_used, p.skill.name))


def _skill_period(rows: Sequence[Any], projects: int) -> SkillPeriod:
    ordered = sorted(rows, key=lambda row: row[1])
    return SkillPeriod(
        skill=ordered[0][0],
        first_used=min(row[3] for row in ordered),
        last_used=max(row[4] for row in ordered),
        months=tuple(MonthCount(row[1], int(row[2])) for row in ordered),
        projects=projects,
    )


async def project_periods(
    session: AsyncSession, portfolio_id: str, span: MonthRange, *, owner_id: int
) -> list[ProjectPeriod]:
    """The portfolio's projects the user committed to in `span`, earliest start first."""
    stmt = (
        select(
            RepoStat,
            func.min(ActivityMonth.first_day),
            func.max(ActivityMonth.last_day),
            func.sum(ActivityMonth.commits),
            func.count(),
        )
        .where(*_conditions(portfolio_id, span, owner_id), ActivityMonth.skill_id.is_(None))
        .group_by(RepoStat.id)
    )
    found = [
        ProjectPeriod(project, first, last, int(commits), months)
        for project, first, last, commits, months in (await session.execute(stmt))
    ]
    return sorted(found, key=lambda p: (p.first_active, p.project.project_name, p.project.id))


async def timeline_months(
    session: AsyncSession, portfolio_id: str, span: MonthRange, *, owner_id: int
) -> list[TimelineMonth]:
    """Each month of `span` with the user's commits: commits and projects across the
    portfolio, and the skills in use that month (by name)."""
    where = _conditions(portfolio_id, span, owner_id)
    totals = _per_month(select().where(*where, ActivityMonth.skill_id.is_(None)))
    in_use = (
        select(ActivityMonth.month, Skill)
        .where(*where, Skill.id == ActivityMonth.skill_id)
        .group_by(ActivityMonth.month, Skill.id)
    )
    skills: dict[date, list[Skill]] = {}
    for month, skill in await session.execute(in_use):
        skills.setdefault(month, []).append(skill)
    rows = await session.execute(totals.order_by(ActivityMonth.month))
    return [
        TimelineMonth(
            month,
            int(commits),
            projects,
            tuple(sorted(skills.get(month, []), key=lambda s: s.name)),
        )
        for month, commits, _, _, projects in rows
    ]
