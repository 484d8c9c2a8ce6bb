"""Presenting an analysis: plain JSON-able dicts and a readable text report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mining import codec
from mining.analyze.portfolio import PortfolioAnalysis, ProjectAnalysis
from mining.analyze.profile import DeveloperProfile


def to_jsonable(analysis: PortfolioAnalysis | ProjectAnalysis) -> dict[str, Any]:
    """Dicts, lists, str, int, float, bool and None only: enums become their values, dates and
    datetimes ISO 8601 strings (also as mapping keys), tuples lists. Field names are kept."""
    result = codec.dump(analysis)
    assert isinstance(result, dict)
    return result


def render_text(analysis: PortfolioAnalysis) -> str:
    """A plain-text report: the ranking, then each project, then the profile."""
    lines = ["Ranking"]
    for project in analysis.projects:
        rank = project.rank
        mark = " *showcased*" if rank.showcased and _showcase_set(analysis) else ""
        lines.append(f"  {rank.position}. {project.name} ({project.path}) {rank.score:.2f}{mark}")
    for project in analysis.projects:
        lines += ["", *_project(project)]
    lines += ["", *_profile(analysis.profile)]
    return "\n".join(lines) + "\n"


def _showcase_set(analysis: PortfolioAnalysis) -> bool:
    # Only worth marking when the prefs chose a subset.
    return not all(p.rank.showcased for p in analysis.projects)


def _project(p: ProjectAnalysis) -> Iterator[str]:
    yield f"== {p.rank.position}. {p.name} [{p.kind}] ({p.path})"
    yield f"Summary: {p.summary}"
    yield from _skills("Skills", p.skills)
    if p.user_skills:
        yield from _skills(f"Skills of {p.user_skills[0].user_email}", p.user_skills)
    yield "Evidence:"
    for e in p.evidence:
        yield f"  [{e.type}] {e.content} ({e.source}, {e.date.isoformat()})"
    yield f"Health: {p.health.score:g}/100"
    for c in p.health.components:
        yield f"  {c.name:<16}{c.points:>6g}/{c.max_points:<3g} {c.reason}"
    yield f"Ranking: #{p.rank.position}, score {p.rank.score:.2f}" + (
        f" (computed {p.rank.computed_score:.2f})" if p.rank.score != p.rank.computed_score else ""
    )
    for r in p.rank.comparison:
        raw = "unknown" if r.raw is None else f"{r.raw:g}"
        yield (
            f"  {r.name:<14} raw {raw:>10}  normalised {r.normalised:.4f}  "
            f"weight {r.weight:g}  -> {r.contribution:.2f}"
        )
    if p.resume_items:
        yield "Resume:"
        for item in p.resume_items:
            yield f"  - ({item.category}) {item.title}: {item.content}"


def _skills(title: str, skills: tuple[Any, ...]) -> Iterator[str]:
    yield f"{title}:"
    for s in skills:
        yield (
            f"  {s.name} ({s.category}) weight {s.weight:.2f}, "
            f"proficiency {s.proficiency:.2f} {s.level}"
        )
        for sentence in s.evidence:
            yield f"      - {sentence}"


def _profile(profile: DeveloperProfile) -> Iterator[str]:
    yield "== Developer profile"
    period = "unknown"
    if profile.first_active and profile.last_active:
        period = f"{profile.first_active:%Y-%m-%d} to {profile.last_active:%Y-%m-%d}"
    commits = sum(profile.calendar.values())
    yield f"Active: {period}; {commits:,} commits on {len(profile.calendar)} days"
    yield "Languages by lines: " + _totals(
        (t.name, f"{t.lines:,} lines") for t in profile.languages_by_lines
    )
    yield "Languages by commits: " + _totals(
        (t.name, f"{t.commits:,} commits") for t in profile.languages_by_commits
    )
    yield "Frameworks and tools: " + _totals(
        (f.name, f"{f.projects} projects") for f in profile.frameworks
    )
    yield "Top skills:"
    for s in profile.top_skills:
        star = " (highlighted)" if s.highlighted else ""
        yield (
            f"  {s.name}: score {s.score:.2f} = proficiency {s.proficiency:.2f} {s.level} x "
            f"weight {s.weight:.2f}, {s.projects} projects{star}"
        )
    sen = profile.seniority
    yield f"Seniority: {sen.level} ({sen.score}/9): " + "; ".join(sen.reasons)


def _totals(pairs: Iterator[tuple[str, str]]) -> str:
    return ", ".join(f"{name} ({what})" for name, what in pairs) or "none"
