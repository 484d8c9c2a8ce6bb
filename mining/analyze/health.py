"""Repository health, 0..100: the sum of ten components with fixed point budgets.

    documentation    15  README 8, docs/ folder 3, changelog 2, contributing guide 2
    licence           5  a LICENSE/COPYING file
    tests            20  8 for having tests (test files or a test framework)
                         + 12 x min(1, ratio / 0.5), ratio = test files / code files at HEAD
                         (one test file per two code files earns the full 12)
    ci               10  any CI configuration (GitHub Actions, GitLab CI, Jenkins, ...)
    recent_activity  15  15 x min(1, tolerance / max(gap, 1)), see below
    regularity       10  10 x min(1, share / 0.5), share = active ISO weeks / weeks in the
                         lifespan (first..last commit): committing in every other week is full marks
    contributors      5  2 for two or more authors + 3 for a bus factor of two or more
    code_quality     10  linter (pre-commit counts) 4, formatter 2, type checker 2, EditorConfig 2
    dependencies      5  a dependency manifest (package.json, pyproject.toml, go.mod, ...)
    gitignore         5  a .gitignore

Recent activity is judged against the repository's own rhythm, so a finished project is not
punished twice (regularity already looks at its lifespan only):

    gap       = days from the last commit to `now`
    typical   = median days between consecutive active days (the lifetime if fewer than two)
    tolerance = max(30, 4 x typical, lifetime / 2)

A project that committed weekly for two years keeps full marks for a year of silence; one that
lived a week loses half its points after two months. Without history (plain folders, empty
repositories) recent_activity, regularity and contributors score 0 and say why.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mining.analyze.signals import Signals
from mining.records import History

TEST_RATIO_TARGET = 0.5
REGULARITY_TARGET = 0.5
MIN_TOLERANCE_DAYS = 30


@dataclass(frozen=True, slots=True)
class HealthComponent:
    name: str
    points: float
    max_points: float
    reason: str


@dataclass(frozen=True, slots=True)
class HealthScore:
    score: float  # 0..100, the sum of the components' points, rounded to 0.1
    components: tuple[HealthComponent, ...]


def health_score(history: History | None, signals: Signals, now: datetime) -> HealthScore:
    components = (
        _documentation(signals),
        _flag("licence", 5, signals.licence, "licence file"),
        _tests(signals),
        _ci(signals),
        *_history_components(history, now),
        _code_quality(signals),
        _flag("dependencies", 5, signals.manifests[0] if signals.manifests else None, "manifest"),
        _flag("gitignore", 5, ".gitignore" if signals.gitignore else None, ".gitignore"),
    )
    total = round(sum(c.points for c in components), 1)
    return HealthScore(min(100.0, max(0.0, total)), components)


def _component(name: str, points: float, max_points: float, reason: str) -> HealthComponent:
    return HealthComponent(name, round(points, 2), max_points, reason)


def _flag(name: str, budget: float, found: str | None, what: str) -> HealthComponent:
    if found is None:
        return _component(name, 0, budget, f"no {what} found")
    return _component(name, budget, budget, f"{what}: {found}")


def _documentation(signals: Signals) -> HealthComponent:
    parts = (
        (signals.readme, 8, "README"),
        (signals.docs_dir, 3, "docs folder"),
        (signals.changelog, 2, "changelog"),
        (signals.contributing, 2, "contributing guide"),
    )
    points = sum(budget for path, budget, _ in parts if path)
    have = [f"{label} ({path})" for path, _, label in parts if path]
    missing = [label for path, _, label in parts if not path]
    reason = "; ".join(
        s for s in (f"has {', '.join(have)}" if have else "", _missing(missing)) if s
    )
    return _component("documentation", points, 15, reason)


def _missing(labels: list[str]) -> str:
    return f"missing {', '.join(labels)}" if labels else ""


def _tests(signals: Signals) -> HealthComponent:
    has_tests = bool(signals.test_files or signals.test_frameworks)
    ratio = signals.test_ratio
    points = (8 if has_tests else 0) + 12 * min(1.0, ratio / TEST_RATIO_TARGET)
    reason = (
        f"{signals.test_files} test files for {signals.code_files} code files "
        f"(ratio {ratio:.2f}, full marks at {TEST_RATIO_TARGET})"
    )
    if signals.test_frameworks:
        reason += "; frameworks: " + ", ".join(t.name for t in signals.test_frameworks)
    return _component("tests", points, 20, reason)


def _ci(signals: Signals) -> HealthComponent:
    tools = signals.of_kind("ci")
    if not tools:
        return _component("ci", 0, 10, "no CI configuration found")
    return _component("ci", 10, 10, "CI: " + ", ".join(t.name for t in tools))


def _code_quality(signals: Signals) -> HealthComponent:
    budgets = {"linter": 4, "formatter": 2, "type_checker": 2, "hygiene": 2}
    points, found = 0, []
    for kind, budget in budgets.items():
        tools = signals.of_kind(kind)
        if tools:
            points += budget
            found.append(f"{kind.replace('_', ' ')}: {', '.join(t.name for t in tools)}")
    reason = "; ".join(found) if found else "no linter, formatter or type checker configured"
    return _component("code_quality", points, 10, reason)


def _history_components(history: History | None, now: datetime) -> tuple[HealthComponent, ...]:
    if history is None or history.first_commit is None or history.last_commit is None:
        return (
            _component("recent_activity", 0, 15, "no git history"),
            _component("regularity", 0, 10, "no git history"),
            _component("contributors", 0, 5, "no git history"),
        )
    first, last = history.first_commit, history.last_commit
    return (
        _recent_activity(first, last, history.calendar, now),
        _regularity(first, last, history.calendar),
        _contributors(history),
    )


def typical_gap_days(calendar: Mapping[date, int], lifetime_days: int) -> float:
    """Median days between consecutive active days; the lifetime with fewer than two."""
    days = sorted(d for d, n in calendar.items() if n > 0)
    gaps = sorted((b - a).days for a, b in itertools.pairwise(days))
    return float(_median(gaps)) if gaps else float(lifetime_days)


def _median(ordered: list[int]) -> float:
    """statistics.median of a sorted, non-empty list, as it computes it: statistics imports
    fractions and decimal (~5 ms), for this one call."""
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _recent_activity(
    first: datetime, last: datetime, calendar: Mapping[date, int], now: datetime
) -> HealthComponent:
    lifetime = max(0, (last - first).days)
    typical = typical_gap_days(calendar, lifetime)
    tolerance = max(MIN_TOLERANCE_DAYS, 4 * typical, lifetime / 2)
    gap = max(0, (now - last).days)
    points = 15 * min(1.0, tolerance / max(gap, 1))
    reason = (
        f"last commit {gap} days ago; tolerance {tolerance:g} days = max(30, 4 x typical gap "
        f"{typical:g}, lifetime {lifetime} / 2)"
    )
    return _component("recent_activity", points, 15, reason)


def _regularity(first: datetime, last: datetime, calendar: Mapping[date, int]) -> HealthComponent:
    weeks = {d.isocalendar()[:2] for d, n in calendar.items() if n > 0}
    lifespan = (_monday(last.date()) - _monday(first.date())).days // 7 + 1
    share = min(1.0, len(weeks) / lifespan)
    points = 10 * min(1.0, share / REGULARITY_TARGET)
    reason = f"commits in {len(weeks)} of {lifespan} weeks of the lifespan ({share:.0%})"
    return _component("regularity", points, 10, reason)


def _contributors(history: History) -> HealthComponent:
    authors = len(history.collaboration.authors)
    bus = history.collaboration.bus_factor
    points = (2 if authors >= 2 else 0) + (3 if bus >= 2 else 0)
    reason = f"{authors} author(s), bus factor {bus}"
    return _component("contributors", points, 5, reason)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
