"""Chronology: whose calendar dates a project (everyone's without an identity), months of
several days, and periods with no commit in them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mining.analyze.chronology import ActiveMonth, Chronology, active_months, project_chronology
from mining.analyze.signals import signals_of
from tests.analyze.analyze_factory import dt, history, lang, report, user_stats


def test_a_month_of_several_days_sums_them_and_spans_first_to_last() -> None:
    calendar = {date(2023, 5, 28): 1, date(2023, 5, 3): 2, date(2023, 5, 17): 4}
    assert active_months(calendar, dt(2023, 5, 1), dt(2023, 5, 31)) == (
        ActiveMonth(date(2023, 5, 1), 7, date(2023, 5, 3), date(2023, 5, 28)),
    )
    # A day listed with no commit neither opens a month nor widens one.
    quiet = calendar | {date(2023, 5, 30): 0, date(2023, 6, 2): 0}
    assert active_months(quiet, dt(2023, 5, 1), dt(2023, 6, 30)) == (
        ActiveMonth(date(2023, 5, 1), 7, date(2023, 5, 3), date(2023, 5, 28)),
    )


def test_without_an_identity_everyones_commits_date_the_project() -> None:
    h = history(
        first=dt(2023, 2, 1),
        last=dt(2023, 4, 9),
        calendar={date(2023, 2, 1): 5, date(2023, 4, 9): 2},
    )
    mined = report(history=h)
    assert project_chronology(mined, signals_of(mined), []) == (
        Chronology(
            None,
            (
                ActiveMonth(date(2023, 2, 1), 5, date(2023, 2, 1), date(2023, 2, 1)),
                ActiveMonth(date(2023, 4, 1), 2, date(2023, 4, 9), date(2023, 4, 9)),
            ),
        ),
    )


def test_a_user_without_commits_or_dates_has_no_chronology() -> None:
    user = replace(user_stats(commits=0, calendar={}), first_commit=None, last_commit=None)
    mined = report(history=history(user=user))
    assert project_chronology(mined, signals_of(mined), ["Python"]) == ()
    only_first = replace(user_stats(), last_commit=None)
    mined = report(history=history(user=only_first))
    assert project_chronology(mined, signals_of(mined), []) == ()


def test_a_skill_used_where_no_commit_falls_is_left_out() -> None:
    # Python's period (March) holds no day of the calendar, which is January's.
    user = user_stats(
        first=dt(2023, 1, 2),
        last=dt(2023, 3, 30),
        calendar={date(2023, 1, 2): 3},
        languages={"Python": lang(100, 0, 1, 1, dt(2023, 3, 10), dt(2023, 3, 20))},
    )
    mined = report(history=history(user=user))
    found = project_chronology(mined, signals_of(mined), ["Python"])
    assert [c.skill for c in found] == [None]
