"""The user's active months per project and per skill, from literal mining records."""

from __future__ import annotations

import random
from datetime import date, timedelta

from mining.analyze.chronology import (
    ActiveMonth,
    ActiveMonths,
    Chronology,
    active_months,
    project_chronology,
)
from mining.analyze.signals import signals_of
from tests.analyze.analyze_factory import author, dt, history, lang, report, user_stats

CALENDAR = {
    date(2023, 1, 2): 2,
    date(2023, 1, 20): 1,
    date(2023, 3, 5): 4,
    date(2023, 6, 30): 1,
    date(2023, 7, 1): 0,  # a day without commits is no activity
}


def test_active_months_group_the_days_with_commits_within_the_period() -> None:
    assert active_months(CALENDAR, dt(2023, 1, 3), dt(2023, 6, 30)) == (
        ActiveMonth(date(2023, 1, 1), 1, date(2023, 1, 20), date(2023, 1, 20)),
        ActiveMonth(date(2023, 3, 1), 4, date(2023, 3, 5), date(2023, 3, 5)),
        ActiveMonth(date(2023, 6, 1), 1, date(2023, 6, 30), date(2023, 6, 30)),
    )
    assert active_months(CALENDAR, dt(2023, 4), dt(2023, 5, 31)) == ()


def test_one_calendar_grouped_once_answers_every_period_as_grouping_it_again_would() -> None:
    rng = random.Random(7)
    start = date(2019, 12, 25)
    calendar = {start + timedelta(days=rng.randrange(800)): rng.randrange(3) for _ in range(300)}
    months = ActiveMonths(calendar)
    for _ in range(200):
        first = dt(2019, 12, 1) + timedelta(days=rng.randrange(830), hours=rng.randrange(24))
        last = first + timedelta(days=rng.randrange(-3, 400))
        days = sorted(d for d, n in calendar.items() if n and first.date() <= d <= last.date())
        by_month: dict[date, list[date]] = {}
        for day in days:
            by_month.setdefault(day.replace(day=1), []).append(day)
        assert months.between(first, last) == tuple(
            ActiveMonth(m, sum(map(calendar.__getitem__, ds)), ds[0], ds[-1])
            for m, ds in by_month.items()
        )


def test_the_users_own_calendar_dates_the_project_and_each_skill() -> None:
    """A collaborative repository: the user's commits (Jan-Mar) and their Python period
    (Jan only); a co-author's later commits (everyone's calendar) count for nothing."""
    user = user_stats(
        commits=7,
        first=dt(2023, 1, 2),
        last=dt(2023, 3, 5),
        calendar={date(2023, 1, 2): 3, date(2023, 3, 5): 4},
        languages={"Python": lang(500, 0, 3, 2, dt(2023, 1, 2), dt(2023, 1, 2))},
    )
    mined = report(
        history=history(
            total=20,
            authors=(author("me@example.com", 7, 35.0), author("co@example.com", 13, 65.0)),
            bus_factor=2,
            calendar={date(2023, 1, 2): 3, date(2023, 3, 5): 4, date(2023, 9, 1): 13},
            last=dt(2023, 9, 1),
            user=user,
        )
    )
    found = project_chronology(mined, signals_of(mined), ["Python", "Unknown skill"])
    assert found == (
        Chronology(
            None,
            (
                ActiveMonth(date(2023, 1, 1), 3, date(2023, 1, 2), date(2023, 1, 2)),
                ActiveMonth(date(2023, 3, 1), 4, date(2023, 3, 5), date(2023, 3, 5)),
            ),
        ),
        Chronology(
            "Python", (ActiveMonth(date(2023, 1, 1), 3, date(2023, 1, 2), date(2023, 1, 2)),)
        ),
    )


def test_a_folder_without_history_has_no_chronology() -> None:
    folder = report()
    assert project_chronology(folder, signals_of(folder), ["Python"]) == ()
