"""Health, component by component: each budget on its own, and the reason shown for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from mining.analyze.health import HealthComponent, HealthScore, health_score, typical_gap_days
from mining.analyze.signals import signals_of
from mining.records import ActivityKind, ProjectReport
from tests.analyze.analyze_factory import NOW, USER, author, detection, dt, history, report


def _health(r: ProjectReport) -> HealthScore:
    return health_score(r.history, signals_of(r), NOW)


def _component(r: ProjectReport, name: str) -> HealthComponent:
    return {c.name: c for c in _health(r).components}[name]


def _shown(r: ProjectReport, name: str) -> tuple[float, float, str]:
    c = _component(r, name)
    return c.points, c.max_points, c.reason


def test_the_ten_components_in_order_with_their_budgets() -> None:
    score = _health(report())
    assert [(c.name, c.max_points) for c in score.components] == [
        ("documentation", 15),
        ("licence", 5),
        ("tests", 20),
        ("ci", 10),
        ("recent_activity", 15),
        ("regularity", 10),
        ("contributors", 5),
        ("code_quality", 10),
        ("dependencies", 5),
        ("gitignore", 5),
    ]


def test_each_documentation_part_earns_its_own_points() -> None:
    def documentation(*notable: str) -> tuple[float, float, str]:
        return _shown(report(notable=notable), "documentation")

    assert documentation() == (
        0,
        15,
        "missing README, docs folder, changelog, contributing guide",
    )
    assert documentation("README.md")[0] == 8
    assert documentation("docs/")[0] == 3
    assert documentation("CHANGELOG.md")[0] == 2
    assert documentation("CONTRIBUTING.md")[0] == 2
    assert documentation("docs/", "CHANGELOG.md") == (
        5,
        15,
        "has docs folder (docs/), changelog (CHANGELOG.md); missing README, contributing guide",
    )
    assert documentation("README.md", "docs/", "CHANGELOG.md", "CONTRIBUTING.md") == (
        15,
        15,
        "has README (README.md), docs folder (docs/), changelog (CHANGELOG.md), "
        "contributing guide (CONTRIBUTING.md)",
    )


def test_licence_dependencies_and_gitignore_name_the_file_found() -> None:
    bare = report()
    assert _shown(bare, "licence") == (0, 5, "no licence file found")
    assert _shown(bare, "dependencies") == (0, 5, "no manifest found")
    assert _shown(bare, "gitignore") == (0, 5, "no .gitignore found")

    full = report(notable=("COPYING", ".gitignore", "package.json", "sub/pyproject.toml"))
    assert _shown(full, "licence") == (5, 5, "licence file: COPYING")
    # The shallowest manifest is the one named.
    assert _shown(full, "dependencies") == (5, 5, "manifest: package.json")
    assert _shown(full, "gitignore") == (5, 5, ".gitignore: .gitignore")


def test_tests_need_either_test_files_or_a_framework_for_the_base_points() -> None:
    files_only = report(counts={ActivityKind.CODE: 10, ActivityKind.TEST: 1})
    assert _shown(files_only, "tests") == (
        8 + 12 * 0.2,
        20,
        "1 test files for 10 code files (ratio 0.10, full marks at 0.5)",
    )
    framework_only = report(
        counts={ActivityKind.CODE: 10},
        frameworks=[detection("pytest", "testing"), detection("Hypothesis", "testing")],
    )
    assert _shown(framework_only, "tests") == (
        8,
        20,
        "0 test files for 10 code files (ratio 0.00, full marks at 0.5); "
        "frameworks: Hypothesis, pytest",
    )
    # More tests than code is still 20 of 20.
    many = report(counts={ActivityKind.CODE: 2, ActivityKind.TEST: 6})
    assert _component(many, "tests").points == 20


def test_ci_names_every_ci_system_and_only_ci() -> None:
    ci = report(notable=(".github/workflows/ci.yml", ".gitlab-ci.yml", "Dockerfile"))
    assert _shown(ci, "ci") == (10, 10, "CI: GitHub Actions, GitLab CI")
    docker_only = report(notable=("Dockerfile",))
    assert _shown(docker_only, "ci") == (0, 10, "no CI configuration found")


def test_code_quality_budgets_per_kind() -> None:
    def quality(*notable: str) -> tuple[float, float, str]:
        return _shown(report(notable=notable), "code_quality")

    assert quality() == (0, 10, "no linter, formatter or type checker configured")
    assert quality(".flake8") == (4, 10, "linter: Flake8")
    assert quality(".prettierrc") == (2, 10, "formatter: Prettier")
    assert quality("mypy.ini") == (2, 10, "type checker: mypy")
    assert quality(".editorconfig") == (2, 10, "hygiene: EditorConfig")
    assert quality(".flake8", ".prettierrc", "mypy.ini", ".editorconfig")[:2] == (10, 10)


def test_without_history_the_history_components_say_so() -> None:
    no_dates = replace(history(), first_commit=None, last_commit=None)
    no_last = replace(history(), last_commit=None)
    no_first = replace(history(), first_commit=None)
    for r in (report(), *(report(history=h) for h in (no_dates, no_last, no_first))):
        shown = [_shown(r, name) for name in ("recent_activity", "regularity", "contributors")]
        assert shown == [
            (0, 15, "no git history"),
            (0, 10, "no git history"),
            (0, 5, "no git history"),
        ]


def test_recent_activity_reason_shows_the_tolerance_it_used() -> None:
    h = history(
        first=NOW - timedelta(days=66),
        last=NOW - timedelta(days=60),
        calendar={date(2023, 10, 27): 1, date(2023, 11, 2): 1},
    )
    assert _shown(report(history=h), "recent_activity") == (
        7.5,
        15,
        "last commit 60 days ago; tolerance 30 days = max(30, 4 x typical gap 6, lifetime 6 / 2)",
    )


def test_a_typical_gap_of_ten_days_gives_forty_days_of_tolerance() -> None:
    # Active every ten days over 30 days, silent for 80: tolerance = max(30, 40, 15) = 40.
    start = date(2023, 9, 13)
    h = history(
        first=dt(2023, 9, 13),
        last=dt(2023, 10, 13),
        calendar={start + timedelta(days=10 * i): 1 for i in range(4)},
    )
    recent = _component(report(history=h), "recent_activity")
    assert "tolerance 40 days" in recent.reason
    assert "last commit 80 days ago" in recent.reason
    assert recent.points == 7.5


def test_a_commit_today_or_dated_after_now_is_full_marks() -> None:
    for last in (NOW, NOW + timedelta(days=3)):
        h = history(first=NOW - timedelta(days=10), last=last, calendar={date(2023, 12, 22): 1})
        recent = _component(report(history=h), "recent_activity")
        assert recent.points == 15
        assert recent.reason.startswith("last commit 0 days ago;")


def test_a_first_commit_after_the_last_counts_as_no_lifetime() -> None:
    # Author dates can go backwards; the lifetime is then 0, not negative.
    h = history(first=NOW - timedelta(days=10), last=NOW - timedelta(days=100), calendar={})
    recent = _component(report(history=h), "recent_activity")
    assert "typical gap 0, lifetime 0 / 2" in recent.reason
    assert recent.points == round(15 * 30 / 100, 2)


def test_days_without_commits_are_not_active_days() -> None:
    calendar = {date(2023, 1, 1): 1, date(2023, 1, 2): 0, date(2023, 1, 11): 2}
    assert typical_gap_days(calendar, 99) == 10
    assert typical_gap_days({date(2023, 1, 1): 0}, 7) == 7.0


def test_regularity_reason_and_weeks_counted_from_mondays() -> None:
    # Sunday 2023-01-08 to Monday 2023-01-09: two ISO weeks, both active.
    h = history(
        first=dt(2023, 1, 8),
        last=dt(2023, 1, 9),
        calendar={date(2023, 1, 8): 1, date(2023, 1, 9): 1},
    )
    assert _shown(report(history=h), "regularity") == (
        10,
        10,
        "commits in 2 of 2 weeks of the lifespan (100%)",
    )
    # One active week of eight (weeks with a zero count are not active): 1/8 -> 2.5 points.
    sparse = history(
        first=dt(2023, 1, 2),
        last=dt(2023, 2, 20),
        calendar={date(2023, 1, 2): 3, date(2023, 1, 16): 0},
    )
    assert _shown(report(history=sparse), "regularity") == (
        2.5,
        10,
        "commits in 1 of 8 weeks of the lifespan (12%)",
    )


def test_two_days_of_one_week_are_one_active_week() -> None:
    h = history(
        first=dt(2023, 1, 2),
        last=dt(2023, 1, 9),
        calendar={date(2023, 1, 2): 1, date(2023, 1, 4): 1},
    )
    assert _component(report(history=h), "regularity").reason == (
        "commits in 1 of 2 weeks of the lifespan (50%)"
    )


def test_regularity_share_is_capped_at_the_whole_lifespan() -> None:
    # A calendar wider than first..last (clock skew) does not show more than 100 %.
    h = history(
        first=dt(2023, 1, 2),
        last=dt(2023, 1, 3),
        calendar={date(2023, 1, 2): 1, date(2023, 3, 6): 1},
    )
    assert _component(report(history=h), "regularity").reason == (
        "commits in 2 of 1 weeks of the lifespan (100%)"
    )


def test_contributors_two_points_for_authors_three_for_the_bus_factor() -> None:
    def contributors(authors: int, bus: int) -> tuple[float, float, str]:
        people = [author(f"a{i}@x.com", 1, 100 / authors) for i in range(authors)]
        return _shown(report(history=history(authors=people, bus_factor=bus)), "contributors")

    assert contributors(1, 1) == (0, 5, "1 author(s), bus factor 1")
    assert contributors(2, 1) == (2, 5, "2 author(s), bus factor 1")
    assert contributors(3, 2) == (5, 5, "3 author(s), bus factor 2")
    assert contributors(1, 2)[0] == 3


def test_the_total_is_the_sum_rounded_to_a_tenth() -> None:
    # tests 8 + 12 x (2/30 / 0.5) = 9.6; licence 5; regularity 10 (one day, one week);
    # recent activity 15 x 30/365 = 1.23 (one day a year ago): 25.83, shown as 25.8.
    h = history(
        first=NOW - timedelta(days=365),
        last=NOW - timedelta(days=365),
        calendar={date(2023, 1, 1): 1},
        authors=[author(USER, 1, 100.0)],
    )
    r = report(
        history=h, notable=("LICENSE",), counts={ActivityKind.CODE: 30, ActivityKind.TEST: 2}
    )
    score = _health(r)
    points = {c.name: c.points for c in score.components}
    assert (points["tests"], points["recent_activity"]) == (9.6, 1.23)
    assert score.score == 25.8
