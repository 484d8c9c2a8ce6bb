"""The representation preferences as a typed input (mining.analyze.prefs).

What is stored is the JSON document of REPRESENTATION_PREFS_SCHEMA: `to_document` writes it
from the input (and the schema still validates it); curation_types.RepresentationPrefsType
reads it back. Projects are named by path (or name); skills by name, case-insensitively.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import strawberry

from mining.analyze import Factor

_NAMES = "Project paths (or names)"


@strawberry.input(description="The user's own first and last dates of a project's work.")
class ChronologyOverrideInput:
    project: str = strawberry.field(description="The project: its path, or its name.")
    first: dt.date | None = strawberry.field(default=None, description="The first day.")
    last: dt.date | None = strawberry.field(default=None, description="The last day.")


@strawberry.input(description="A project's place or score set by hand.")
class CustomRankingInput:
    project: str = strawberry.field(description="The project: its path, or its name.")
    rank: int | None = strawberry.field(
        default=None, description="Its place among the projects ranked by hand, from 1."
    )
    score: float | None = strawberry.field(
        default=None, description="A score (0..100) that replaces the computed one."
    )


@strawberry.input(description="How the user wants their portfolio shown; all of it replaces.")
class RepresentationPrefsInput:
    showcase_projects: list[str] | None = strawberry.field(
        default=None, description=f"{_NAMES} that get resume items (none: every project)."
    )
    project_order: list[str] | None = strawberry.field(
        default=None, description=f"{_NAMES} in the order to rank them."
    )
    highlight_skills: list[str] | None = strawberry.field(
        default=None, description="Skills shown first, in this order."
    )
    hidden_skills: list[str] | None = strawberry.field(
        default=None, description="Skills shown nowhere."
    )
    chronology_overrides: list[ChronologyOverrideInput] | None = strawberry.field(
        default=None, description="Dates that replace the mined first and last ones."
    )
    comparison_attributes: list[Factor] | None = strawberry.field(
        default=None, description="The ranking components compared and shown (none: all)."
    )
    custom_rankings: list[CustomRankingInput] | None = strawberry.field(
        default=None, description="Places and scores set by hand."
    )

    def to_document(self) -> dict[str, Any]:
        """The JSON document to validate and store (keys left out when not given)."""
        document: dict[str, Any] = {
            key: value
            for key, value in (
                ("showcase_projects", self.showcase_projects),
                ("project_order", self.project_order),
                ("highlight_skills", self.highlight_skills),
                ("hidden_skills", self.hidden_skills),
            )
            if value is not None
        }
        if self.comparison_attributes is not None:
            document["comparison_attributes"] = [f.value for f in self.comparison_attributes]
        if self.chronology_overrides is not None:
            document["chronology_overrides"] = {
                o.project: _given(first=_iso(o.first), last=_iso(o.last))
                for o in self.chronology_overrides
            }
        if self.custom_rankings is not None:
            document["custom_rankings"] = {
                c.project: _given(rank=c.rank, score=c.score) for c in self.custom_rankings
            }
        return document

    def repeated_projects(self) -> list[tuple[str, str]]:
        """(field, project) for each project named twice in one list of per-project entries."""
        repeated = []
        for name, entries in (
            ("chronology_overrides", self.chronology_overrides or []),
            ("custom_rankings", self.custom_rankings or []),
        ):
            counts = Counter(entry.project for entry in entries)
            repeated += [(name, project) for project, n in counts.items() if n > 1]
        return repeated


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
