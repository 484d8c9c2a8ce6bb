"""Stored reports come back equal to what was mined."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

import pytest

from graphql_api.db.json_schemas import OBJECT
from graphql_api.db.types import checked_text, loads
from graphql_api.jobs import persist
from mining import codec
from mining.records import (
    ActivityKind,
    AuthorStats,
    Collaboration,
    Detection,
    History,
    LanguageActivity,
    LanguageBreakdown,
    LanguageKind,
    LanguageShare,
    ProjectKind,
    ProjectReport,
    TreeFacts,
    UserStats,
)

T1 = datetime(2024, 1, 1, 12, tzinfo=UTC)
T2 = datetime(2024, 3, 1, 8, tzinfo=UTC)


def _report() -> ProjectReport:
    python = LanguageActivity(added=120, deleted=20, commits=3, files=2, first=T1, last=T2)
    user = UserStats(
        emails=("ada@example.com",),
        commits=3,
        first_commit=T1,
        last_commit=T2,
        share_percent=75.0,
        commits_per_week=0.4,
        added=120,
        deleted=20,
        activity={ActivityKind.CODE: 100, ActivityKind.TEST: 40},
        languages={"Python": python},
        files_touched=2,
        modules_touched=1,
        calendar={date(2024, 1, 1): 2, date(2024, 3, 1): 1},
        role="Lead Developer",
    )
    author = AuthorStats("Ada", "ada@example.com", 3, 120, 20, T1, T2, 75.0)
    history = History(
        total_commits=4,
        merges=1,
        first_commit=T1,
        last_commit=T2,
        collaboration=Collaboration((author,), bus_factor=1, is_collaborative=True),
        languages={"Python": python},
        activity={ActivityKind.CODE: 100},
        calendar={date(2024, 1, 1): 3},
        tags=2,
        user=user,
    )
    return ProjectReport(
        name="demo",
        path="demo",
        kind=ProjectKind.WORKTREE,
        root_commit="a" * 40,
        head_commit=None,
        history=history,
        languages=LanguageBreakdown(
            (LanguageShare("Python", LanguageKind.PROGRAMMING, 1000, 100.0),), "Python"
        ),
        frameworks=(Detection("Flask", "framework", "python", "pyproject.toml"),),
        tree=TreeFacts(files=3, counts={ActivityKind.CODE: 2}, notable=("README.md",)),
    )


def test_a_report_survives_a_json_round_trip() -> None:
    report = _report()
    stored = json.loads(json.dumps(codec.dump(report)))
    assert codec.load(ProjectReport, stored) == report


def test_keys_and_values_become_plain_json() -> None:
    dumped = codec.dump(_report())
    assert dumped["history"]["user"]["calendar"] == {"2024-01-01": 2, "2024-03-01": 1}
    assert dumped["history"]["user"]["activity"] == {"code": 100, "test": 40}
    assert dumped["kind"] == "worktree"
    assert dumped["history"]["first_commit"] == "2024-01-01T12:00:00+00:00"


def test_the_stored_report_is_its_dump_and_bound_as_the_text_encoded() -> None:
    report = _report()
    stored = persist.report_values(report)["report"]
    assert json.loads(stored.text) == codec.dump(report)
    assert codec.load(ProjectReport, loads(stored.text)) == report


def test_a_report_missing_a_later_field_loads_with_its_default() -> None:
    stored = codec.dump(_report())
    del stored["shallow"], stored["history"]["tag_dates"]
    loaded = codec.load(ProjectReport, stored)
    assert loaded == _report()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": [1, 2.5, "x"]}', {"a": [1, 2.5, "x"]}),
        ('{"n": 1180591620717411303424}', {"n": 2**70}),
    ],
)
def test_json_columns_decode_as_json_does(text: str, value: Any) -> None:
    assert loads(text) == json.loads(text) == value
    assert loads(text.encode()) == value


def test_json_columns_decode_what_json_wrote_of_a_nan() -> None:
    [nan] = loads(json.dumps([float("nan")]))
    assert math.isnan(nan)


def test_an_encoded_value_that_is_no_object_is_refused() -> None:
    with pytest.raises(TypeError, match="JSON object"):
        checked_text("[1]", OBJECT)
