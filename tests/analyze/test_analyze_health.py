"""Health: every component's points for literal projects, and the 0..100 bound."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mining.analyze.health import HealthScore, health_score, typical_gap_days
from mining.analyze.signals import signals_of
from mining.records import ActivityKind, ProjectReport
from tests.analyze.analyze_factory import NOW, USER, author, detection, dt, history, report

EVERYTHING = (
    "README.md",
    "docs/",
    "CHANGELOG.md",
    "CONTRIBUTING.md",
    "LICENSE",
    ".gitignore",
    "pyproject.toml",
    ".github/workflows/ci.yml",
    "ruff.toml",
    ".prettierrc",
    "mypy.ini",
    ".pre-commit-config.yaml",
    ".editorconfig",
)


def _points(score: HealthScore) -> dict[str, float]:
    return {c.name: c.points for c in score.components}


def _health(r: ProjectReport) -> HealthScore:
    return health_score(r.history, signals_of(r), NOW)


def _weekly(first: date, weeks: int, every: int = 1) -> dict[date, int]:
    return {first + timedelta(weeks=w): 1 for w in range(0, weeks, every)}


def test_a_model_project_scores_100() -> None:
    h = history(
        first=dt(2023, 10, 2),
        last=NOW,
        authors=[author(USER, 6, 60.0), author("bob@example.com", 4, 40.0)],
        bus_factor=2,
        calendar=_weekly(date(2023, 10, 2), 14),
    )
    r = report(history=h, notable=EVERYTHING, counts={ActivityKind.CODE: 10, ActivityKind.TEST: 5})
    score = _health(r)
    assert score.score == 100.0
    assert all(c.points == c.max_points for c in score.components)
    assert sum(c.max_points for c in score.components) == 100


def test_an_empty_folder_scores_0_and_says_why() -> None:
    score = _health(report(counts={ActivityKind.CODE: 3}))
    assert score.score == 0.0
    reasons = {c.name: c.reason for c in score.components}
    assert reasons["recent_activity"] == "no git history"
    assert reasons["licence"] == "no licence file found"
    assert reasons["tests"] == "0 test files for 3 code files (ratio 0.00, full marks at 0.5)"


def test_documentation_and_tests_budgets() -> None:
    r = report(
        notable=("README.rst", "CONTRIBUTING.md"),
        counts={ActivityKind.CODE: 20, ActivityKind.TEST: 2},
        frameworks=[detection("pytest", "testing")],
    )
    points = _points(_health(r))
    assert points["documentation"] == 10  # README 8 + contributing 2
    assert points["tests"] == 8 + 12 * (0.1 / 0.5)  # 10.4
    assert points["dependencies"] == 5  # the detection's pyproject.toml is a manifest


def test_code_quality_counts_each_kind_once() -> None:
    r = report(
        notable=(".flake8", "ruff.toml", ".editorconfig"),
        frameworks=[detection("Ruff", "linter"), detection("Black", "formatter")],
    )
    component = {c.name: c for c in _health(r).components}["code_quality"]
    assert component.points == 4 + 2 + 2  # linter, formatter, hygiene; no type checker
    assert component.reason == ("linter: Flake8, Ruff; formatter: Black; hygiene: EditorConfig")


def test_recent_activity_is_relative_to_the_repository_lifetime() -> None:
    # Two years of weekly commits, silent for two more: tolerance = max(30, 4 x 7, 731 / 2)
    long_lived = history(
        first=dt(2020, 1, 1), last=dt(2022, 1, 1), calendar=_weekly(date(2020, 1, 1), 105)
    )
    score = _health(report(history=long_lived))
    recent = {c.name: c for c in score.components}["recent_activity"]
    assert recent.points == round(15 * 365.5 / 730, 2) == 7.51
    assert "tolerance 365.5 days" in recent.reason

    # A week-long project 60 days ago: tolerance = max(30, 4 x 6, 6 / 2) = 30
    short = history(
        first=NOW - timedelta(days=66),
        last=NOW - timedelta(days=60),
        calendar={date(2023, 10, 27): 1, date(2023, 11, 2): 1},
    )
    assert _points(_health(report(history=short)))["recent_activity"] == 7.5


def test_regularity_is_the_share_of_active_weeks() -> None:
    def regularity(every: int) -> float:
        h = history(
            first=dt(2023, 1, 2),
            last=dt(2023, 2, 20),
            calendar=_weekly(date(2023, 1, 2), 8, every),
        )
        return _points(_health(report(history=h)))["regularity"]

    assert regularity(1) == 10  # 8 of 8 weeks
    assert regularity(2) == 10  # 4 of 8: every other week is full marks
    assert regularity(4) == 5  # 2 of 8


def test_contributors() -> None:
    solo = _points(_health(report(history=history())))
    pair = history(authors=[author(USER, 9, 90.0), author("b@x.com", 1, 10.0)], bus_factor=1)
    assert solo["contributors"] == 0
    assert _points(_health(report(history=pair)))["contributors"] == 2


def test_typical_gap() -> None:
    assert (
        typical_gap_days({date(2023, 1, 1): 1, date(2023, 1, 4): 2, date(2023, 1, 14): 1}, 13)
        == 6.5
    )
    assert typical_gap_days({date(2023, 1, 1): 1}, 40) == 40


notables = st.lists(st.sampled_from(EVERYTHING), unique=True)
small = st.integers(min_value=0, max_value=500)
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2023, 12, 31))


@given(notables, small, small, st.lists(days, min_size=1, max_size=30), st.integers(1, 5))
def test_health_is_between_0_and_100(
    notable: list[str], code: int, tests: int, active: list[date], bus: int
) -> None:
    first, last = min(active), max(active)
    h = history(
        first=dt(first.year, first.month, first.day),
        last=dt(last.year, last.month, last.day),
        calendar=dict.fromkeys(active, 1),
        authors=[author(f"a{i}@x.com", 1, 100 / bus) for i in range(bus)],
        bus_factor=bus,
    )
    r = report(
        history=h, notable=notable, counts={ActivityKind.CODE: code, ActivityKind.TEST: tests}
    )
    score = _health(r)
    assert 0 <= score.score <= 100
    assert all(0 <= c.points <= c.max_points for c in score.components)
