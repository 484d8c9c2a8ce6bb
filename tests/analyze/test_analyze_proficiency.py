"""Proficiency: literal values for the formula, hypothesis for its bounds and monotonicity."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mining.analyze.proficiency import (
    Level,
    ProficiencyInputs,
    age_days,
    level_for,
    log_scale,
    months_between,
    proficiency,
    recency,
)
from tests.analyze.analyze_factory import NOW, dt


def test_nothing_is_zero_and_everything_saturated_is_one() -> None:
    assert proficiency(ProficiencyInputs(age_days=0)).value == 0.0
    full = proficiency(ProficiencyInputs(50_000, 500, 36, 200, 0.0))
    assert (full.value, full.level) == (1.0, Level.EXPERT)


def test_duration_alone_a_year_ago() -> None:
    # experience = 0.3 x L(36, 36) = 0.3; factor = 0.6 + 0.4 x 0.5 = 0.8 -> 0.24
    p = proficiency(ProficiencyInputs(months=36, age_days=365.0))
    assert (p.value, p.volume, p.duration, p.breadth, p.recency) == (0.24, 0.0, 1.0, 0.0, 0.5)
    assert p.level is Level.BEGINNER


def test_a_typical_skill_filled_in() -> None:
    # volume = 0.5 ln(1001)/ln(50001) + 0.5 ln(101)/ln(501) = 0.6905
    # duration = ln(13)/ln(37) = 0.7103; breadth = ln(11)/ln(201) = 0.4522
    # recency = 0.5 ** (30/365) = 0.9446
    p = proficiency(ProficiencyInputs(lines=1000, commits=100, months=12, files=10, age_days=30.0))
    assert (p.volume, p.duration, p.breadth, p.recency) == (0.6905, 0.7103, 0.4522, 0.9446)
    expected = (0.5 * 0.69048 + 0.3 * 0.71031 + 0.2 * 0.45223) * (0.6 + 0.4 * 0.94458)
    assert p.value == pytest.approx(expected, abs=1e-4)
    assert p.value == 0.6344
    assert p.level is Level.ADVANCED


def test_unknown_age_counts_as_one_half_life() -> None:
    assert recency(None) == 0.5
    assert recency(365.0) == 0.5
    assert recency(730.0) == 0.25
    assert recency(-10.0) == 1.0  # a commit "from the future" is not fresher than today


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0.0, Level.BEGINNER),
        (0.2499, Level.BEGINNER),
        (0.25, Level.INTERMEDIATE),
        (0.4999, Level.INTERMEDIATE),
        (0.5, Level.ADVANCED),
        (0.75, Level.EXPERT),
        (1.0, Level.EXPERT),
    ],
)
def test_level_thresholds(value: float, level: Level) -> None:
    assert level_for(value) is level


def test_helpers() -> None:
    assert log_scale(0, 10) == 0.0
    assert log_scale(10, 10) == 1.0
    assert log_scale(1e9, 10) == 1.0
    assert months_between(dt(2021, 3, 31), dt(2023, 1, 1)) == 23
    assert months_between(dt(2023, 1, 1), dt(2023, 1, 31)) == 1
    assert age_days(NOW - timedelta(days=3), NOW) == 3.0
    assert age_days(NOW + timedelta(days=3), NOW) == 0.0
    assert age_days(None, NOW) is None


counts = st.integers(min_value=0, max_value=10**7)
ages = st.floats(min_value=0, max_value=50 * 365, allow_nan=False)
inputs = st.builds(ProficiencyInputs, counts, counts, counts, counts, st.none() | ages)


@given(inputs)
def test_proficiency_is_bounded(i: ProficiencyInputs) -> None:
    p = proficiency(i)
    assert 0.0 <= p.value <= 1.0
    assert p.level is level_for(p.value)


@given(inputs, st.sampled_from(["lines", "commits", "months", "files"]), counts)
def test_proficiency_never_drops_when_an_input_grows(
    i: ProficiencyInputs, name: str, extra: int
) -> None:
    bigger = replace(i, **{name: getattr(i, name) + extra})
    assert proficiency(bigger).value >= proficiency(i).value


@given(inputs, ages)
def test_proficiency_never_rises_with_age(i: ProficiencyInputs, extra: float) -> None:
    known = replace(i, age_days=i.age_days or 0.0)
    older = replace(known, age_days=(known.age_days or 0.0) + extra)
    assert proficiency(older).value <= proficiency(known).value


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_log_scale_is_in_the_unit_interval(x: float) -> None:
    assert 0.0 <= log_scale(x, 500) <= 1.0
    assert not math.isnan(log_scale(x, 500))


ceilings = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_a_ceiling_caps_the_value_and_the_level() -> None:
    full = ProficiencyInputs(50_000, 500, 36, 200, 0.0, ceiling=0.49)
    p = proficiency(full)
    assert (p.value, p.level) == (0.49, Level.INTERMEDIATE)
    assert (p.volume, p.duration, p.breadth) == (1.0, 1.0, 1.0)  # the terms are not capped
    assert proficiency(replace(full, ceiling=0.74)).level is Level.ADVANCED


@given(inputs, ceilings)
def test_proficiency_never_exceeds_its_ceiling(i: ProficiencyInputs, ceiling: float) -> None:
    capped = replace(i, ceiling=ceiling)
    assert proficiency(capped).value <= round(ceiling, 4) + 1e-9
    assert proficiency(capped).value <= proficiency(i).value


@given(inputs, ceilings, st.sampled_from(["lines", "commits", "months", "files"]), counts)
def test_a_capped_proficiency_never_drops_when_an_input_grows(
    i: ProficiencyInputs, ceiling: float, name: str, extra: int
) -> None:
    capped = replace(i, ceiling=ceiling)
    bigger = replace(capped, **{name: getattr(capped, name) + extra})
    assert proficiency(bigger).value >= proficiency(capped).value


@given(inputs, ceilings, ages)
def test_a_capped_proficiency_never_rises_with_age(
    i: ProficiencyInputs, ceiling: float, extra: float
) -> None:
    known = replace(i, age_days=i.age_days or 0.0, ceiling=ceiling)
    older = replace(known, age_days=(known.age_days or 0.0) + extra)
    assert proficiency(older).value <= proficiency(known).value
