"""Rows for tests, written through the real models and a real write session."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api.db import models
from graphql_api.db.engine import Database

T0 = datetime(2024, 1, 1, tzinfo=UTC)


async def portfolio_with_projects(
    db: Database,
    n_projects: int,
    *,
    skills_per_project: int = 8,
    evidence_per_project: int = 5,
    resume_per_project: int = 3,
    name: str = "main",
    owner: str = models.LOCAL_OWNER,
) -> models.Portfolio:
    """A portfolio of `n_projects` projects, each with skills, evidence, resume items and the
    user's stats; project i has i*10 commits, ranking score i, last commit T0 + i days."""
    async with db.write() as session:
        portfolio = models.Portfolio(
            name=name, user_emails=["ada@example.com"], owner_id=await owner_id(session, owner)
        )
        skills = [
            models.Skill(name=f"{name}-skill-{k}", category="languages" if k == 0 else "tools")
            for k in range(skills_per_project)
        ]
        session.add_all([portfolio, *skills])
        await session.flush()
        for i in range(n_projects):
            project = _project(portfolio.id, i, owner_id=portfolio.owner_id)
            session.add(project)
            await session.flush()
            session.add_all(_children(project, skills, evidence_per_project, resume_per_project))
    return portfolio


async def owner_id(session: AsyncSession, name: str = models.LOCAL_OWNER) -> int:
    """The id of the owner called `name`, created when missing."""
    found = await session.scalar(select(models.Owner.id).where(models.Owner.name == name))
    if found is not None:
        return found
    owner = models.Owner(name=name)
    session.add(owner)
    await session.flush()
    return owner.id


def _project(portfolio_id: str, i: int, **overrides: Any) -> models.RepoStat:
    values: dict[str, Any] = {
        "portfolio_id": portfolio_id,
        "project_key": f"root-{i}",
        "project_name": f"project-{i:03d}",
        "project_path": f"upload/project-{i:03d}",
        "root_commit": f"{i:040x}",
        "primary_language": "Python" if i % 2 == 0 else "Go",
        "languages": ["Python", "Go"],
        "language_percentages": {"Python": 60.0, "Go": 40.0},
        "first_commit": T0,
        "last_commit": T0 + timedelta(days=i),
        "total_commits": i * 10,
        "ranking_score": float(i),
        "ranking_position": 1_000 - i,
        "frameworks": [{"name": "Flask", "category": "framework", "ecosystem": "python"}],
        "collaboration_metadata": {
            "authors": [{"name": "Ada", "email": "ada@example.com", "commits": i * 10}],
            "bus_factor": 1,
            "is_collaborative": False,
        },
    }
    values.update(overrides)
    return models.RepoStat(**values)


def _children(
    project: models.RepoStat, skills: list[models.Skill], n_evidence: int, n_resume: int
) -> list[models.Base]:
    rows: list[models.Base] = [
        models.ProjectSkill(
            repo_stat_id=project.id,
            skill_id=skill.id,
            weight=1.0 - k / 10,
            proficiency=0.5,
            level="Intermediate",
            evidence=[f"{k} evidence"],
        )
        for k, skill in enumerate(skills)
    ]
    rows += [
        models.ProjectEvidence(
            repo_stat_id=project.id,
            type="metric",
            content=f"evidence {e}",
            source="git_history",
            date=date(2024, 1, 1),
        )
        for e in range(n_evidence)
    ]
    rows += [
        models.ResumeItem(
            repo_stat_id=project.id,
            title=f"bullet {r}",
            content=f"Did thing {r}",
            category="projects",
            position=r,
        )
        for r in range(n_resume)
    ]
    rows.append(
        models.UserRepoStat(
            repo_stat_id=project.id,
            user_email="ada@example.com",
            project_name=project.project_name,
            project_path=project.project_path,
            total_commits=project.total_commits,
            user_stats_percentages=100.0,
            commit_frequency=2.5,
            activity_breakdown={"code": 10, "test": 5},
            user_role="Sole Developer",
        )
    )
    return rows
