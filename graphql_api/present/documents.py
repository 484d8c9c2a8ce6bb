"""The two documents every export format renders: the portfolio and the resume.

The portfolio document is ours (every project with its scores, skills, resume items and the
user's own work, and the developer profile). The resume is a JSON Resume (jsonresume.org):
`basics` (who, from their commits; seniority and period from the profile), `work` (shared
repositories where the user's part is core: the resume items of category `experience`),
`projects` (the other projects with resume items), `skills` (the profile's top skills with their
level and, as keywords, the skill's category and the projects that show it), `awards` and
`references` (the evidence of type award and feedback the user added).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from graphql_api.present.content import EXPERIENCE, PortfolioView, ProjectView

JSON_RESUME_SCHEMA = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"
JSON_RESUME_VERSION = "v1.0.0"


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _dropping_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def language_shares(view: PortfolioView) -> list[dict[str, Any]]:
    """The user's languages by changed lines, each with its share of all of them: the base is
    the lines the user added plus deleted in every language the profile counts."""
    languages = view.profile.languages_by_lines
    base = sum(lang.lines for lang in languages)
    return [
        {
            "name": lang.name,
            "lines": lang.lines,
            "commits": lang.commits,
            "projects": lang.projects,
            "sharePercent": round(100 * lang.lines / base, 1) if base else 0.0,
        }
        for lang in languages
    ]


def profile_document(view: PortfolioView) -> dict[str, Any]:
    profile = view.profile
    return {
        "seniority": {
            "level": profile.seniority.level.value,
            "score": profile.seniority.score,
            "reasons": list(profile.seniority.reasons),
        },
        "firstActive": _date(profile.first_active),
        "lastActive": _date(profile.last_active),
        "languages": language_shares(view),
        "languageShareBase": "lines added + deleted by the user, all languages counted",
        "topSkills": [
            {
                "name": s.name,
                "category": s.category.value,
                "level": s.level.value,
                "proficiency": s.proficiency,
                "projects": s.projects,
            }
            for s in profile.top_skills
        ],
        "frameworks": [f.name for f in profile.frameworks],
        "activeDays": len(profile.calendar),
        "commits": sum(profile.calendar.values()),
    }


def _project_document(project: ProjectView) -> dict[str, Any]:
    user = project.user
    return {
        "name": project.name,
        "rankingScore": project.ranking_score,
        "healthScore": project.health_score,
        "primaryLanguage": project.primary_language,
        "languages": list(project.languages),
        "firstCommit": project.first_commit.isoformat() if project.first_commit else None,
        "lastCommit": project.last_commit.isoformat() if project.last_commit else None,
        "totalCommits": project.total_commits,
        "collaborative": project.collaborative,
        "summary": project.summary,
        "user": None
        if user is None
        else {
            "role": user.role,
            "commits": user.commits,
            "sharePercent": user.share_percent,
            "linesAdded": user.lines_added,
            "linesDeleted": user.lines_deleted,
            "firstCommit": _date(user.first_commit),
            "lastCommit": _date(user.last_commit),
        },
        "skills": [
            {"name": s.name, "proficiency": s.proficiency, "level": s.level} for s in project.skills
        ],
        "resumeItems": [
            {"title": i.title, "content": i.content, "category": i.category} for i in project.items
        ],
        "evidence": [
            {
                "type": e.type,
                "content": e.content,
                "source": e.source,
                "date": e.date.isoformat() if e.date else None,
                "origin": e.origin,
            }
            for e in project.evidence
        ],
        "thumbnailUrl": project.thumbnail_url,
    }


def portfolio_document(view: PortfolioView) -> dict[str, Any]:
    """Everything the portfolio shows, projects in ranking order."""
    return {
        "portfolio": {
            "name": view.name,
            "userEmails": list(view.emails),
            "person": view.person,
            "updatedAt": view.updated_at.isoformat(),
        },
        "profile": profile_document(view),
        "projects": [_project_document(p) for p in view.projects],
    }


def headline(view: PortfolioView) -> str:
    """`Senior developer · Python, Go`: seniority and the two languages of the most lines."""
    level = view.profile.seniority.level.value
    languages = [lang.name for lang in view.profile.languages_by_lines[:2]]
    return f"{level} developer" + (f" · {', '.join(languages)}" if languages else "")


def summary(view: PortfolioView) -> str:
    """What the resume's summary says, every figure from the profile's commit calendar."""
    profile = view.profile
    commits = sum(profile.calendar.values())
    shown = len(resume_projects(view))
    period = ""
    if profile.first_active and profile.last_active:
        period = f" between {_date(profile.first_active)} and {_date(profile.last_active)}"
    return (
        f"{commits} commits on {len(profile.calendar)} days{period}; "
        f"{shown} project{'s' if shown != 1 else ''} shown."
    )


def resume_projects(view: PortfolioView) -> list[ProjectView]:
    """The projects the resume shows: those with resume items, in ranking order."""
    return [p for p in view.projects if p.items]


def _skill_projects(view: PortfolioView) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for project in view.projects:
        for skill in project.skills:
            found[skill.name.casefold()].append(project.name)
    return found


def _work(project: ProjectView) -> dict[str, Any]:
    return _dropping_none(
        {
            "name": project.name,
            "position": project.user.role if project.user else None,
            "startDate": _date(project.started),
            "endDate": _date(project.ended),
            "summary": project.summary,
            "highlights": [item.content for item in project.items],
        }
    )


def _project(project: ProjectView) -> dict[str, Any]:
    return _dropping_none(
        {
            "name": project.name,
            "description": project.summary,
            "startDate": _date(project.started),
            "endDate": _date(project.ended),
            "roles": [project.user.role] if project.user and project.user.role else None,
            "highlights": [item.content for item in project.items],
            "keywords": [skill.name for skill in project.skills],
        }
    )


def _awards(view: PortfolioView) -> list[dict[str, Any]]:
    """The evidence of type `award` (the user's, by addEvidence) of every live project."""
    return [
        _dropping_none(
            {
                "title": e.content,
                "date": e.date.isoformat() if e.date else None,
                "summary": f"For {project.name}",
            }
        )
        for project in view.projects
        for e in project.evidence
        if e.type == "award"
    ]


def _references(view: PortfolioView) -> list[dict[str, Any]]:
    """The evidence of type `feedback`: what others said of the work, by project."""
    return [
        {"name": f"Feedback on {project.name}", "reference": e.content}
        for project in view.projects
        for e in project.evidence
        if e.type == "feedback"
    ]


def json_resume(view: PortfolioView) -> dict[str, Any]:
    """The resume as a JSON Resume document (jsonresume.org schema)."""
    shown = resume_projects(view)
    where = _skill_projects(view)
    basics = _dropping_none(
        {
            "name": view.person or view.name or None,
            "label": headline(view),
            "email": view.emails[0] if view.emails else None,
            "summary": summary(view),
            "profiles": [],
        }
    )
    return {
        "$schema": JSON_RESUME_SCHEMA,
        "basics": basics,
        "work": [_work(p) for p in shown if p.category == EXPERIENCE],
        "projects": [_project(p) for p in shown if p.category != EXPERIENCE],
        "skills": [
            {
                "name": skill.name,
                "level": skill.level.value,
                "keywords": [skill.category.value, *where.get(skill.name.casefold(), [])],
            }
            for skill in view.profile.top_skills
        ],
        "awards": _awards(view),
        "references": _references(view),
        "meta": {
            "version": JSON_RESUME_VERSION,
            "lastModified": view.updated_at.replace(microsecond=0, tzinfo=None).isoformat(),
        },
    }
