"""The portfolio and resume documents as CommonMark.

Every text that comes from the user or their repositories goes through `escape`: one line, and
each character CommonMark could read as markup backslash-escaped (CommonMark allows a backslash
before any ASCII punctuation), so a project named `<script>` or `# x` stays literal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_MARKUP = re.compile(r"([\\`*_\[\]{}<>#!|~&])")  # brackets escaped, parentheses link nothing
# At the start of a line "- x", "+ x" or "1. x" would begin a list, "=" a heading's underline.
_LEADING_MARK = re.compile(r"^([-+=])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def escape(text: str | None) -> str:
    line = _MARKUP.sub(r"\\\1", " ".join((text or "").split()))
    return _ORDERED.sub(r"\1\\\2", _LEADING_MARK.sub(r"\\\1", line))


def _period(start: str | None, end: str | None) -> str:
    return f"{start or '?'} to {end or '?'}" if start or end else ""


def _section(title: str, lines: Iterable[str]) -> list[str]:
    body = list(lines)
    return [f"## {title}", "", *body, ""] if body else []


def resume_markdown(resume: dict[str, Any]) -> str:
    """A JSON Resume document (documents.json_resume) as Markdown."""
    basics = resume["basics"]
    lines = [f"# {escape(basics.get('name') or 'Resume')}", ""]
    lines += [f"**{escape(basics['label'])}**", ""]
    if "email" in basics:
        lines += [escape(basics["email"]), ""]
    lines += [escape(basics["summary"]), ""]
    lines += _section(
        "Skills",
        (
            f"- **{escape(s['name'])}**: {s['level']} ({', '.join(map(escape, s['keywords']))})"
            for s in resume["skills"]
        ),
    )
    lines += _section("Experience", _entries(resume["work"], "position", "summary"))
    lines += _section("Projects", _entries(resume["projects"], "roles", "description"))
    lines += _section("Awards", map(_award, resume["awards"]))
    lines += _section(
        "References",
        (f"- {escape(r['name'])}: {escape(r['reference'])}" for r in resume["references"]),
    )
    return "\n".join(lines)


def _award(award: dict[str, Any]) -> str:
    when = f" ({award['date']})" if "date" in award else ""
    return f"- **{escape(award['title'])}**{when}: {escape(award['summary'])}"


def _entries(entries: list[dict[str, Any]], role_key: str, text_key: str) -> list[str]:
    lines: list[str] = []
    for entry in entries:
        role = entry.get(role_key)
        role_text = ", ".join(role) if isinstance(role, list) else role
        when = _period(entry.get("startDate"), entry.get("endDate"))
        meta = " · ".join(part for part in (escape(role_text), when) if part)
        lines += [f"### {escape(entry['name'])}", ""]
        if meta:
            lines += [f"*{meta}*", ""]
        if entry.get(text_key):
            lines += [escape(entry[text_key]), ""]
        lines += [f"- {escape(h)}" for h in entry.get("highlights", [])]
        if entry.get("keywords"):
            lines.append(f"- Skills: {', '.join(map(escape, entry['keywords']))}")
        lines.append("")
    return lines


def portfolio_markdown(document: dict[str, Any]) -> str:
    """The portfolio document (documents.portfolio_document) as Markdown."""
    portfolio, profile = document["portfolio"], document["profile"]
    lines = [f"# {escape(portfolio['name'] or 'Portfolio')}", ""]
    who = [escape(portfolio["person"]), *map(escape, portfolio["userEmails"])]
    lines += [" · ".join(part for part in who if part), ""]
    lines += _section("Profile", _profile_lines(profile))
    lines += ["## Projects", ""]
    for place, project in enumerate(document["projects"], start=1):
        lines += _project_lines(place, project)
    return "\n".join(lines)


def _profile_lines(profile: dict[str, Any]) -> list[str]:
    seniority = profile["seniority"]
    languages = ", ".join(
        f"{escape(lang['name'])} {lang['sharePercent']} % ({lang['lines']} lines)"
        for lang in profile["languages"]
    )
    skills = ", ".join(f"{escape(s['name'])} ({s['level']})" for s in profile["topSkills"])
    return [
        f"- Seniority: {seniority['level']} (score {seniority['score']} of 9)",
        f"- Active: {_period(profile['firstActive'], profile['lastActive'])}",
        f"- Commits: {profile['commits']} on {profile['activeDays']} days",
        f"- Languages (share of the user's changed lines): {languages}",
        f"- Top skills: {skills}",
    ]


def _project_lines(place: int, project: dict[str, Any]) -> list[str]:
    lines = [f"### {place}\\. {escape(project['name'])}", ""]
    if project["summary"]:
        lines += [escape(project["summary"]), ""]
    user = project["user"]
    mine = f" (the user's: {user['commits']}, {user['sharePercent']} %)" if user else ""
    lines += [
        f"- Ranking score: {project['rankingScore']}; health score: {project['healthScore']}",
        f"- Commits: {project['totalCommits']}{mine}",
        f"- Languages: {', '.join(map(escape, project['languages']))}",
        "- Skills: " + ", ".join(f"{escape(s['name'])} ({s['level']})" for s in project["skills"]),
    ]
    lines += [f"- **{escape(i['title'])}**: {escape(i['content'])}" for i in project["resumeItems"]]
    return [*lines, ""]
