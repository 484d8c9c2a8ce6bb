"""Whether a declared tool, framework, CI system, linter or database is the user's, and why.

A detection found at HEAD is a fact about the project. It becomes the user's skill only on
evidence of the user's own work with it, from the one history pass (History.touches and the
user's per-language activity):

1. the user changed one of its own files: the tool's configuration or workflow files
   (ToolUse.sources: .eslintrc, a workflow, tsconfig.json) - "the user changed
   .github/workflows/ci.yml (14 commits, 2016-04 to 2025-11)"; or, in a shared manifest
   declaring many packages (package.json, pyproject.toml, go.mod, pom.xml, Gemfile ...:
   frameworks.is_shared_manifest), the user's own added or changed lines name it
   (History.user_declared, from those files' diffs) - editing a package.json to bump React is
   no work with the 40 other packages it declares. In a configuration file naming several
   tools (.pre-commit-config.yaml) only the user's commits at or after the tool entered it
   count (History.tool_touches, from the same diffs): a touch before Ruff was added to the
   file is no work with Ruff; or
2. for a dependency of a language ecosystem (a framework, library, database driver, test
   library), the user changed code in one of the ecosystem's languages while it was surely
   declared. History has the paths, not the contents, of each revision, so "surely declared"
   is taken conservatively: since the *last* change to a shared manifest (package.json,
   pyproject.toml, go.mod, gradle/libs.versions.toml, *.gemspec, Directory.Packages.props ...:
   the dependency may have been added by that change) or since
   the *first* commit of a file that exists only for the tool (a workflow, .eslintrc,
   tsconfig.json: the tool came with the file). The user's last commit in the ecosystem's
   languages must be on or after that date.

CI systems, linters, formatters, type checkers, build and container tools (configuration-
measured categories) are credited by rule 1 only: writing Python while a workflow file
exists is not CI work. An author who left before a tool was added touched none of its files
and wrote no code after it came, so gets no credit. Nothing here computes a proficiency for a
skill the user only inherited: such a detection is simply not among the user's skills.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mining.analyze import catalogue as cat
from mining.analyze.signals import Signals, is_manifest
from mining.records import DeclaredEdit, Detection, FileTouch, History, UserStats
from mining.tree import frameworks

CONFIG_MEASURED = frozenset(
    {"ci", "linter", "formatter", "type_checker", "build", "container", "infrastructure"}
)


def credit(
    history: History,
    user: UserStats,
    signals: Signals,
    detection: Detection,
    sources: Sequence[str],
) -> str | None:
    """The sentence proving the user's own work with `detection`, or None (module docstring)."""
    tool = signals.tool(detection.name)
    files = sorted({*sources, *(tool.sources if tool is not None else ())})
    own = _own(history, [p for p in files if not frameworks.is_shared_manifest(p)], detection.name)
    if own:
        return _changed(own)
    lines = [e for e in history.user_declared if e.name == detection.name and e.path in files]
    if lines:
        return _declared_lines(detection, lines)
    if detection.category in CONFIG_MEASURED:
        return None
    return _while_declared(history, user, detection, sources)


def credit_tool(history: History, user: UserStats, sources: Sequence[str], name: str) -> str | None:
    """Rule 1 alone, for a tool known from its files (a workflow, .pre-commit-config.yaml)."""
    own = _own(history, sources, name)
    return _changed(own) if own else None


def _own(history: History, paths: Sequence[str], name: str) -> list[tuple[str, FileTouch]]:
    """The user's touches of each path while `name` was in it: in a configuration file naming
    several tools (History.tool_touches) only those at or after the tool entered the file; a
    tool's own file (a workflow, ruff.toml) came with the tool, so all of them."""
    entered = {t.path: t for t in history.tool_touches if t.name.casefold() == name.casefold()}
    own = []
    for path in paths:
        touch = history.touches.get(path)
        tool = entered.get(path)
        if tool is not None:
            touch = FileTouch(
                tool.introduced, tool.introduced, tool.user_commits, tool.user_first, tool.user_last
            )
        if touch is not None and touch.user_commits:
            own.append((path, touch))
    return own


def _declared_lines(detection: Detection, edits: list[DeclaredEdit]) -> str:
    commits = sum(e.commits for e in edits)
    first = min(e.first for e in edits)
    last = max(e.last for e in edits)
    names = ", ".join(sorted({e.path for e in edits}))
    return (
        f"the user added or changed the lines declaring {detection.name} in {names} "
        f"({commits:,} commit(s), {first:%Y-%m-%d} to {last:%Y-%m-%d})"
    )


def _changed(own: list[tuple[str, FileTouch]]) -> str:
    commits = sum(t.user_commits for _, t in own)
    first = min(t.user_first for _, t in own if t.user_first is not None)
    last = max(t.user_last for _, t in own if t.user_last is not None)
    names = ", ".join(p for p, _ in own[:3]) + (f" and {len(own) - 3} more" if len(own) > 3 else "")
    return f"the user changed {names} ({commits:,} commit(s), {first:%Y-%m-%d} to {last:%Y-%m-%d})"


def declared_since(history: History, sources: Sequence[str]) -> datetime | None:
    """The earliest date the detection is surely declared from (module docstring, rule 2)."""
    dates = []
    for path in sources:
        touch = history.touches.get(path)
        if touch is not None:
            shared = is_manifest(path) or frameworks.is_shared_manifest(path)
            dates.append(touch.last if shared else touch.first)
    return min(dates, default=None)


def _while_declared(
    history: History, user: UserStats, detection: Detection, sources: Sequence[str]
) -> str | None:
    since = declared_since(history, sources)
    names = cat.ECOSYSTEM_LANGUAGES.get(detection.ecosystem, ())
    if since is None or not names:
        return None
    used = [n for n in names if n in user.languages and user.languages[n].last >= since]
    if not used:
        return None
    last = max(user.languages[n].last for n in used)
    return (
        f"the user changed {'/'.join(used)} code while {detection.name} was declared "
        f"({', '.join(sources)} declares it, unchanged since {since:%Y-%m-%d}; the user's "
        f"last such commit {last:%Y-%m-%d})"
    )
