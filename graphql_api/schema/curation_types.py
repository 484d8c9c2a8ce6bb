"""Read-back of what is stored about a portfolio: the representation preferences (typed),
its uploads, its projects' summaries. (The answers to the questions are in portfolio.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

import strawberry

from graphql_api.db import models
from graphql_api.schema.enums import Factor  # registered there as RankingFactor


@strawberry.type(
    name="ChronologyOverride", description="Dates that replace a project's mined period."
)
class ChronologyOverrideType:
    project: str = strawberry.field(description="The project's path or name, as given.")
    first: dt.date | None = strawberry.field(description="The first day, if replaced.")
    last: dt.date | None = strawberry.field(description="The last day, if replaced.")


@strawberry.type(name="CustomRanking", description="A manual rank or score of a project.")
class CustomRankingType:
    project: str = strawberry.field(description="The project's path or name, as given.")
    rank: int | None = strawberry.field(description="1 = first among the manually ranked.")
    score: float | None = strawberry.field(description="Replaces the computed score (0..100).")


@strawberry.type(
    name="RepresentationPrefs",
    description="How you want the portfolio shown (setRepresentationPrefs); applied at once.",
)
class RepresentationPrefsType:
    showcase_projects: list[str] = strawberry.field(
        description="Projects given resume items and marked showcased; empty: every project."
    )
    project_order: list[str] = strawberry.field(description="Projects ranked first, in order.")
    highlight_skills: list[str] = strawberry.field(
        description="Skills shown first in the profile's top skills and resume stacks."
    )
    hidden_skills: list[str] = strawberry.field(
        description="Skills left out of every list: project and user skills, profile, resume."
    )
    chronology_overrides: list[ChronologyOverrideType] = strawberry.field(
        description="Dates that replace mined periods (ranking recency, profile, resume)."
    )
    comparison_attributes: list[Factor] = strawberry.field(
        description="The ranking terms shown in `rankingComponents`; empty: all of them."
    )
    custom_rankings: list[CustomRankingType] = strawberry.field(
        description="Manual ranks and scores."
    )
    updated_at: dt.datetime | None = strawberry.field(
        description="When they were last set; null when never."
    )

    @classmethod
    def from_json(cls, prefs: dict[str, Any], updated_at: dt.datetime | None) -> Self:
        """From a stored document (validated against the domain's schema when it was set)."""
        chronology = prefs.get("chronology_overrides", {})
        custom = prefs.get("custom_rankings", {})
        return cls(
            showcase_projects=list(prefs.get("showcase_projects", [])),
            project_order=list(prefs.get("project_order", [])),
            highlight_skills=list(prefs.get("highlight_skills", [])),
            hidden_skills=list(prefs.get("hidden_skills", [])),
            chronology_overrides=[
                ChronologyOverrideType(
                    project=key, first=_date(value.get("first")), last=_date(value.get("last"))
                )
                for key, value in sorted(chronology.items())
            ],
            comparison_attributes=[Factor(a) for a in prefs.get("comparison_attributes", [])],
            custom_rankings=[
                CustomRankingType(project=key, rank=value.get("rank"), score=value.get("score"))
                for key, value in sorted(custom.items())
            ],
            updated_at=updated_at,
        )


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


@strawberry.type(name="UploadedFile", description="A ZIP file uploaded into a portfolio.")
class UploadedFileType:
    file_name: str = strawberry.field(description="The file's name as uploaded.")
    size: float = strawberry.field(description="Its size in bytes.")
    sha256: str = strawberry.field(description="The SHA-256 of its bytes, hex.")
    uploaded_at: dt.datetime = strawberry.field(description="When it was uploaded.")

    @classmethod
    def from_model(cls, row: models.UploadedZip) -> Self:
        return cls(
            file_name=row.filename, size=row.size, sha256=row.sha256, uploaded_at=row.uploaded_at
        )


@strawberry.type(name="Summary", description="A summary written of a project.")
class SummaryType:
    text: str = strawberry.field(description="The summary.")
    provider: str = strawberry.field(
        description="What wrote it: the template, or the language model's client."
    )
    user_email: str = strawberry.field(description="Whose work it describes.")
    generated_at: dt.datetime = strawberry.field(description="When it was written.")

    @classmethod
    def from_model(cls, row: models.UserIntelligenceSummary) -> Self:
        return cls(
            text=row.summary_text,
            provider=row.provider,
            user_email=row.user_email,
            generated_at=row.generated_at,
        )
