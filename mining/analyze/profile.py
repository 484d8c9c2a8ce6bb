"""The developer profile across a portfolio: languages, frameworks, skills, period, seniority.

Whose work: in a collaborative repository the user's own (UserStats); in a solo repository, or
one mined without an identity, all of it; a plain folder counts as the user's (its languages by
bytes / 40 per line, no commits). Repositories where the user made no commit are left out.

Aggregated proficiency of a skill seen in several projects with proficiencies p_1 >= p_2 >= ...:

    p = p_1 + (1 - p_1) x 0.5 x (1 - prod_{i >= 2} (1 - p_i))

The best project sets the floor; every other project closes part of the remaining gap, at most
half of it, so the result stays in [p_1, 1) and needs real depth somewhere to reach Expert.

Top skills (`TOP_SKILLS` of them): highlighted skills first, in the prefs' order; then by

    score = aggregated proficiency x centrality,  centrality = max weight over the projects

(the weight is the skill's centrality in a project's own work: a language's share of the lines,
a framework's 0.7, a linter's 0.3; see skills.py and catalogue.py), then by name. Proficiency
alone would rank a tool that every project touches above the language of tens of thousands of
lines; weighing it by centrality lets the work the user actually did lead.

Seniority: points from four rules, 0..9 in total
    years active (first..last)            >= 1: 1, >= 3: 2, >= 6: 3
    languages with >= 1,000 lines          >= 2: 1, >= 4: 2
    collaborative projects as a core
    contributor (resume "experience")      >= 1: 1, >= 3: 2
    practices shown (testing, CI/CD, ...)  >= 2: 1, >= 4: 2
    0-2 Junior, 3-4 Mid, 5-6 Senior, 7-9 Staff.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from mining.analyze.catalogue import SkillCategory
from mining.analyze.prefs import RepresentationPrefs
from mining.analyze.proficiency import Level, level_for
from mining.analyze.resume import ResumeCategory, category
from mining.analyze.skills import (
    BYTES_PER_LINE,
    ProjectSkill,
    UserProjectSkill,
    is_skill_language,
)
from mining.records import LanguageActivity, LanguageKind, ProjectReport

TOP_SKILLS = 15
LANGUAGE_LINES_THRESHOLD = 1_000
_NOT_FRAMEWORKS = (SkillCategory.LANGUAGES, SkillCategory.PRACTICES)


class SeniorityLevel(StrEnum):
    JUNIOR = "Junior"
    MID = "Mid"
    SENIOR = "Senior"
    STAFF = "Staff"


@dataclass(frozen=True, slots=True)
class LanguageTotal:
    name: str
    lines: int  # added + deleted by the user
    commits: int
    projects: int


@dataclass(frozen=True, slots=True)
class FrameworkTotal:
    name: str
    category: SkillCategory
    projects: int


@dataclass(frozen=True, slots=True)
class ProfileSkill:
    name: str
    category: SkillCategory
    proficiency: float
    level: Level
    projects: int
    highlighted: bool
    weight: float = 0.0  # centrality: the highest weight of the skill in any project
    score: float = 0.0  # proficiency x weight, the order of top_skills


@dataclass(frozen=True, slots=True)
class Seniority:
    level: SeniorityLevel
    score: int  # 0..9
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileInput:
    report: ProjectReport
    skills: Sequence[ProjectSkill | UserProjectSkill]  # the user's skills, hidden ones removed
    first: datetime | None  # chronology overrides applied
    last: datetime | None


@dataclass(frozen=True, slots=True)
class DeveloperProfile:
    languages_by_lines: tuple[LanguageTotal, ...]
    languages_by_commits: tuple[LanguageTotal, ...]
    frameworks: tuple[FrameworkTotal, ...]
    top_skills: tuple[ProfileSkill, ...]
    first_active: datetime | None
    last_active: datetime | None
    calendar: Mapping[date, int] = field(default_factory=dict)  # commits per day, sorted
    seniority: Seniority = Seniority(SeniorityLevel.JUNIOR, 0, ())


def aggregate_proficiency(values: Sequence[float]) -> float:
    """p_1 + (1 - p_1) x 0.5 x (1 - prod_{i>=2}(1 - p_i)); 0 for no values."""
    if not values:
        return 0.0
    best, *rest = sorted(values, reverse=True)
    rest_gain = 1 - math.prod(1 - p for p in rest)
    return round(min(1.0, best + (1 - best) * 0.5 * rest_gain), 4)


def build_profile(inputs: Sequence[ProfileInput], prefs: RepresentationPrefs) -> DeveloperProfile:
    owned = [i for i in inputs if _owned(i.report)]
    languages = _languages(owned)
    first = min((i.first for i in owned if i.first), default=None)
    last = max((i.last for i in owned if i.last), default=None)
    return DeveloperProfile(
        languages_by_lines=tuple(sorted(languages, key=lambda t: (-t.lines, t.name))),
        languages_by_commits=tuple(sorted(languages, key=lambda t: (-t.commits, -t.lines, t.name))),
        frameworks=_frameworks(owned, prefs),
        top_skills=_top_skills(owned, prefs),
        first_active=first,
        last_active=last,
        calendar=_calendar(owned),
        seniority=_seniority(owned, languages, first, last),
    )


def _owned(report: ProjectReport) -> bool:
    history = report.history
    return history is None or history.user is None or history.user.commits > 0


def _activity(report: ProjectReport) -> Mapping[str, LanguageActivity] | None:
    history = report.history
    if history is None:
        return None
    return history.user.languages if history.user is not None else history.languages


def _languages(inputs: Sequence[ProfileInput]) -> list[LanguageTotal]:
    lines: Counter[str] = Counter()
    commits: Counter[str] = Counter()
    projects: Counter[str] = Counter()
    for item in inputs:
        kinds = {s.name: s.kind for s in item.report.languages.shares}
        for name, act in _language_usage(item.report).items():
            if is_skill_language(name, kinds):
                lines[name] += act[0]
                commits[name] += act[1]
                projects[name] += 1
    return [LanguageTotal(n, lines[n], commits[n], projects[n]) for n in projects]


def _language_usage(report: ProjectReport) -> dict[str, tuple[int, int]]:
    activity = _activity(report)
    if activity is None:
        return {
            s.name: (s.bytes // BYTES_PER_LINE, 0)
            for s in report.languages.shares
            if s.kind in (LanguageKind.PROGRAMMING, LanguageKind.MARKUP)
        }
    return {name: (a.added + a.deleted, a.commits) for name, a in activity.items()}


def _frameworks(
    inputs: Sequence[ProfileInput], prefs: RepresentationPrefs
) -> tuple[FrameworkTotal, ...]:
    """Most projects first, then the most central (highest weight in any project: a framework
    before a linter, and either before a library declared only in examples), then by name."""
    seen: dict[str, tuple[str, SkillCategory]] = {}
    projects: Counter[str] = Counter()
    weights: defaultdict[str, float] = defaultdict(float)
    for item in inputs:
        for skill in {s.name.casefold(): s for s in item.skills}.values():
            if skill.category in _NOT_FRAMEWORKS or prefs.is_hidden(skill.name):
                continue
            key = skill.name.casefold()
            seen.setdefault(key, (skill.name, skill.category))
            projects[key] += 1
            weights[key] = max(weights[key], skill.weight)
    order = sorted(seen, key=lambda k: (-projects[k], -weights[k], k))
    return tuple(FrameworkTotal(*seen[k], projects[k]) for k in order)


def _top_skills(
    inputs: Sequence[ProfileInput], prefs: RepresentationPrefs
) -> tuple[ProfileSkill, ...]:
    values: defaultdict[str, list[float]] = defaultdict(list)
    weights: defaultdict[str, float] = defaultdict(float)
    first_seen: dict[str, tuple[str, SkillCategory]] = {}
    for item in inputs:
        for skill in item.skills:
            if prefs.is_hidden(skill.name):
                continue
            key = skill.name.casefold()
            first_seen.setdefault(key, (skill.name, skill.category))
            values[key].append(skill.proficiency)
            weights[key] = max(weights[key], skill.weight)
    skills = []
    for key, (name, cat) in first_seen.items():
        p = aggregate_proficiency(values[key])
        highlighted = prefs.highlight_rank(name) < len(prefs.highlight_skills)
        weight = round(weights[key], 4)
        skills.append(
            ProfileSkill(
                name,
                cat,
                p,
                level_for(p),
                len(values[key]),
                highlighted,
                weight,
                round(p * weight, 4),
            )
        )
    skills.sort(key=lambda s: (prefs.highlight_rank(s.name), -s.score, s.name.casefold()))
    return tuple(skills[:TOP_SKILLS])


def _calendar(inputs: Sequence[ProfileInput]) -> dict[date, int]:
    total: Counter[date] = Counter()
    for item in inputs:
        history = item.report.history
        if history is not None:
            total.update(history.user.calendar if history.user is not None else history.calendar)
    return dict(sorted(total.items()))


def _seniority(
    inputs: Sequence[ProfileInput],
    languages: Sequence[LanguageTotal],
    first: datetime | None,
    last: datetime | None,
) -> Seniority:
    years = (last - first).days / 365.25 if first and last else 0.0
    langs = sum(1 for t in languages if t.lines >= LANGUAGE_LINES_THRESHOLD)
    core = sum(1 for i in inputs if category(i.report.history) is ResumeCategory.EXPERIENCE)
    practices = _practices_shown(inputs)
    rules = (
        (_steps(years, (1, 3, 6)), f"{years:.1f} years active"),
        (_steps(langs, (2, 4)), f"{langs} languages with >= {LANGUAGE_LINES_THRESHOLD:,} lines"),
        (_steps(core, (1, 3)), f"{core} collaborative projects as a core contributor"),
        (_steps(len(practices), (2, 4)), f"{len(practices)} engineering practices shown"),
    )
    score = sum(points for points, _ in rules)
    reasons = tuple(f"{why}: +{points}" for points, why in rules)
    return Seniority(_level(score), score, reasons)


def _practices_shown(inputs: Sequence[ProfileInput]) -> set[str]:
    return {s.name for i in inputs for s in i.skills if s.category is SkillCategory.PRACTICES}


def _steps(value: float, bounds: tuple[float, ...]) -> int:
    return sum(1 for bound in bounds if value >= bound)


def _level(score: int) -> SeniorityLevel:
    if score >= 7:
        return SeniorityLevel.STAFF
    if score >= 5:
        return SeniorityLevel.SENIOR
    if score >= 3:
        return SeniorityLevel.MID
    return SeniorityLevel.JUNIOR
