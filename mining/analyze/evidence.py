"""Evidence rows (stored as project_evidence): what was found, where, and as of when.

Types: metric (history figures), testing, documentation, code_quality (linters, formatters,
type checkers, hygiene, CI), evaluation (derived insights, health and ranking explained).
Sources: git_history, file_tree, manifests, languages, health, ranking.
Dates: facts from history and the tree at HEAD carry the last commit's date (the state they
describe); a folder without history, health and ranking carry `now.date()`.

Rows are de-duplicated on (type, content), first occurrence kept; a tool seen in several files
is one row naming all of them (signals.py merges them), so no list item appears twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mining.analyze.health import HealthScore
from mining.analyze.ranking import RankedProject
from mining.analyze.signals import Signals, ToolUse, is_manifest
from mining.records import ActivityKind, History, ProjectReport


class EvidenceType(StrEnum):
    METRIC = "metric"
    TESTING = "testing"
    DOCUMENTATION = "documentation"
    CODE_QUALITY = "code_quality"
    EVALUATION = "evaluation"


class EvidenceSource(StrEnum):
    GIT_HISTORY = "git_history"
    FILE_TREE = "file_tree"
    MANIFESTS = "manifests"
    LANGUAGES = "languages"
    HEALTH = "health"
    RANKING = "ranking"


@dataclass(frozen=True, slots=True)
class Evidence:
    type: EvidenceType
    content: str
    source: EvidenceSource
    date: date


_TOOL_LABEL = {
    "linter": "Linter",
    "formatter": "Formatter",
    "type_checker": "Type checker",
    "hygiene": "Repository hygiene",
    "ci": "CI",
}

E, S = EvidenceType, EvidenceSource


def dedupe(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    seen: set[tuple[EvidenceType, str]] = set()
    out = []
    for item in items:
        key = (item.type, item.content)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def project_evidence(
    report: ProjectReport,
    signals: Signals,
    health: HealthScore,
    ranked: RankedProject,
    now: datetime,
) -> tuple[Evidence, ...]:
    history = report.history
    head = history.last_commit.date() if history and history.last_commit else now.date()
    rows: list[tuple[EvidenceType, str, EvidenceSource, date]] = []
    rows += [(E.METRIC, text, S.GIT_HISTORY, head) for text in _metrics(history)]
    rows += [(t, text, s, head) for t, text, s in _tree(report, signals)]
    rows += [(E.EVALUATION, text, s, head) for text, s in _insights(report)]
    rows += [(E.EVALUATION, text, S.HEALTH, now.date()) for text in _health(health)]
    rows += [(E.EVALUATION, text, S.RANKING, now.date()) for text in _ranking(ranked)]
    return dedupe(Evidence(*row) for row in rows)


def _metrics(history: History | None) -> Iterator[str]:
    if history is None:
        return
    if history.first_commit and history.last_commit:
        yield (
            f"{history.total_commits:,} commits from {history.first_commit:%Y-%m-%d} "
            f"to {history.last_commit:%Y-%m-%d}"
        )
    collab = history.collaboration
    yield (
        f"{len(collab.authors)} contributor(s), bus factor {collab.bus_factor}; "
        f"{history.share_base:,} non-merge commits by people (the base of every share)"
    )
    if collab.bots:
        names = ", ".join(f"{b.name} ({b.commits:,})" for b in collab.bots[:5])
        more = f" and {len(collab.bots) - 5} more" if len(collab.bots) > 5 else ""
        yield f"bot commits, left out of shares and the bus factor: {names}{more}"
    if history.merges:
        yield f"{history.merges:,} merge commits"
    if history.tags:
        yield f"{history.tags:,} tags reachable from HEAD (releases of the project)"
    yield from _user_metrics(history)


def _user_metrics(history: History) -> Iterator[str]:
    user = history.user
    if user is not None and not user.commits:
        yield "no commit by the user: the project is listed for its project facts only"
    if user is not None and user.commits:
        yield (
            f"{user.commits:,} of {history.share_base:,} non-merge commits by people are the "
            f"user's ({user.share_percent:.1f}%), "
            f"{user.first_commit:%Y-%m-%d} to {user.last_commit:%Y-%m-%d}"
        )
        yield f"commit frequency: {user.commits_per_week:.2f} commits per week by the user"
        yield (
            f"the user added {user.added:,} and deleted {user.deleted:,} lines in "
            f"{user.files_touched:,} files across {user.modules_touched:,} modules"
        )


def _tree(
    report: ProjectReport, signals: Signals
) -> Iterator[tuple[EvidenceType, str, EvidenceSource]]:
    yield from _testing(report, signals)
    yield from _documentation(signals)
    for tool in signals.tools:
        kind = E.CODE_QUALITY if tool.kind in _TOOL_LABEL else E.EVALUATION
        label = _TOOL_LABEL.get(tool.kind, tool.kind.capitalize())
        yield kind, f"{label}: {_tool(tool)}", _source(tool)


def _testing(
    report: ProjectReport, signals: Signals
) -> Iterator[tuple[EvidenceType, str, EvidenceSource]]:
    if signals.test_files:
        yield E.TESTING, f"{signals.test_files:,} test files at HEAD", S.FILE_TREE
    if signals.code_files and signals.test_files:
        yield (
            E.TESTING,
            f"test-to-code ratio {signals.test_ratio:.2f} ({signals.test_files:,} test files / "
            f"{signals.code_files:,} code files)",
            S.FILE_TREE,
        )
    for tool in signals.test_frameworks:
        yield E.TESTING, f"testing framework: {_tool(tool)}", _source(tool)
    user = report.history.user if report.history else None
    if user is not None and user.activity.get(ActivityKind.TEST, 0):
        yield (
            E.TESTING,
            f"{user.activity[ActivityKind.TEST]:,} lines of tests changed by the user",
            S.GIT_HISTORY,
        )


def _documentation(signals: Signals) -> Iterator[tuple[EvidenceType, str, EvidenceSource]]:
    for label, path in (
        ("README", signals.readme),
        ("docs folder", signals.docs_dir),
        ("changelog", signals.changelog),
        ("contributing guide", signals.contributing),
        ("licence", signals.licence),
    ):
        if path:
            yield E.DOCUMENTATION, f"{label} present ({path})", S.FILE_TREE


def _tool(tool: ToolUse) -> str:
    return f"{tool.name} ({', '.join(tool.sources)})"


def _source(tool: ToolUse) -> EvidenceSource:
    return S.MANIFESTS if any(is_manifest(s) for s in tool.sources) else S.FILE_TREE


def _insights(report: ProjectReport) -> Iterator[tuple[str, EvidenceSource]]:
    if report.languages.primary:
        yield f"primary language: {report.languages.primary}", S.LANGUAGES
    for out in report.tree.left_out:
        yield (
            (
                f"left out of the language shares: {out.files:,} {out.reason} file(s), "
                f"{out.bytes:,} bytes, mostly in {', '.join(out.where)}"
            ),
            S.LANGUAGES,
        )
    history = report.history
    if history is None:
        yield f"{report.tree.files:,} files; not a git repository, so no history", S.FILE_TREE
        return
    if history.user is not None and history.user.commits:
        yield f"the user's role: {history.user.role}", S.GIT_HISTORY
    if history.collaboration.is_collaborative:
        yield "collaborative project (more than one author committed)", S.GIT_HISTORY


def _health(health: HealthScore) -> Iterator[str]:
    yield f"health score {health.score:g}/100 (sum of the components below)"
    for c in health.components:
        yield f"health {c.name}: {c.points:g}/{c.max_points:g} - {c.reason}"


def _ranking(ranked: RankedProject) -> Iterator[str]:
    head = f"ranking score {ranked.computed_score:.2f}/100 = sum of weighted components"
    if ranked.score != ranked.computed_score:
        head += f"; manually set to {ranked.score:.2f}"
    yield head
    for c in ranked.components:
        raw = "unknown" if c.raw is None else f"{c.raw:g}"
        yield (
            f"ranking {c.name}: raw {raw}, normalised {c.normalised:.4f} x weight {c.weight:g} "
            f"-> {c.contribution:.2f} points"
        )
