"""Representation preferences: how the user wants their portfolio shown.

Projects are named by their `ProjectReport.path` (unique in a portfolio); a project's `name`
is accepted as well, the path winning when both match. Skill names compare case-insensitively.

Who applies what:
- showcase_projects: resume.py gives resume items only to these (empty = every project);
  ranking.py marks them `showcased`.
- project_order, custom_rankings: ranking.py orders by them (see `rank_projects`); a custom
  score replaces the computed one, a custom rank places the project among the manual ranks.
- highlight_skills: first (in the given order) in profile.py's top skills and resume stacks.
- hidden_skills: removed from project/user skills, the profile and resume items.
- chronology_overrides: replace the first/last dates used for ranking recency, the profile's
  active period and resume periods (health keeps the git dates: it judges the repository).
- comparison_attributes: which ranking components `RankedProject.comparison` reports
  (empty = all).

`REPRESENTATION_PREFS_SCHEMA` (JSON Schema draft 2020-12) is what the service validates a
prefs document against before storing it; `RepresentationPrefs.from_json` assumes that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from mining.analyze.weights import Factor

_T = TypeVar("_T")

_NAMES = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}
_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

REPRESENTATION_PREFS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:artifact-miner:representation-prefs",
    "title": "RepresentationPrefs",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "showcase_projects": _NAMES,
        "project_order": _NAMES,
        "highlight_skills": _NAMES,
        "hidden_skills": _NAMES,
        "chronology_overrides": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {"first": _DATE, "last": _DATE},
            },
        },
        "comparison_attributes": {
            "type": "array",
            "items": {"enum": [f.value for f in Factor]},
            "uniqueItems": True,
        },
        "custom_rankings": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "rank": {"type": "integer", "minimum": 1},
                    "score": {"type": "number", "minimum": 0, "maximum": 100},
                },
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class ChronologyOverride:
    first: date | None = None
    last: date | None = None


@dataclass(frozen=True, slots=True)
class CustomRanking:
    rank: int | None = None  # 1 = first among the manually ranked projects
    score: float | None = None  # replaces the computed score (0..100)


@dataclass(frozen=True, slots=True)
class RepresentationPrefs:
    showcase_projects: tuple[str, ...] = ()
    project_order: tuple[str, ...] = ()
    highlight_skills: tuple[str, ...] = ()
    hidden_skills: tuple[str, ...] = ()
    chronology_overrides: Mapping[str, ChronologyOverride] = field(default_factory=dict)
    comparison_attributes: tuple[Factor, ...] = ()
    custom_rankings: Mapping[str, CustomRanking] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RepresentationPrefs:
        """Build from a document already validated against REPRESENTATION_PREFS_SCHEMA."""
        chronology = {
            key: ChronologyOverride(_date(v.get("first")), _date(v.get("last")))
            for key, v in data.get("chronology_overrides", {}).items()
        }
        custom = {
            key: CustomRanking(v.get("rank"), None if v.get("score") is None else float(v["score"]))
            for key, v in data.get("custom_rankings", {}).items()
        }
        return cls(
            showcase_projects=tuple(data.get("showcase_projects", ())),
            project_order=tuple(data.get("project_order", ())),
            highlight_skills=tuple(data.get("highlight_skills", ())),
            hidden_skills=tuple(data.get("hidden_skills", ())),
            chronology_overrides=chronology,
            comparison_attributes=tuple(Factor(a) for a in data.get("comparison_attributes", ())),
            custom_rankings=custom,
        )

    def is_hidden(self, skill: str) -> bool:
        return skill.casefold() in {s.casefold() for s in self.hidden_skills}

    def highlight_rank(self, skill: str) -> int:
        """Position in highlight_skills, or len(highlight_skills) when not highlighted."""
        folded = [s.casefold() for s in self.highlight_skills]
        key = skill.casefold()
        return folded.index(key) if key in folded else len(folded)

    def is_showcased(self, path: str, name: str) -> bool:
        return not self.showcase_projects or bool({path, name} & set(self.showcase_projects))

    def order_index(self, path: str, name: str) -> int | None:
        for key in (path, name):
            if key in self.project_order:
                return self.project_order.index(key)
        return None

    def chronology(self, path: str, name: str) -> ChronologyOverride:
        return _lookup(self.chronology_overrides, path, name) or ChronologyOverride()

    def custom(self, path: str, name: str) -> CustomRanking:
        return _lookup(self.custom_rankings, path, name) or CustomRanking()

    def compares(self, factor: Factor) -> bool:
        return not self.comparison_attributes or factor in self.comparison_attributes


def _lookup(mapping: Mapping[str, _T], path: str, name: str) -> _T | None:
    return mapping.get(path, mapping.get(name))


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def override_datetime(value: date | None, fallback: datetime | None) -> datetime | None:
    """A chronology override as a UTC midnight datetime, else the mined datetime."""
    return fallback if value is None else datetime.combine(value, time(), tzinfo=UTC)
