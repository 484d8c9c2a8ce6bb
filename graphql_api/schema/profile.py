"""The developer profile across a portfolio, as typed objects (mining.analyze.profile)."""

from __future__ import annotations

import datetime as dt
from typing import Self

import strawberry

from graphql_api.schema.args import First
from graphql_api.schema.context import Info
from graphql_api.schema.enums import SeniorityLevel, SkillCategory
from graphql_api.schema.types import FIRST_OF_LIST, list_size
from mining.analyze.proficiency import Level
from mining.analyze.profile import DeveloperProfile, FrameworkTotal, LanguageTotal, ProfileSkill


@strawberry.type(name="LanguageTotal", description="The user's work in one language.")
class LanguageTotalType:
    name: str = strawberry.field(description="The language.")
    lines: int = strawberry.field(description="Lines the user added and deleted in it.")
    commits: int = strawberry.field(description="The user's commits that touched it.")
    projects: int = strawberry.field(description="Projects in which the user wrote it.")

    @classmethod
    def of(cls, total: LanguageTotal) -> Self:
        return cls(
            name=total.name, lines=total.lines, commits=total.commits, projects=total.projects
        )


@strawberry.type(name="FrameworkTotal", description="A framework or tool across the projects.")
class FrameworkTotalType:
    name: str = strawberry.field(description="The framework, library or tool.")
    category: SkillCategory = strawberry.field(description="What kind of skill it is.")
    projects: int = strawberry.field(description="Projects of the user's that use it.")

    @classmethod
    def of(cls, total: FrameworkTotal) -> Self:
        return cls(name=total.name, category=total.category, projects=total.projects)


@strawberry.type(name="ProfileSkill", description="A skill across the user's projects.")
class ProfileSkillType:
    name: str = strawberry.field(description="The skill.")
    category: SkillCategory = strawberry.field(description="What kind of skill it is.")
    proficiency: float = strawberry.field(
        description="Proficiency aggregated over the projects, 0..1."
    )
    level: Level = strawberry.field(description="The proficiency as a level.")
    projects: int = strawberry.field(description="Projects that show it.")
    highlighted: bool = strawberry.field(description="Highlighted in the user's preferences.")
    weight: float = strawberry.field(
        description="Centrality: its highest weight in any project, 0..1."
    )
    score: float = strawberry.field(description="Proficiency x weight: the order of top skills.")

    @classmethod
    def of(cls, skill: ProfileSkill) -> Self:
        return cls(
            name=skill.name,
            category=skill.category,
            proficiency=skill.proficiency,
            level=skill.level,
            projects=skill.projects,
            highlighted=skill.highlighted,
            weight=skill.weight,
            score=skill.score,
        )


@strawberry.type(name="CalendarDay", description="The user's commits on one day.")
class CalendarDayType:
    date: dt.date = strawberry.field(description="The day (UTC).")
    commits: int = strawberry.field(description="The user's commits that day.")


@strawberry.type(name="Seniority", description="A seniority estimate, with its reasons.")
class SeniorityType:
    level: SeniorityLevel = strawberry.field(description="The estimate.")
    score: int = strawberry.field(description="Points from the four rules, 0..9.")
    reasons: list[str] = strawberry.field(description="Why: one line per rule that scored.")


@strawberry.type(
    name="Profile",
    description="The developer profile across a portfolio: the user's own work in it.",
)
class ProfileType:
    first_active: dt.datetime | None = strawberry.field(
        description="The user's first commit in any project."
    )
    last_active: dt.datetime | None = strawberry.field(
        description="The user's last commit in any project."
    )
    seniority: SeniorityType = strawberry.field(description="A seniority estimate.")
    _profile: strawberry.Private[DeveloperProfile]

    @classmethod
    def of(cls, profile: DeveloperProfile) -> Self:
        sen = profile.seniority
        return cls(
            first_active=profile.first_active,
            last_active=profile.last_active,
            seniority=SeniorityType(level=sen.level, score=sen.score, reasons=list(sen.reasons)),
            _profile=profile,
        )

    @strawberry.field(description="Languages, most lines first. " + FIRST_OF_LIST)
    def languages_by_lines(self, info: Info, first: First = None) -> list[LanguageTotalType]:
        totals = self._profile.languages_by_lines[: list_size(info, first)]
        return [LanguageTotalType.of(t) for t in totals]

    @strawberry.field(description="Languages, most commits first. " + FIRST_OF_LIST)
    def languages_by_commits(self, info: Info, first: First = None) -> list[LanguageTotalType]:
        totals = self._profile.languages_by_commits[: list_size(info, first)]
        return [LanguageTotalType.of(t) for t in totals]

    @strawberry.field(description="Frameworks and tools, most projects first. " + FIRST_OF_LIST)
    def frameworks(self, info: Info, first: First = None) -> list[FrameworkTotalType]:
        totals = self._profile.frameworks[: list_size(info, first)]
        return [FrameworkTotalType.of(t) for t in totals]

    @strawberry.field(
        description="The top skills: highlighted ones first, then by score. " + FIRST_OF_LIST
    )
    def top_skills(self, info: Info, first: First = None) -> list[ProfileSkillType]:
        return [ProfileSkillType.of(s) for s in self._profile.top_skills[: list_size(info, first)]]

    @strawberry.field(
        description="The user's commits per day, oldest first; days without commits left out. "
        + FIRST_OF_LIST
    )
    def calendar(self, info: Info, first: First = None) -> list[CalendarDayType]:
        days = list(self._profile.calendar.items())[: list_size(info, first)]
        return [CalendarDayType(date=day, commits=commits) for day, commits in days]
