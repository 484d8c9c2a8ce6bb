"""Scope and Usage: whose work a skill is measured on, and the figures and sentence it gives."""

from __future__ import annotations

from datetime import timedelta

from mining.analyze.proficiency import ProficiencyInputs
from mining.analyze.scope import Usage, project_scope, user_scope
from mining.records import ActivityKind
from tests.analyze.analyze_factory import NOW, dt, history, lang, report, user_stats


def test_usage_of_one_language() -> None:
    usage = Usage.of_activity(lang(300, 50, commits=7, files=4))
    assert usage == Usage(350, 7, 4, dt(2023, 1), dt(2023, 6))


def test_combined_languages_add_lines_and_files_and_take_the_most_commits() -> None:
    usage = Usage.combine(
        [
            lang(100, 10, commits=5, files=2, first=dt(2022, 3), last=dt(2023, 2)),
            lang(40, 0, commits=9, files=1, first=dt(2022, 7), last=dt(2023, 8)),
        ]
    )
    assert usage == Usage(150, 9, 3, dt(2022, 3), dt(2023, 8))
    assert Usage.combine([]) == Usage(0, 0, 0, None, None)


def test_scaled_rounds_each_figure_and_keeps_the_period() -> None:
    usage = Usage(101, 7, 3, dt(2022, 1), dt(2023, 1), ceiling=0.5)
    assert usage.scaled(0.5) == Usage(50, 4, 2, dt(2022, 1), dt(2023, 1), ceiling=0.5)


def test_capped_keeps_the_lower_ceiling() -> None:
    assert Usage().capped(0.4).ceiling == 0.4
    assert Usage().capped(0.4).capped(0.7).ceiling == 0.4


def test_proficiency_inputs_at_now() -> None:
    usage = Usage(500, 20, 6, dt(2023, 10, 15), NOW - timedelta(days=10), ceiling=0.6)
    assert usage.inputs(NOW) == ProficiencyInputs(500, 20, 3, 6, 10.0, 0.6)
    # Without both dates the period is no months, and the age unknown without a last one.
    assert Usage(5, 1, 1, None, dt(2023, 12, 31)).inputs(NOW).months == 0
    assert Usage(5, 1, 1, dt(2023, 1), None).inputs(NOW) == ProficiencyInputs(5, 1, 0, 1, None)


def test_describe_names_the_work_its_period_and_who() -> None:
    usage = Usage(12345, 1200, 3, dt(2022, 3), dt(2023, 11))
    assert usage.describe("the user", "Python") == (
        "12,345 lines of code (Python) changed by the user across 1,200 commits, 2022-03 to 2023-11"
    )
    assert Usage(1, 1, 1, dt(2022, 3), None).period() == "dates unknown"
    assert Usage(1, 1, 1, None, dt(2022, 3)).period() == "dates unknown"


def test_the_project_scope_is_everyones_work() -> None:
    h = history(
        total=30,
        first=dt(2021, 5),
        last=dt(2023, 9),
        languages={"Python": lang(1000, 200), "Go": lang(300, 0)},
        activity={ActivityKind.CODE: 1300, ActivityKind.TEST: 200},
    )
    scope = project_scope(report(history=h, files=77))
    assert scope is not None
    assert (scope.who, scope.is_user, scope.commits) == ("all contributors", False, 30)
    assert scope.usage == Usage(1500, 30, 77, dt(2021, 5), dt(2023, 9))
    assert scope.activity == {ActivityKind.CODE: 1300, ActivityKind.TEST: 200}
    assert set(scope.languages) == {"Python", "Go"}
    assert project_scope(report()) is None


def test_the_user_scope_is_the_users_work() -> None:
    user = user_stats(commits=12, first=dt(2022, 2), last=dt(2023, 4))
    scope = user_scope(user)
    assert (scope.who, scope.is_user, scope.commits) == ("the user", True, 12)
    assert scope.usage == Usage(1100, 12, 12, dt(2022, 2), dt(2023, 4))
    assert scope.languages == user.languages
    assert scope.activity == user.activity


def test_share_of_a_kind_estimates_commits_in_proportion_to_lines() -> None:
    user = user_stats(commits=10, activity={ActivityKind.CODE: 750, ActivityKind.TEST: 250})
    tests = user_scope(user).share_of(ActivityKind.TEST, files=4)
    assert (tests.lines, tests.commits, tests.files) == (250, 2, 4)  # round(10 x 250 / 1000)
    assert tests.first == user.first_commit
    docs = user_scope(user).share_of(ActivityKind.DOCS, files=0)
    assert (docs.lines, docs.commits) == (0, 0)
    nothing = user_scope(user_stats(commits=3, activity={})).share_of(ActivityKind.TEST, 1)
    assert (nothing.lines, nothing.commits, nothing.files) == (0, 0, 1)
