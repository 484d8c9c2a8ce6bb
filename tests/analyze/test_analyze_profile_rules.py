"""The developer profile, rule by rule, from literal ProfileInputs: whose projects count, the
orders, the top skills' fields and each seniority rule at its bounds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mining.analyze.catalogue import SkillCategory
from mining.analyze.prefs import RepresentationPrefs
from mining.analyze.proficiency import Level
from mining.analyze.profile import (
    ProfileInput,
    ProfileSkill,
    SeniorityLevel,
    aggregate_proficiency,
    build_profile,
)
from mining.analyze.skills import ProjectSkill
from mining.records import ProjectReport
from tests.analyze.analyze_factory import (
    USER,
    author,
    dt,
    history,
    lang,
    report,
    share,
    user_stats,
)

PRACTICES = ("Testing", "CI/CD", "Linting", "Documentation")


def _skill(name: str, category: SkillCategory, weight: float, p: float = 0.5) -> ProjectSkill:
    return ProjectSkill(name, category, weight, p, Level.ADVANCED, ())


def _practices(count: int) -> list[ProjectSkill]:
    return [_skill(name, SkillCategory.PRACTICES, 0.3) for name in PRACTICES[:count]]


def _core(name: str) -> ProjectReport:
    """A shared repository where the user has 60 % of the commits (1,100 lines of Python)."""
    h = history(
        authors=[author(USER, 6, 60.0), author("bob@example.com", 4, 40.0)],
        bus_factor=2,
        user=user_stats(commits=6, share=60.0),
    )
    return report(name, history=h)


def _folder(name: str, *languages: str) -> ProjectReport:
    # 40,000 bytes at 40 bytes per line: exactly 1,000 lines each.
    return report(name, shares=[share(n, 40_000, 100 / len(languages)) for n in languages])


def _input(
    r: ProjectReport,
    skills: Sequence[ProjectSkill] = (),
    first: datetime | None = None,
    last: datetime | None = None,
) -> ProfileInput:
    return ProfileInput(r, skills, first, last)


def _seniority(inputs: list[ProfileInput]) -> tuple[tuple[str, ...], int, SeniorityLevel]:
    s = build_profile(inputs, RepresentationPrefs()).seniority
    return s.reasons, s.score, s.level


def test_the_lowest_bound_of_each_rule_is_mid() -> None:
    # 2020-01-01 to 2021-01-01 is 366 days: 1.002 years.
    inputs = [_input(_core("a"), _practices(2), dt(2020, 1, 1), dt(2021, 1, 1))]
    assert _seniority(inputs) == (
        (
            "1.0 years active: +1",
            "1 languages with >= 1,000 lines: +0",
            "1 collaborative projects as a core contributor: +1",
            "2 engineering practices shown: +1",
        ),
        3,
        SeniorityLevel.MID,
    )


def test_the_second_bound_of_each_rule_is_staff() -> None:
    # 2020-01-01 to 2023-01-02 is 1,097 days: 3.003 years; Go, Rust and Ruby at 1,000 lines.
    inputs = [
        _input(_core(name), _practices(4), dt(2020, 1, 1), dt(2023, 1, 2)) for name in "abc"
    ] + [_input(_folder("f", "Go", "Rust", "Ruby"))]
    assert _seniority(inputs) == (
        (
            "3.0 years active: +2",
            "4 languages with >= 1,000 lines: +2",
            "3 collaborative projects as a core contributor: +2",
            "4 engineering practices shown: +2",
        ),
        8,
        SeniorityLevel.STAFF,
    )


def test_six_years_make_five_points_senior() -> None:
    # 2017-01-01 to 2023-01-02 is 2,192 days: 6.001 years.
    inputs = [_input(_core("a"), _practices(2), dt(2017, 1, 1), dt(2023, 1, 2))]
    reasons, score, level = _seniority(inputs)
    assert reasons[0] == "6.0 years active: +3"
    assert (score, level) == (5, SeniorityLevel.SENIOR)


def test_no_first_date_is_no_years() -> None:
    reasons, score, level = _seniority([_input(_folder("f", "Go"), last=dt(2023, 1))])
    assert reasons[0] == "0.0 years active: +0"
    assert (score, level) == (0, SeniorityLevel.JUNIOR)


def test_languages_by_commits_break_ties_by_lines_and_skip_projects_without_the_users_commits() -> (
    None
):
    mine = user_stats(
        commits=40,
        languages={"Python": lang(7000, 100, 40, 9), "Go": lang(3000, 0, 40, 4)},
    )
    none = user_stats(commits=0, languages={"Rust": lang(5000, 0, 0, 3)})
    one = user_stats(commits=1, languages={"Ruby": lang(10, 0, 1, 1)})
    inputs = [
        _input(report("a", history=history(user=mine))),
        _input(report("b", history=history(user=none))),
        _input(report("c", history=history(user=one))),
        _input(report("d", shares=[share("Elixir", 4_001, 100.0)])),
    ]
    profile = build_profile(inputs, RepresentationPrefs())
    assert [(t.name, t.lines, t.commits) for t in profile.languages_by_commits] == [
        ("Python", 7100, 40),
        ("Go", 3000, 40),
        ("Ruby", 10, 1),
        ("Elixir", 100, 0),  # 4,001 bytes: 100 whole lines
    ]


def test_frameworks_in_more_projects_come_first() -> None:
    django = _skill("Django", SkillCategory.FRAMEWORKS, 0.7)
    ruff = _skill("Ruff", SkillCategory.TOOLS, 0.3)
    inputs = [_input(_folder("a", "Go"), [django, ruff]), _input(_folder("b", "Go"), [ruff])]
    frameworks = build_profile(inputs, RepresentationPrefs()).frameworks
    assert [(f.name, f.projects) for f in frameworks] == [("Ruff", 2), ("Django", 1)]


def test_a_top_skill_with_every_field() -> None:
    skills = [
        _skill("Docker", SkillCategory.CLOUD_DEVOPS, 0.4),  # hidden: skipped, not the end
        _skill("Python", SkillCategory.LANGUAGES, 0.33333, 0.6),
    ]
    prefs = RepresentationPrefs(hidden_skills=("Docker",), highlight_skills=("Go",))
    top = build_profile([_input(_folder("a", "Python"), skills)], prefs).top_skills
    # Score 0.6 x 0.3333 = 0.19998, to four decimals 0.2; not highlighted (only Go is).
    assert top == (
        ProfileSkill("Python", SkillCategory.LANGUAGES, 0.6, Level.ADVANCED, 1, False, 0.3333, 0.2),
    )


def test_aggregated_proficiency_keeps_four_decimals() -> None:
    # 0.5 + 0.5 x 0.5 x 0.3333 = 0.583325
    assert aggregate_proficiency([0.3333, 0.5]) == 0.5833
