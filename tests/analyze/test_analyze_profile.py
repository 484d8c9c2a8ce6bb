"""Developer profile: languages, frameworks, aggregated skills, period, calendar, seniority."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mining.analyze import PortfolioAnalysis, RepresentationPrefs, analyze_portfolio
from mining.analyze.prefs import ChronologyOverride
from mining.analyze.profile import SeniorityLevel, aggregate_proficiency
from mining.records import ActivityKind, Identity, ProjectReport
from tests.analyze.analyze_factory import (
    NOW,
    USER,
    author,
    detection,
    dt,
    history,
    lang,
    report,
    share,
    user_stats,
)


def _shared(name: str, first: int, last: int) -> ProjectReport:
    me = user_stats(
        commits=20,
        share=50.0,
        languages={
            "Python": lang(3000, 500, 20, 10, dt(first, 1), dt(last, 1)),
            "Go": lang(1500, 0, 4, 3, dt(first, 1), dt(last, 1)),
        },
        activity={
            ActivityKind.CODE: 4000,
            ActivityKind.TEST: 1000,
            ActivityKind.CONFIG: 200,
            ActivityKind.DOCS: 100,
        },
        calendar={date(last, 1, 1): 15, date(last, 1, 2): 5},
        first=dt(first, 1),
        last=dt(last, 1),
    )
    h = history(
        total=40,
        merges=5,
        first=dt(first, 1),
        last=dt(last, 1),
        authors=[author(USER, 20, 50.0), author("bob@example.com", 20, 50.0)],
        bus_factor=1,
        user=me,
    )
    return report(
        name,
        history=h,
        frameworks=[detection("Django", "framework"), detection("Ruff", "linter")],
        counts={ActivityKind.CODE: 10, ActivityKind.TEST: 5},
        notable=(".github/workflows/ci.yml", "ruff.toml", "mypy.ini", "README.md"),
    )


def _solo() -> ProjectReport:
    return report("notes", shares=[share("Python", 4_000, 100.0)])


def _profile(prefs: RepresentationPrefs | None = None) -> PortfolioAnalysis:
    reports = [_shared("a", 2016, 2019), _shared("b", 2020, 2023), _solo()]
    return analyze_portfolio(reports, Identity.of(USER), now=NOW, prefs=prefs)


def test_languages_are_summed_by_lines_and_by_commits() -> None:
    profile = _profile().profile
    assert [(t.name, t.lines, t.commits, t.projects) for t in profile.languages_by_lines] == [
        ("Python", 7100, 40, 3),  # 2 x 3,500 + 4,000 bytes / 40
        ("Go", 3000, 8, 2),
    ]
    assert [t.name for t in profile.languages_by_commits] == ["Python", "Go"]


def test_frameworks_period_and_calendar() -> None:
    profile = _profile().profile
    assert [(f.name, f.projects) for f in profile.frameworks] == [("Django", 2), ("Ruff", 2)]
    assert (profile.first_active, profile.last_active) == (dt(2016, 1), dt(2023, 1))
    assert profile.calendar == {
        date(2019, 1, 1): 15,
        date(2019, 1, 2): 5,
        date(2023, 1, 1): 15,
        date(2023, 1, 2): 5,
    }


def test_seniority_rules() -> None:
    seniority = _profile().profile.seniority
    assert seniority.reasons == (
        "7.0 years active: +3",
        "2 languages with >= 1,000 lines: +1",
        "2 collaborative projects as a core contributor: +1",
        "5 engineering practices shown: +2",
    )
    assert (seniority.score, seniority.level) == (7, SeniorityLevel.STAFF)


def test_aggregated_proficiency() -> None:
    assert aggregate_proficiency([]) == 0.0
    assert aggregate_proficiency([0.4]) == 0.4
    # 0.5 + 0.5 x 0.5 x (1 - (1 - 0.2)(1 - 0.5)) = 0.5 + 0.25 x 0.6
    assert aggregate_proficiency([0.2, 0.5, 0.5]) == 0.65
    python = next(s for s in _profile().profile.top_skills if s.name == "Python")
    assert python.projects == 3


@given(st.lists(st.floats(min_value=0, max_value=1), max_size=20))
def test_aggregated_proficiency_stays_between_the_best_and_one(values: list[float]) -> None:
    p = aggregate_proficiency(values)
    assert max(values, default=0.0) - 1e-4 <= p <= 1.0


def test_prefs_hide_highlight_and_move_the_period() -> None:
    prefs = RepresentationPrefs(
        hidden_skills=("django",),
        highlight_skills=("Go", "Testing"),
        chronology_overrides={"a": ChronologyOverride(first=date(2014, 6, 1))},
    )
    profile = _profile(prefs).profile
    names = [s.name for s in profile.top_skills]
    assert names[:2] == ["Go", "Testing"]
    assert profile.top_skills[0].highlighted
    assert "Django" not in names
    assert "Django" not in [f.name for f in profile.frameworks]
    assert profile.first_active == dt(2014, 6, 1)
    assert profile.seniority.reasons[0] == "8.6 years active: +3"


@pytest.mark.parametrize(
    ("reports", "level"),
    [([], SeniorityLevel.JUNIOR), ([_solo()], SeniorityLevel.JUNIOR)],
)
def test_little_evidence_is_junior(reports: list[ProjectReport], level: SeniorityLevel) -> None:
    profile = analyze_portfolio(reports, Identity.of(USER), now=NOW).profile
    assert profile.seniority.level is level
