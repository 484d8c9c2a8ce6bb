"""The user's chronology: when they used each skill and worked on each project, month by
month, from their own commits (graphql_api/db/chronology.py reads it; mining/analyze/
chronology.py says how it is derived). Both queries take a portfolio and an optional range
of months; another owner's portfolio answers NOT_FOUND, as a missing one does."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

import strawberry

from graphql_api.db import chronology, models, queries
from graphql_api.schema import ids
from graphql_api.schema.context import Info
from graphql_api.schema.errors import ApiError
from graphql_api.schema.types import RepoStatType, SkillType
from mining.analyze.prefs import RepresentationPrefs

PortfolioArg = Annotated[
    strawberry.ID, strawberry.argument(description="The portfolio whose projects are counted.")
]
FromArg = Annotated[
    date | None, strawberry.argument(name="from", description="The first month counted.")
]
ToArg = Annotated[date | None, strawberry.argument(description="The last month counted.")]
RANGE = (
    "Whole months are counted: `from` and `to` name their months (both included); either may "
    "be left out."
)


@strawberry.type(name="MonthActivity", description="A month with the user's commits.")
class MonthActivityType:
    month: date = strawberry.field(description="The first day of the month.")
    commits: int = strawberry.field(
        description="The user's commits that month, in the projects counted."
    )


@strawberry.type(
    name="SkillChronology",
    description="When the user used one skill, from their own commits: a language from their "
    "commits changing its files (vendored and generated files left out), a framework or tool "
    "from the evidence it was credited on; active months are the months of that period in "
    "which they committed to a project showing it.",
)
class SkillChronologyType:
    skill: SkillType = strawberry.field(description="The skill.")
    first_used: date = strawberry.field(
        description="The first day the user used it, within the months asked for."
    )
    last_used: date = strawberry.field(
        description="The last day the user used it, within the months asked for."
    )
    active_months: list[MonthActivityType] = strawberry.field(
        description="The months of use, oldest first; commits are the user's commits that "
        "month in the projects where the skill was in use."
    )
    project_count: int = strawberry.field(
        description="Projects the skill was used in, within the months asked for."
    )

    @classmethod
    def from_period(cls, period: chronology.SkillPeriod) -> Self:
        return cls(
            skill=SkillType.from_model(period.skill),
            first_used=period.first_used,
            last_used=period.last_used,
            active_months=[
                MonthActivityType(month=m.month, commits=m.commits) for m in period.months
            ],
            project_count=period.projects,
        )


@strawberry.type(name="ProjectPeriod", description="When the user worked on one project.")
class ProjectPeriodType:
    project: RepoStatType = strawberry.field(description="The project.")
    first_active: date = strawberry.field(
        description="The day of the user's first commit to it, within the months asked for."
    )
    last_active: date = strawberry.field(
        description="The day of the user's last commit to it, within the months asked for."
    )
    commits: int = strawberry.field(description="The user's commits to it in those months.")
    active_months: int = strawberry.field(
        description="How many of those months had a commit of the user's."
    )


@strawberry.type(name="TimelineMonth", description="One month of the user's work.")
class TimelineMonthType:
    month: date = strawberry.field(description="The first day of the month.")
    commits: int = strawberry.field(
        description="The user's commits that month, across the portfolio."
    )
    project_count: int = strawberry.field(description="Projects the user committed to.")
    skills: list[SkillType] = strawberry.field(description="The skills in use that month, by name.")


@strawberry.type(
    name="Timeline",
    description="The user's work over time in one portfolio, from their own commits.",
)
class TimelineType:
    months: list[TimelineMonthType] = strawberry.field(
        description="Each month with a commit of the user's, oldest first."
    )
    projects: list[ProjectPeriodType] = strawberry.field(
        description="Each project the user committed to, earliest start first."
    )


def month_range(start: date | None, end: date | None) -> chronology.MonthRange:
    """The months from `start`'s to `end`'s; BAD_DATE_RANGE when they are the wrong way."""
    if start is not None and end is not None and start > end:
        raise ApiError(f"from ({start}) is after to ({end})", code="BAD_DATE_RANGE")
    return chronology.MonthRange(
        None if start is None else start.replace(day=1),
        None if end is None else end.replace(day=1),
    )


async def _portfolio(info: Info, portfolio_id: strawberry.ID) -> models.Portfolio:
    _, uid = ids.decode(portfolio_id, "Portfolio")
    async with info.context.db.read() as session:
        row = await queries.by_uid(session, models.Portfolio, uid, owner_id=info.context.owner_id)
    if row is None:
        raise ApiError("no such portfolio", code="NOT_FOUND")
    return row


@strawberry.type
class ChronologyQuery:
    @strawberry.field(
        description="When the user used each of their skills in a portfolio, first used first. "
        "Skills hidden by the representation preferences are left out. " + RANGE
    )
    async def skill_chronology(
        self,
        info: Info,
        portfolio_id: PortfolioArg,
        from_: FromArg = None,
        to: ToArg = None,
    ) -> list[SkillChronologyType]:
        span = month_range(from_, to)
        portfolio = await _portfolio(info, portfolio_id)
        owner = info.context.owner_id
        async with info.context.db.read() as session:
            periods = await chronology.skill_periods(session, portfolio.id, span, owner_id=owner)
            prefs = await queries.prefs_of(session, portfolio.id, owner_id=owner)
        hidden = RepresentationPrefs.from_json(prefs)
        return [
            SkillChronologyType.from_period(p)
            for p in periods
            if not hidden.is_hidden(p.skill.name)
        ]

    @strawberry.field(
        description="The user's work in a portfolio month by month, and each project's "
        "period. " + RANGE
    )
    async def timeline(
        self,
        info: Info,
        portfolio_id: PortfolioArg,
        from_: FromArg = None,
        to: ToArg = None,
    ) -> TimelineType:
        span = month_range(from_, to)
        portfolio = await _portfolio(info, portfolio_id)
        owner = info.context.owner_id
        async with info.context.db.read() as session:
            months = await chronology.timeline_months(session, portfolio.id, span, owner_id=owner)
            projects = await chronology.project_periods(session, portfolio.id, span, owner_id=owner)
            prefs = await queries.prefs_of(session, portfolio.id, owner_id=owner)
        hidden = RepresentationPrefs.from_json(prefs)
        return TimelineType(
            months=[
                TimelineMonthType(
                    month=m.month,
                    commits=m.commits,
                    project_count=m.projects,
                    skills=[
                        SkillType.from_model(s) for s in m.skills if not hidden.is_hidden(s.name)
                    ],
                )
                for m in months
            ],
            projects=[
                ProjectPeriodType(
                    project=RepoStatType.from_model(p.project),
                    first_active=p.first_active,
                    last_active=p.last_active,
                    commits=p.commits,
                    active_months=p.months,
                )
                for p in projects
            ],
        )
