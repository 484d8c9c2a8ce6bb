"""Exports: a portfolio or its resume as JSON or Markdown, tracked in the exports table and
downloaded from GET /exports/{id}. The file is written to a temporary name and renamed, so a
download never sees half a file; a failure leaves the row `failed` with the reason."""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import anyio

from graphql_api.db import models, queries
from graphql_api.db.engine import Database
from graphql_api.db.types import utcnow
from graphql_api.ingest.errors import is_disk_full
from graphql_api.leftovers import hold
from graphql_api.settings import Settings

log = logging.getLogger("graphql_api.exports")

KINDS = ("resume", "portfolio")
FORMATS = {"json": ("json", "application/json"), "markdown": ("md", "text/markdown")}


async def _content(db: Database, portfolio_id: str, owner_id: int) -> dict[str, Any]:
    mine = {"owner_id": owner_id}
    async with db.read() as session:
        portfolio = await queries.by_uid(session, models.Portfolio, portfolio_id, **mine)
        assert portfolio is not None
        projects = await queries.ranked_projects(session, portfolio_id, **mine)
        ids = [p.id for p in projects]
        links = await queries.children_by_project(session, models.ProjectSkill, ids, **mine)
        items = await queries.children_by_project(session, models.ResumeItem, ids, **mine)
        skills = await queries.rows_by_ids(
            session, models.Skill, [s.skill_id for s in links], **mine
        )
    names = {s.id: s.name for s in skills}
    skills_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        skills_of[link.repo_stat_id].append(
            {"name": names[link.skill_id], "proficiency": link.proficiency, "level": link.level}
        )
    items_of: dict[int, list[dict[str, str]]] = defaultdict(list)
    for item in items:
        items_of[item.repo_stat_id].append(
            {"title": item.title, "content": item.content, "category": item.category}
        )
    return {
        "portfolio": {"name": portfolio.name, "userEmails": portfolio.user_emails},
        "projects": [
            {
                "name": p.project_name,
                "rankingScore": p.ranking_score,
                "healthScore": p.health_score,
                "primaryLanguage": p.primary_language,
                "firstCommit": p.first_commit.isoformat() if p.first_commit else None,
                "lastCommit": p.last_commit.isoformat() if p.last_commit else None,
                "totalCommits": p.total_commits,
                "summary": p.summary,
                "skills": skills_of[p.id],
                "resumeItems": items_of[p.id],
            }
            for p in projects
        ],
    }


def _markdown(content: dict[str, Any], kind: str) -> str:
    title = content["portfolio"]["name"] or "Portfolio"
    lines = [f"# {title}{' — resume' if kind == 'resume' else ''}", ""]
    for project in content["projects"]:
        if kind == "resume" and not project["resumeItems"]:
            continue
        lines += [f"## {project['name']}", ""]
        if project["summary"]:
            lines += [project["summary"], ""]
        lines += [f"- **{item['title']}**: {item['content']}" for item in project["resumeItems"]]
        if kind == "portfolio":
            skills = ", ".join(f"{s['name']} ({s['level']})" for s in project["skills"])
            lines += [f"- Skills: {skills}", f"- Commits: {project['totalCommits']}"]
        lines.append("")
    return "\n".join(lines)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    try:
        with partial.open("w", encoding="utf-8") as file:
            hold(file.fileno())  # a start-up sweep removes it only once we are gone
            file.write(text)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)  # a full disk must not keep what it half wrote
        raise


# What a failed export says (its `error`), by the code its creator is told; no server path.
FAILURES = {
    "DISK_FULL": "no space left on the server to write the export",
    "INTERNAL": "an unexpected error stopped the export (see the server log)",
}


def failure_code(row: models.Export) -> str | None:
    """The code of a failed export (DISK_FULL or INTERNAL); None unless it failed."""
    if row.status != "failed":
        return None
    return next((code for code, text in FAILURES.items() if text == row.error), "INTERNAL")


async def create_export(
    db: Database, settings: Settings, portfolio_id: str, owner_id: int, kind: str, fmt: str
) -> models.Export:
    """Write the export of the owner's portfolio (checked by the caller) and record it."""
    async with db.write() as session:
        row = models.Export(
            portfolio_id=portfolio_id, owner_id=owner_id, export_type=kind, format=fmt
        )
        session.add(row)
    extension, _ = FORMATS[fmt]
    path = settings.exports_dir / f"{row.uid}.{extension}"
    try:
        content = await _content(db, portfolio_id, owner_id)
        if kind == "resume":
            content["projects"] = [p for p in content["projects"] if p["resumeItems"]]
        text = json.dumps(content, indent=2) if fmt == "json" else _markdown(content, kind)
        await anyio.to_thread.run_sync(_write_atomically, path, text)
    except Exception as exc:
        log.exception("export %s failed", row.uid)
        code = "DISK_FULL" if is_disk_full(exc) else "INTERNAL"
        values: dict[str, Any] = {"status": "failed", "error": FAILURES[code]}
    else:
        values = {"status": "completed", "path": str(path), "completed_at": utcnow()}
    async with db.write() as session:
        row = await session.merge(row)
        for name, value in values.items():
            setattr(row, name, value)
    return row


async def export_file(
    db: Database, settings: Settings, uid: str, owner_id: int
) -> tuple[Path, str] | None:
    """The file of the owner's completed export, or None (missing, another's, unfinished)."""
    async with db.read() as session:
        row = await queries.by_uid(session, models.Export, uid, owner_id=owner_id)
    if row is None or row.status != "completed" or row.path is None:
        return None
    return Path(row.path), FORMATS[row.format][1]
