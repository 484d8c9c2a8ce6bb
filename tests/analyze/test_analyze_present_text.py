"""render_text, line by line, on a hand-built analysis (every figure a literal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mining.analyze.catalogue import SkillCategory
from mining.analyze.evidence import Evidence, EvidenceSource, EvidenceType
from mining.analyze.health import HealthComponent, HealthScore
from mining.analyze.portfolio import PortfolioAnalysis, ProjectAnalysis
from mining.analyze.present import render_text
from mining.analyze.proficiency import Level
from mining.analyze.profile import (
    DeveloperProfile,
    FrameworkTotal,
    LanguageTotal,
    ProfileSkill,
    Seniority,
    SeniorityLevel,
)
from mining.analyze.ranking import RankComponent, RankedProject
from mining.analyze.resume import ResumeCategory, ResumeItem
from mining.analyze.skills import ProjectSkill, UserProjectSkill
from mining.analyze.weights import Factor
from mining.records import ProjectKind
from tests.analyze.analyze_factory import NOW, USER, dt

CONTRIBUTION = RankComponent(Factor.CONTRIBUTION, 60.0, 0.6, 0.25, 15.0)
RECENCY = RankComponent(Factor.RECENCY, None, 0.0, 0.1, 0.0)


def _rank(
    path: str, position: int, score: float, computed: float, showcased: bool
) -> RankedProject:
    return RankedProject(
        path, path, position, score, computed, (CONTRIBUTION, RECENCY), (RECENCY, CONTRIBUTION),
        showcased, None, None, None,
    )  # fmt: skip


API = ProjectAnalysis(
    path="/w/api",
    name="api",
    kind=ProjectKind.WORKTREE,
    skills=(
        ProjectSkill("Python", SkillCategory.LANGUAGES, 0.8, 0.6685, Level.ADVANCED, ("a", "b")),
    ),
    user_skills=(
        UserProjectSkill(
            "Flask", SkillCategory.FRAMEWORKS, USER, 0.7, 0.4123, Level.INTERMEDIATE, ("c",)
        ),
    ),
    evidence=(
        Evidence(EvidenceType.METRIC, "10 commits", EvidenceSource.GIT_HISTORY, date(2023, 6, 1)),
    ),
    health=HealthScore(
        62.5,
        (
            HealthComponent("documentation", 12.5, 15, "README.md"),
            HealthComponent("tests", 50, 85, "4 test files"),
        ),
    ),
    rank=_rank("/w/api", 1, 80.0, 72.3, True),
    resume_items=(ResumeItem("api: Lead Developer", "Led it.", ResumeCategory.EXPERIENCE),),
    summary="api is a Python project.",
)
SITE = ProjectAnalysis(
    path="/w/site",
    name="site",
    kind=ProjectKind.PLAIN,
    skills=(),
    user_skills=(),
    evidence=(),
    health=HealthScore(0.0, ()),
    rank=_rank("/w/site", 2, 12.5, 12.5, False),
    resume_items=(),
    summary="site is a folder.",
)
PROFILE = DeveloperProfile(
    languages_by_lines=(LanguageTotal("Python", 7100, 40, 3), LanguageTotal("Go", 3000, 80, 2)),
    languages_by_commits=(LanguageTotal("Go", 3000, 80, 2), LanguageTotal("Python", 7100, 40, 3)),
    frameworks=(FrameworkTotal("Flask", SkillCategory.FRAMEWORKS, 2),),
    top_skills=(
        ProfileSkill("Go", SkillCategory.LANGUAGES, 0.5, Level.ADVANCED, 2, True, 0.3, 0.15),
        ProfileSkill("Python", SkillCategory.LANGUAGES, 0.7, Level.ADVANCED, 3, False, 0.8, 0.56),
    ),
    first_active=dt(2016, 1),
    last_active=dt(2023, 1, 15),
    calendar={date(2023, 1, 1): 1200, date(2023, 1, 2): 5},
    seniority=Seniority(SeniorityLevel.MID, 4, ("7.0 years active: +3", "1 languages: +1")),
)


def test_the_text_report_line_by_line() -> None:
    analysis = PortfolioAnalysis((API, SITE), ("/w/api", "/w/site"), PROFILE, {}, NOW)
    assert render_text(analysis).splitlines() == [
        "Ranking",
        "  1. api (/w/api) 80.00 *showcased*",
        "  2. site (/w/site) 12.50",
        "",
        "== 1. api [worktree] (/w/api)",
        "Summary: api is a Python project.",
        "Skills:",
        "  Python (languages) weight 0.80, proficiency 0.67 Advanced",
        "      - a",
        "      - b",
        "Skills of me@example.com:",
        "  Flask (frameworks) weight 0.70, proficiency 0.41 Intermediate",
        "      - c",
        "Evidence:",
        "  [metric] 10 commits (git_history, 2023-06-01)",
        "Health: 62.5/100",
        "  documentation     12.5/15  README.md",
        "  tests               50/85  4 test files",
        "Ranking: #1, score 80.00 (computed 72.30)",
        "  recency        raw    unknown  normalised 0.0000  weight 0.1  -> 0.00",
        "  contribution   raw         60  normalised 0.6000  weight 0.25  -> 15.00",
        "Resume:",
        "  - (experience) api: Lead Developer: Led it.",
        "",
        "== 2. site [plain] (/w/site)",
        "Summary: site is a folder.",
        "Skills:",
        "Evidence:",
        "Health: 0/100",
        "Ranking: #2, score 12.50",
        "  recency        raw    unknown  normalised 0.0000  weight 0.1  -> 0.00",
        "  contribution   raw         60  normalised 0.6000  weight 0.25  -> 15.00",
        "",
        "== Developer profile",
        "Active: 2016-01-01 to 2023-01-15; 1,205 commits on 2 days",
        "Languages by lines: Python (7,100 lines), Go (3,000 lines)",
        "Languages by commits: Go (80 commits), Python (40 commits)",
        "Frameworks and tools: Flask (2 projects)",
        "Top skills:",
        "  Go: score 0.15 = proficiency 0.50 Advanced x weight 0.30, 2 projects (highlighted)",
        "  Python: score 0.56 = proficiency 0.70 Advanced x weight 0.80, 3 projects",
        "Seniority: Mid (4/9): 7.0 years active: +3; 1 languages: +1",
    ]


def test_every_project_showcased_is_not_marked_and_an_empty_profile_says_none() -> None:
    everyone = (API, replace(SITE, rank=_rank("/w/site", 2, 1.0, 1.0, True)))
    # Only a last date (an undated first commit): the period is unknown.
    empty = DeveloperProfile((), (), (), (), None, dt(2023, 1))
    text = render_text(PortfolioAnalysis(everyone, (), empty, {}, NOW)).splitlines()
    assert text[1:3] == ["  1. api (/w/api) 80.00", "  2. site (/w/site) 1.00"]
    assert text[-7:] == [
        "== Developer profile",
        "Active: unknown; 0 commits on 0 days",
        "Languages by lines: none",
        "Languages by commits: none",
        "Frameworks and tools: none",
        "Top skills:",
        "Seniority: Junior (0/9): ",
    ]
