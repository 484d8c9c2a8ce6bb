"""Mining results -> rows.

A job's results are written in ONE transaction at its end (`write_results`): every mined
project with everything derived from it, the ranking and the resume items, so a reader sees the
portfolio as it was or as the job left it, never a mix, whenever the process dies. No
transaction is open while git runs: the runner mines first and keeps the reports in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api.db import curation, models, writes
from graphql_api.db import json_schemas as js
from graphql_api.db.engine import Database
from graphql_api.db.types import checked, checked_text
from mining import codec
from mining.analyze import PortfolioAnalysis, ProjectAnalysis, ProjectSkill, UserProjectSkill
from mining.records import Collaboration, History, ProjectReport


def project_key(report: ProjectReport) -> str:
    """What makes two uploads "the same project": the oldest root commit; a folder without
    history is known by its path."""
    return report.root_commit or f"path:{report.path}"


def project_values(report: ProjectReport, analysis: ProjectAnalysis) -> dict[str, Any]:
    """The project's own columns (CPU: run it in a worker thread)."""
    return {**report_values(report), **analysis_values(analysis)}


def report_values(report: ProjectReport) -> dict[str, Any]:
    """The columns that come from the report alone: nearly all of `project_values`' CPU (the
    report and the author list checked and encoded: ~75 ms on flask), so a job makes them as
    soon as a repository is mined, while the others are still mining (CPU: a worker thread)."""
    collaboration = report.history.collaboration if report.history else None
    return {
        "project_name": report.name,
        "project_path": report.path,
        "kind": report.kind.value,
        "root_commit": report.root_commit,
        "head_commit": report.head_commit,
        "shallow": report.shallow,
        "is_collaborative": bool(collaboration and collaboration.is_collaborative),
        "languages": [share.name for share in report.languages.shares],
        "language_percentages": {
            share.name: share.percent
            for share in report.languages.shares
            if share.kind.value == "programming"
        },
        "primary_language": report.languages.primary,
        **_history_values(report.history),
        "frameworks": [
            {"name": d.name, "category": d.category, "ecosystem": d.ecosystem, "source": d.source}
            for d in report.frameworks
        ],
        # Checked and encoded here, in the worker thread: at bind time, on the event loop, the
        # author list's check held /healthz up to ~100 ms, the report's encoding 20-100 ms
        # (bench/e2e_bench.py).
        "collaboration_metadata": checked(_collaboration(collaboration), js.COLLABORATION),
        "report": checked_text(codec.dumps(report).decode(), js.OBJECT),
    }


def analysis_values(analysis: ProjectAnalysis) -> dict[str, Any]:
    """The columns that come from the project's analysis (its health and summary)."""
    return {
        "health_score": analysis.health.score,
        "health_components": [
            {"name": c.name, "points": c.points, "max_points": c.max_points, "reason": c.reason}
            for c in analysis.health.components
        ],
        "summary": analysis.summary,
    }


def _history_values(history: History | None) -> dict[str, Any]:
    """The history's columns; a project without history has none to show and no commits."""
    if history is None:
        return {"first_commit": None, "last_commit": None, "total_commits": 0}
    return {
        "first_commit": history.first_commit,
        "last_commit": history.last_commit,
        "total_commits": history.total_commits,
    }


def _collaboration(collaboration: Collaboration | None) -> dict[str, Any]:
    if collaboration is None:
        return {}
    return {
        "authors": [
            {"name": a.name, "email": a.email, "commits": a.commits, "share": a.share}
            for a in collaboration.authors
        ],
        "bus_factor": collaboration.bus_factor,
        "is_collaborative": collaboration.is_collaborative,
    }


def _user_stats(report: ProjectReport) -> list[dict[str, Any]]:
    user = report.history.user if report.history else None
    if user is None or not user.emails:
        return []
    return [
        {
            "user_email": user.emails[0],
            "project_name": report.name,
            "project_path": report.path,
            "first_commit": user.first_commit,
            "last_commit": user.last_commit,
            "total_commits": user.commits,
            "user_stats_percentages": user.share_percent,
            "commit_frequency": user.commits_per_week,
            "lines_added": user.added,
            "lines_deleted": user.deleted,
            "activity_breakdown": {kind.value: lines for kind, lines in user.activity.items()},
            "user_role": user.role,
        }
    ]


Analysed = Sequence[tuple[models.RepoStat, ProjectAnalysis]]  # each project with its analysis


async def write_skills(session: AsyncSession, analysed: Analysed) -> dict[str, models.Skill]:
    """Each project's skills and the user's skills in it, as analysed (hidden skills left
    out by the analysis), replacing what was there: for all the projects at once. Returns
    the catalogue rows of those skills, by name."""
    both: list[ProjectSkill | UserProjectSkill] = []
    for _, analysis in analysed:
        both += [*analysis.skills, *analysis.user_skills]
    catalogue = await writes.skills_by_name(session, [(s.name, s.category.value) for s in both])

    def row(skill: ProjectSkill | UserProjectSkill, **extra: Any) -> dict[str, Any]:
        return {
            "skill_id": catalogue[skill.name].id,
            "proficiency": skill.proficiency,
            "level": skill.level.value,
            "evidence": list(skill.evidence),
            **extra,
        }

    await writes.replace_children(
        session,
        models.ProjectSkill,
        [(p, [row(s, weight=s.weight) for s in a.skills]) for p, a in analysed],
    )
    await writes.replace_children(
        session,
        models.UserProjectSkill,
        [(p, [row(s, user_email=s.user_email) for s in a.user_skills]) for p, a in analysed],
    )
    return catalogue


def _months(
    project: models.RepoStat, analysis: ProjectAnalysis, catalogue: dict[str, models.Skill]
) -> list[dict[str, Any]]:
    """The user's active months in the project and per skill (mining/analyze/chronology.py);
    `catalogue` has every skill of the analysis (write_skills)."""
    return [
        {
            "owner_id": project.owner_id,
            "skill_id": None if c.skill is None else catalogue[c.skill].id,
            "month": m.month,
            "commits": m.commits,
            "first_day": m.first_day,
            "last_day": m.last_day,
        }
        for c in analysis.chronology
        for m in c.months
    ]


def _evidence(analysis: ProjectAnalysis) -> list[dict[str, Any]]:
    return [
        {"type": e.type.value, "content": e.content, "source": e.source.value, "date": e.date}
        for e in analysis.evidence
    ]


async def save_ranking(
    db: Database,
    portfolio_id: str,
    reports: Sequence[ProjectReport],
    analysis: PortfolioAnalysis,
    *,
    with_resume: bool = True,
) -> None:
    """Write the ranking (and regenerate resume items: idempotent, same input gives the
    same bullets) for the projects that were analysed, in a transaction of its own."""
    async with db.write() as session:
        await write_ranking(session, portfolio_id, reports, analysis, with_resume=with_resume)


async def write_ranking(
    session: AsyncSession,
    portfolio_id: str,
    reports: Sequence[ProjectReport],
    analysis: PortfolioAnalysis,
    *,
    with_resume: bool = True,
) -> None:
    """As `save_ranking`, inside the caller's transaction."""
    keys = {report.path: project_key(report) for report in reports}
    ranking = {
        keys[p.path]: {
            "score": p.rank.score,
            "position": p.rank.position,
            "showcased": p.rank.showcased,
            "components": [
                {
                    "name": c.name.value,
                    "value": c.raw,
                    "normalised": c.normalised,
                    "weight": c.weight,
                    "contribution": c.contribution,
                    # shown by `rankingComponents` (prefs.comparison_attributes)
                    "compared": c in p.rank.comparison,
                }
                for c in p.rank.components
            ],
        }
        for p in analysis.projects
    }
    await writes.save_ranking(session, portfolio_id, ranking)
    if not with_resume:
        return
    projects = {
        p.project_key: p for p in await writes.projects_of(session, portfolio_id, list(ranking))
    }
    generated = [
        (
            projects[keys[result.path]],
            [curation.Generated(i.title, i.content, i.category.value) for i in result.resume_items],
        )
        for result in analysis.projects
    ]
    await curation.merge_resume_items(session, generated)


async def save_curated(
    db: Database, portfolio_id: str, reports: Sequence[ProjectReport], analysis: PortfolioAnalysis
) -> None:
    """What the representation preferences shape, written at once in one transaction: the
    ranking (order, showcased, compared components), each live project's skill lists (hidden
    skills left out) and its resume items (edited ones kept)."""
    async with db.write() as session:
        await write_ranking(session, portfolio_id, reports, analysis)
        keys = {report.path: project_key(report) for report in reports}
        rows = await writes.projects_of(session, portfolio_id, list(keys.values()))
        by_key = {row.project_key: row for row in rows}
        await write_skills(session, [(by_key[keys[r.path]], r) for r in analysis.projects])


@dataclass(frozen=True, slots=True)
class Fresh:
    """A project this job mined, with its analysis and its columns (`project_values`)."""

    report: ProjectReport
    analysis: ProjectAnalysis
    values: dict[str, Any]


async def write_results(
    session: AsyncSession,
    portfolio_id: str,
    fresh: Sequence[Fresh],
    reports: Sequence[ProjectReport],
    analysis: PortfolioAnalysis,
) -> dict[str, str]:
    """A job's whole result, inside the caller's one transaction: each fresh project, then the
    ranking and resume items of every live project. Returns project key -> RepoStat uid of the
    fresh projects."""
    projects = await writes.upsert_projects(
        session, portfolio_id, {project_key(item.report): item.values for item in fresh}
    )
    written = [(projects[project_key(item.report)], item) for item in fresh]
    analysed = [(project, item.analysis) for project, item in written]
    catalogue = await write_skills(session, analysed)
    await curation.replace_mined_evidence(session, [(p, _evidence(a)) for p, a in analysed])
    await writes.replace_children(
        session, models.UserRepoStat, [(p, _user_stats(item.report)) for p, item in written]
    )
    months = [(p, _months(p, a, catalogue)) for p, a in analysed]  # skill_id None: the project
    await writes.replace_children(session, models.ActivityMonth, months, nulls=True)
    await write_ranking(session, portfolio_id, reports, analysis)
    return {key: project.uid for key, project in projects.items()}


def load_report(row: models.RepoStat) -> ProjectReport:
    return codec.load(ProjectReport, row.report)


async def save_summaries(
    db: Database,
    portfolio_id: str,
    reports: Sequence[ProjectReport],
    summaries: dict[str, str],
    provider: str,
    user_email: str,
) -> None:
    """Each showcased project's summary, on the project and in user_intelligence_summaries."""
    keys = {report.path: project_key(report) for report in reports}
    async with db.write() as session:
        projects = await writes.projects_of(session, portfolio_id, [keys[p] for p in summaries])
        by_key = {project.project_key: project for project in projects}
        for path, text in summaries.items():
            project = by_key[keys[path]]
            project.summary = text
            session.add(
                models.UserIntelligenceSummary(
                    repo_stat_id=project.id,
                    repo_path=project.project_path,
                    user_email=user_email,
                    summary_text=text,
                    provider=provider,
                )
            )
