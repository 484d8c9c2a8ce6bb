"""Proficiency's edges that test_analyze_proficiency.py leaves open."""

from __future__ import annotations

from mining.analyze.proficiency import months_between
from tests.analyze.analyze_factory import dt


def test_months_between_dates_given_last_first() -> None:
    # Dates out of order (a rebased or clock-skewed history) span the same months.
    assert months_between(dt(2023, 6, 15), dt(2023, 1, 2)) == 6
    assert months_between(dt(2024, 2), dt(2021, 3)) == months_between(dt(2021, 3), dt(2024, 2))
