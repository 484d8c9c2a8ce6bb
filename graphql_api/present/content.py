"""Everything an export or a card shows of one portfolio, read once and filtered by owner.

Whose work a project's skills show (as in the developer profile): in a collaborative repository
the user's own skills (`user_project_skills`), elsewhere the project's; skills the preferences
hide are left out everywhere. The profile is the one `Portfolio.profile` answers (the same memo
and the same stamp), so an export never disagrees with the dashboard.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api.db import models, queries
from graphql_api.jobs.service import Services
from mining.analyze.prefs import RepresentationPrefs
from mining.analyze.profile import DeveloperProfile

EXPERIENCE = "experience"  # a resume item's category for a core part in a shared repository


@dataclass(frozen=True, slots=True)
class SkillView:
    name: str
    level: str | None
    proficiency: float  # 0..1 (mining/analyze/proficiency.py)


@dataclass(frozen=True, slots=True)
class ItemView:
    title: str
    content: str
    category: str  # projects | experience


@dataclass(frozen=True, slots=True)
class EvidenceView:
    type: str  # mined: metric, testing, ...; the user's: feedback, award, custom, ...
    content: str
    source: str
    date: date | None
    origin: str  # mined | user


@dataclass(frozen=True, slots=True)
class UserWork:
    """The user's own commits in one repository (user_repo_stats); the role is theirs when
    they set one (setProjectRole), else the mined one."""

    role: str | None
    commits: int
    share_percent: float  # of the repository's commits by people
    first_commit: datetime | None
    last_commit: datetime | None
    lines_added: int
    lines_deleted: int


@dataclass(frozen=True, slots=True)
class ProjectView:
    name: str
    summary: str | None
    primary_language: str | None
    languages: tuple[str, ...]
    ranking_score: float | None
    health_score: float | None
    first_commit: datetime | None
    last_commit: datetime | None
    total_commits: int
    collaborative: bool
    user: UserWork | None
    skills: tuple[SkillView, ...]
    items: tuple[ItemView, ...]
    evidence: tuple[EvidenceView, ...]
    thumbnail_url: str | None

    @property
    def category(self) -> str:
        """`experience` when its resume items are (a core part in a shared repository)."""
        return EXPERIENCE if any(i.category == EXPERIENCE for i in self.items) else "projects"

    @property
    def started(self) -> datetime | None:
        """The user's first commit here, else the project's."""
        return self.user.first_commit if self.user and self.user.first_commit else self.first_commit

    @property
    def ended(self) -> datetime | None:
        return self.user.last_commit if self.user and self.user.last_commit else self.last_commit


@dataclass(frozen=True, slots=True)
class PortfolioView:
    name: str
    emails: tuple[str, ...]
    person: str | None  # the user's name as their own commits give it
    updated_at: datetime
    profile: DeveloperProfile
    projects: tuple[ProjectView, ...]  # in ranking order


async def version(
    session: AsyncSession, portfolio: models.Portfolio, *, owner_id: int
) -> tuple[Hashable, ...]:
    """The state of everything the portfolio's profile is computed from (see
    `queries.analysis_stamps`): it changes when any of it does."""
    stamps = await queries.analysis_stamps(session, [portfolio.id], owner_id=owner_id)
    return (portfolio.updated_at, stamps[portfolio.id])


async def profile_of(
    services: Services, portfolio: models.Portfolio, stamp: Hashable, *, owner_id: int
) -> DeveloperProfile:
    return await services.profile(portfolio.id, owner_id, stamp)


async def gather(services: Services, portfolio_id: str, *, owner_id: int) -> PortfolioView | None:
    """The owner's portfolio as exports show it; None when it is missing or another's."""
    mine = {"owner_id": owner_id}
    async with services.db.read() as session:
        portfolio = await queries.by_uid(session, models.Portfolio, portfolio_id, **mine)
        if portfolio is None:
            return None
        stamp = await version(session, portfolio, **mine)
        projects = await queries.ranked_projects(session, portfolio_id, **mine)
        ids = [p.id for p in projects]
        prefs = RepresentationPrefs.from_json(await queries.prefs_of(session, portfolio_id, **mine))
        children: dict[type, dict[int, list[Any]]] = {
            model: _by_project(await queries.children_by_project(session, model, ids, **mine))
            for model in (
                models.ProjectSkill,
                models.UserProjectSkill,
                models.ResumeItem,
                models.UserRepoStat,
                models.ProjectEvidence,
            )
        }
        authors = await queries.collaboration_by_project(session, ids, **mine)
    profile = await profile_of(services, portfolio, stamp, **mine)
    return PortfolioView(
        name=portfolio.name,
        emails=tuple(portfolio.user_emails),
        person=_person(portfolio.user_emails, [meta for _, meta in authors]),
        updated_at=portfolio.updated_at,
        profile=profile,
        projects=tuple(_project(p, children, prefs) for p in projects),
    )


def _by_project(rows: Sequence[Any]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.repo_stat_id].append(row)
    return found


def _project(
    row: models.RepoStat, children: dict[type, dict[int, list[Any]]], prefs: RepresentationPrefs
) -> ProjectView:
    stats = children[models.UserRepoStat].get(row.id, [])
    user = _user_work(stats[0], row.user_role_override) if stats else None
    own = row.is_collaborative and user is not None
    links = children[models.UserProjectSkill if own else models.ProjectSkill].get(row.id, [])
    return ProjectView(
        name=row.project_name,
        summary=row.summary,
        primary_language=row.primary_language,
        languages=tuple(row.languages),
        ranking_score=row.ranking_score,
        health_score=row.health_score,
        first_commit=row.first_commit,
        last_commit=row.last_commit,
        total_commits=row.total_commits,
        collaborative=row.is_collaborative,
        user=user,
        skills=tuple(
            SkillView(link.skill.name, link.level, link.proficiency)
            for link in links
            if not prefs.is_hidden(link.skill.name)
        ),
        items=tuple(
            ItemView(i.title, i.content, i.category)
            for i in children[models.ResumeItem].get(row.id, [])
        ),
        evidence=tuple(
            EvidenceView(e.type, e.content, e.source, e.date, e.origin)
            for e in children[models.ProjectEvidence].get(row.id, [])
        ),
        thumbnail_url=row.thumbnail_url,
    )


def _user_work(row: models.UserRepoStat, role_override: str | None) -> UserWork:
    return UserWork(
        role=role_override or row.user_role,
        commits=row.total_commits,
        share_percent=row.user_stats_percentages,
        first_commit=row.first_commit,
        last_commit=row.last_commit,
        lines_added=row.lines_added,
        lines_deleted=row.lines_deleted,
    )


def _person(emails: Sequence[str], collaboration: Sequence[dict[str, Any]]) -> str | None:
    """The name the user's commits carry most often (the authors matched by their emails)."""
    wanted = {e.casefold() for e in emails}
    names: Counter[str] = Counter()
    for meta in collaboration:
        for author in meta.get("authors", []):
            if author.get("email", "").casefold() in wanted and author.get("name"):
                names[author["name"]] += int(author.get("commits", 0))
    return min(names, key=lambda n: (-names[n], n)) if names else None
