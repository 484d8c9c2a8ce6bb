"""Practices rule by rule: what each shows for a folder, for a project's contributors and for
the user, the sentences it writes, and how much of it each scope did."""

from __future__ import annotations

from dataclasses import replace

from mining.analyze import catalogue as cat
from mining.analyze.practices import Seen, _tools, practice_facts, practice_usage
from mining.analyze.scope import Scope, project_scope, user_scope
from mining.analyze.signals import signals_of
from mining.records import ActivityKind, FileTouch, ProjectReport, ToolTouch
from tests.analyze.analyze_factory import detection, dt, history, report, user_stats

P = cat.Practice


def _facts(r: ProjectReport, scope: Scope | None) -> dict[cat.Practice, tuple[str, ...]]:
    return practice_facts(r, signals_of(r), scope)


def test_a_folder_without_history_shows_its_files_for_anyone() -> None:
    r = report(
        notable=("README.md", "docs/", ".flake8", "ruff.toml"),
        counts={ActivityKind.TEST: 2},
    )
    assert _facts(r, None) == {
        P.TESTING: (
            "2 test files at HEAD (no detected framework); 0 lines of tests changed by anyone "
            "(no history)",
        ),
        P.DOCUMENTATION: (
            "documentation: README.md, docs/; 0 lines of docs changed by anyone (no history)",
        ),
        P.LINTING: ("Linting with Flake8, Ruff (.flake8, ruff.toml)",),
    }


def test_a_tool_rule_names_every_tool_of_its_kind_and_their_files() -> None:
    # The rules are built when the module loads; this one is built here, for a kind of its own.
    rule = _tools(P.FORMATTING, "formatter")
    r = report(notable=(".prettierrc", "web/.prettierrc.json", "rustfmt.toml"))
    assert rule(Seen(r, signals_of(r), None)) == (
        "Code Formatting with Prettier, rustfmt (.prettierrc, rustfmt.toml, web/.prettierrc.json)",
    )
    assert rule(Seen(report(), signals_of(report()), None)) == ()


def test_the_projects_scope_counts_everyones_lines_and_dates_nothing() -> None:
    # The history has a user, but the project's scope is everyone's: no "first on" date.
    h = history(
        activity={ActivityKind.CODE: 900, ActivityKind.DOCS: 120},
        user=user_stats(activity={ActivityKind.TEST: 30, ActivityKind.DOCS: 5}),
    )
    r = report(
        history=h,
        notable=("README.md",),
        counts={ActivityKind.TEST: 4},
        frameworks=[detection("pytest", "testing"), detection("Hypothesis", "testing")],
    )
    facts = _facts(r, project_scope(r))
    assert facts[P.TESTING] == (
        "4 test files at HEAD (Hypothesis, pytest); 0 lines of tests changed by all contributors",
    )
    assert facts[P.DOCUMENTATION] == (
        "documentation: README.md; 120 lines of docs changed by all contributors",
    )


def test_no_documentation_file_is_no_documentation_practice() -> None:
    h = history(activity={ActivityKind.DOCS: 50})
    r = report(history=h, notable=("CONTRIBUTING.md",))
    assert P.DOCUMENTATION not in _facts(r, project_scope(r))


def test_review_and_releases_are_the_projects_not_the_users() -> None:
    user = user_stats(commits=5)
    tagged = report(history=history(merges=3, tags=2, user=user))
    assert _facts(tagged, project_scope(tagged))[P.CODE_REVIEW] == (
        "3 merge commits in the history",
    )
    assert _facts(tagged, project_scope(tagged))[P.RELEASES] == (
        "2 tags (releases) in the repository",
    )
    mine = _facts(tagged, user_scope(user))
    assert P.CODE_REVIEW not in mine
    assert P.RELEASES not in mine
    untagged = report(history=history(merges=0, tags=0))
    shown = _facts(untagged, project_scope(untagged))
    assert P.RELEASES not in shown
    assert P.CODE_REVIEW not in shown


def _user_with_ruff(tool_commits: int) -> tuple[ProjectReport, Scope]:
    """The user changed configuration lines and .pre-commit-config.yaml; Ruff entered that file
    later, and the user's commits since are `tool_commits`."""
    user = user_stats(activity={ActivityKind.CODE: 500, ActivityKind.CONFIG: 40})
    config = ".pre-commit-config.yaml"
    h = history(user=user)
    h = replace(
        h,
        touches={config: FileTouch(dt(2023, 1), dt(2023, 5), 3, dt(2023, 1), dt(2023, 5))},
        tool_touches=(
            ToolTouch(
                config,
                "Ruff",
                dt(2023, 4),
                tool_commits,
                dt(2023, 4) if tool_commits else None,
                dt(2023, 5) if tool_commits else None,
            ),
        ),
    )
    r = report(
        history=h, notable=(config,), frameworks=[detection("Ruff", "linter", source=config)]
    )
    return r, user_scope(user)


def test_the_user_is_credited_with_a_tool_only_after_it_entered_the_file() -> None:
    r, scope = _user_with_ruff(tool_commits=2)
    assert _facts(r, scope)[P.LINTING] == (
        "Linting with pre-commit, Ruff (.pre-commit-config.yaml)",
        "pre-commit: the user changed .pre-commit-config.yaml (3 commit(s), 2023-01-01 to "
        "2023-05-01)",
        "Ruff: the user changed .pre-commit-config.yaml (2 commit(s), 2023-04-01 to 2023-05-01)",
    )
    before, scope = _user_with_ruff(tool_commits=0)
    assert _facts(before, scope)[P.LINTING] == (
        "Linting with pre-commit (.pre-commit-config.yaml)",
        "pre-commit: the user changed .pre-commit-config.yaml (3 commit(s), 2023-01-01 to "
        "2023-05-01)",
    )


def test_without_configuration_lines_the_user_shows_no_tool_practice() -> None:
    r, scope = _user_with_ruff(tool_commits=2)
    user = user_stats(activity={ActivityKind.CODE: 500})
    assert P.LINTING not in _facts(r, user_scope(user))
    # The same through a rule built here (see test_a_tool_rule_names_every_tool_...).
    rule = _tools(P.LINTING, "linter")
    assert rule(Seen(r, signals_of(r), user_scope(user))) == ()
    assert rule(Seen(r, signals_of(r), scope))[0] == (
        "Linting with pre-commit, Ruff (.pre-commit-config.yaml)"
    )


def test_usage_of_review_and_releases_is_merges_and_tags() -> None:
    h = history(merges=4, tags=3)
    r = report(history=h, counts={ActivityKind.TEST: 6})
    scope = project_scope(r)
    review = practice_usage(P.CODE_REVIEW, r, scope)
    releases = practice_usage(P.RELEASES, r, scope)
    assert (review.lines, review.commits, review.files) == (0, 4, 0)
    assert (releases.lines, releases.commits, releases.files) == (0, 3, 0)
    assert (releases.first, releases.last) == (h.first_commit, h.last_commit)


def test_usage_of_other_practices_is_their_kind_of_lines() -> None:
    user = user_stats(
        commits=10,
        activity={ActivityKind.CODE: 500, ActivityKind.TEST: 300, ActivityKind.CONFIG: 200},
    )
    r = report(history=history(user=user), counts={ActivityKind.TEST: 6})
    scope = user_scope(user)
    testing = practice_usage(P.TESTING, r, scope)
    assert (testing.lines, testing.commits, testing.files) == (300, 3, 6)
    linting = practice_usage(P.LINTING, r, scope)
    assert (linting.lines, linting.commits, linting.files) == (200, 2, 0)  # no config files
    assert practice_usage(P.TESTING, r, None).lines == 0
