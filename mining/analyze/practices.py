"""Practices of a project or of the user in it, as a table of rules (`PRACTICE_RULES`).

Each rule reads what was seen (`Seen`: the report, its signals at HEAD, the scope credited) and
returns the sentences that show its practice, or () when the practice is not shown:

    Testing          test files or a test framework at HEAD; for the user, their first commit
                     changing a test file (so the practice is dated)
    Documentation    a README, docs/ folder or changelog; for the user, their first docs commit
    CI/CD, Linting,  the tools of those kinds at HEAD; for the user only the tools credited to
    Formatting, ...  them (analyze/attribution.py) and only if they changed configuration lines
    Code Review      merge commits in the history (project scope only: git does not say who
                     merged)
    Releases         tags in the repository (project scope only, likewise)

The rules run in table order, which is the order the practices are listed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mining.analyze import catalogue as cat
from mining.analyze.attribution import credit_tool
from mining.analyze.scope import Scope, Usage
from mining.analyze.signals import Signals, ToolUse
from mining.records import ActivityKind, ProjectReport

Facts = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Seen:
    """What a practice rule reads. `only_project`: no user to credit (project scope, or no
    history), so project facts are enough."""

    report: ProjectReport
    signals: Signals
    scope: Scope | None

    @property
    def only_project(self) -> bool:
        return self.scope is None or not self.scope.is_user

    def lines(self, kind: ActivityKind) -> int:
        """Lines of `kind` the scope changed (0 without history)."""
        return self.scope.activity.get(kind, 0) if self.scope is not None else 0

    def who(self) -> str:
        return self.scope.who if self.scope is not None else "anyone (no history)"

    def first(self, kind: ActivityKind) -> str:
        """ ", the first on YYYY-MM-DD": the user's first commit changing files of `kind`; ""
        for the project's scope or when the user changed none (the practice is not theirs)."""
        history = self.report.history
        if self.only_project or history is None or history.user is None:
            return ""
        first = history.user.activity_first.get(kind)
        return "" if first is None else f", the first on {first:%Y-%m-%d}"


def _testing(seen: Seen) -> Facts:
    signals, since = seen.signals, seen.first(ActivityKind.TEST)
    if not (signals.test_files or signals.test_frameworks) or not (seen.only_project or since):
        return ()
    frameworks = ", ".join(t.name for t in signals.test_frameworks) or "no detected framework"
    return (
        f"{signals.test_files:,} test files at HEAD ({frameworks}); "
        f"{seen.lines(ActivityKind.TEST):,} lines of tests changed by {seen.who()}{since}",
    )


def _documentation(seen: Seen) -> Facts:
    signals, since = seen.signals, seen.first(ActivityKind.DOCS)
    docs = [p for p in (signals.readme, signals.docs_dir, signals.changelog) if p]
    if not docs or not (seen.only_project or since):
        return ()
    return (
        f"documentation: {', '.join(docs)}; {seen.lines(ActivityKind.DOCS):,} lines of docs "
        f"changed by {seen.who()}{since}",
    )


def _tools(practice: cat.Practice, *kinds: str) -> Callable[[Seen], Facts]:
    """The rule of a practice shown by tools of `kinds` (signals.py's tool kinds)."""

    def rule(seen: Seen) -> Facts:
        tools, why = _credited(seen, seen.signals.of_kind(*kinds))
        if not tools or not (seen.only_project or seen.lines(ActivityKind.CONFIG)):
            return ()
        names = ", ".join(t.name for t in tools)
        files = ", ".join(sorted({s for t in tools for s in t.sources}))
        return (f"{practice.value} with {names} ({files})", *why)

    return rule


def _credited(seen: Seen, tools: tuple[ToolUse, ...]) -> tuple[tuple[ToolUse, ...], list[str]]:
    """The tools the scope is credited with, and for the user the sentence proving each."""
    if seen.only_project:
        return tools, []
    credited = {t.name: _credited_tool(seen.report, t.sources, t.name) for t in tools}
    kept = tuple(t for t in tools if credited[t.name])
    return kept, [f"{t.name}: {credited[t.name]}" for t in kept]


def _credited_tool(report: ProjectReport, sources: tuple[str, ...], name: str) -> str | None:
    """The sentence proving the user's own work with the tool, or None."""
    history = report.history
    if history is None or history.user is None:
        return None
    return credit_tool(history, history.user, sources, name)


def _code_review(seen: Seen) -> Facts:
    history = seen.report.history
    if history is None or not seen.only_project or not history.merges:
        return ()
    return (f"{history.merges:,} merge commits in the history",)


def _releases(seen: Seen) -> Facts:
    history = seen.report.history
    if history is None or not seen.only_project or not history.tags:
        return ()
    return (f"{history.tags:,} tags (releases) in the repository",)


P = cat.Practice
PRACTICE_RULES: tuple[tuple[cat.Practice, Callable[[Seen], Facts]], ...] = (
    (P.TESTING, _testing),
    (P.DOCUMENTATION, _documentation),
    (P.CI_CD, _tools(P.CI_CD, "ci")),
    (P.CONTAINERS, _tools(P.CONTAINERS, "container")),
    (P.LINTING, _tools(P.LINTING, "linter")),
    (P.FORMATTING, _tools(P.FORMATTING, "formatter")),
    (P.TYPE_CHECKING, _tools(P.TYPE_CHECKING, "type_checker")),
    (P.INFRASTRUCTURE, _tools(P.INFRASTRUCTURE, "infrastructure")),
    (P.CODE_REVIEW, _code_review),
    (P.RELEASES, _releases),
)


def practice_facts(
    report: ProjectReport, signals: Signals, scope: Scope | None
) -> dict[cat.Practice, Facts]:
    """The practices shown, each with its supporting sentences, in table order."""
    seen = Seen(report, signals, scope)
    return {practice: facts for practice, rule in PRACTICE_RULES if (facts := rule(seen))}


# The lines that measure a practice; the others are measured through configuration lines.
_MEASURED_BY = {P.TESTING: ActivityKind.TEST, P.DOCUMENTATION: ActivityKind.DOCS}


def practice_usage(practice: cat.Practice, report: ProjectReport, scope: Scope | None) -> Usage:
    """How much the scope did of a practice: merges or tags for review and releases, else the
    scope's share of the lines of its kind (configuration for the tool practices)."""
    if scope is None:
        return Usage()
    history = report.history
    if practice is P.CODE_REVIEW and history is not None:
        return scope.usage.with_volume(lines=0, commits=history.merges, files=0)
    if practice is P.RELEASES and history is not None:
        return scope.usage.with_volume(lines=0, commits=history.tags, files=0)
    kind = _MEASURED_BY.get(practice, ActivityKind.CONFIG)
    return scope.share_of(kind, report.tree.counts.get(kind, 0))
