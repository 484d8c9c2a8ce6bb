"""Chronology's edges that test_analyze_chronology.py leaves open."""

from __future__ import annotations

from datetime import date

from mining.analyze.chronology import ActiveMonth, active_months
from tests.analyze.analyze_factory import dt


def test_a_day_counted_with_no_commits_inside_the_period_is_no_activity() -> None:
    # February holds only a zero-count day: it is not an active month, and March's zero day
    # neither adds to its commits nor moves its first day.
    calendar = {
        date(2023, 1, 10): 2,
        date(2023, 2, 14): 0,
        date(2023, 3, 1): 0,
        date(2023, 3, 9): 3,
    }
    assert active_months(calendar, dt(2023, 1, 1), dt(2023, 3, 31)) == (
        ActiveMonth(date(2023, 1, 1), 2, date(2023, 1, 10), date(2023, 1, 10)),
        ActiveMonth(date(2023, 3, 1), 3, date(2023, 3, 9), date(2023, 3, 9)),
    )
