"""Proficiency: how much, how long, how recently and how broadly someone used a skill.

    volume     = 0.5 * L(lines, 50_000) + 0.5 * L(commits, 500)
    duration   = L(months, 36)
    breadth    = L(files, 200)
    experience = 0.5 * volume + 0.3 * duration + 0.2 * breadth               in [0, 1]
    recency    = 0.5 ** (age_days / 365)          (0.5 when the age is unknown)
    proficiency = min(ceiling, experience * (0.6 + 0.4 * recency))           in [0, 1]

where L(x, s) = min(1, ln(1 + x) / ln(1 + s)) is a log scale that saturates at `s`: the first
thousand lines teach more than the next thousand. Recency is an exponential decay with a one-year
half-life, floored at 60 % so that a skill used years ago fades but never vanishes.

`ceiling` (1 unless the caller says otherwise) is the most the evidence can support: skills.py
lowers it for skills whose volume is only indirect (a linter measured through configuration
lines, a database only declared in a manifest), so that no amount of unrelated work makes them
Expert. It is a constant per skill, so it does not change the monotonicity below.

Every term is a non-decreasing function of its input (and recency a non-increasing function of
age), and the combination uses only non-negative weights and products of non-negative factors,
so proficiency is monotone non-decreasing in volume, duration and breadth and non-increasing in
age; min() with a constant ceiling keeps both. tests/analyze/test_analyze_proficiency.py checks
them with hypothesis.

Levels (`level_for`): < 0.25 Beginner, < 0.50 Intermediate, < 0.75 Advanced, otherwise Expert.
Expert therefore needs large, long, broad *and* recent use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

LINES_SATURATION = 50_000
COMMITS_SATURATION = 500
MONTHS_SATURATION = 36
FILES_SATURATION = 200
HALF_LIFE_DAYS = 365.0
RECENCY_FLOOR = 0.6
UNKNOWN_AGE_RECENCY = 0.5

W_VOLUME, W_DURATION, W_BREADTH = 0.5, 0.3, 0.2


class Level(StrEnum):
    BEGINNER = "Beginner"
    INTERMEDIATE = "Intermediate"
    ADVANCED = "Advanced"
    EXPERT = "Expert"


# (lower bound, level), highest first.
LEVEL_THRESHOLDS: tuple[tuple[float, Level], ...] = (
    (0.75, Level.EXPERT),
    (0.50, Level.ADVANCED),
    (0.25, Level.INTERMEDIATE),
    (0.0, Level.BEGINNER),
)


@dataclass(frozen=True, slots=True)
class ProficiencyInputs:
    lines: int = 0  # lines added + deleted in files of the skill
    commits: int = 0  # commits that touched those files
    months: int = 0  # calendar months between first and last touch, inclusive
    files: int = 0  # distinct files (or modules) of the skill
    age_days: float | None = None  # days from the last touch to `now`; None when unknown
    ceiling: float = 1.0  # the highest value the evidence supports, 0..1


@dataclass(frozen=True, slots=True)
class Proficiency:
    value: float  # 0..1, rounded to 4 decimals
    level: Level
    volume: float
    duration: float
    breadth: float
    recency: float


def log_scale(x: float, saturation: float) -> float:
    """L(x, s) = min(1, ln(1 + x) / ln(1 + s)); negative inputs count as 0."""
    return min(1.0, math.log1p(max(0.0, x)) / math.log1p(saturation))


def recency(age_days: float | None) -> float:
    """0.5 ** (age / half-life): 1 today, 0.5 after a year, 0.25 after two."""
    if age_days is None:
        return UNKNOWN_AGE_RECENCY
    return float(0.5 ** (max(0.0, age_days) / HALF_LIFE_DAYS))


def level_for(value: float) -> Level:
    for bound, level in LEVEL_THRESHOLDS:
        if value >= bound:
            return level
    return Level.BEGINNER


def proficiency(inputs: ProficiencyInputs) -> Proficiency:
    volume = 0.5 * log_scale(inputs.lines, LINES_SATURATION) + 0.5 * log_scale(
        inputs.commits, COMMITS_SATURATION
    )
    duration = log_scale(inputs.months, MONTHS_SATURATION)
    breadth = log_scale(inputs.files, FILES_SATURATION)
    fresh = recency(inputs.age_days)
    experience = W_VOLUME * volume + W_DURATION * duration + W_BREADTH * breadth
    cap = min(1.0, max(0.0, inputs.ceiling))
    value = round(min(cap, experience * (RECENCY_FLOOR + (1 - RECENCY_FLOOR) * fresh)), 4)
    return Proficiency(
        value=value,
        level=level_for(value),
        volume=round(volume, 4),
        duration=round(duration, 4),
        breadth=round(breadth, 4),
        recency=round(fresh, 4),
    )


def months_between(first: datetime, last: datetime) -> int:
    """Calendar months from `first` to `last`, both included (same month = 1)."""
    if last < first:
        first, last = last, first
    return (last.year - first.year) * 12 + (last.month - first.month) + 1


def age_days(last: datetime | None, now: datetime) -> float | None:
    """Days from `last` to `now`, never negative (a clock-skewed commit "from the future" is 0)."""
    if last is None:
        return None
    return max(0.0, (now - last).total_seconds() / 86_400)
