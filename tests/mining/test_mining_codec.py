"""codec.dumps (orjson) prints what codec.dump (the reference) gives, on mined reports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from mining import codec
from mining.analyze import analyze_portfolio
from mining.git.discover import discover
from mining.git.runner import GitRunner
from mining.pipeline import mine_project
from mining.records import ActivityKind, Identity, ProjectReport
from tests.mining import scenario
from tests.mining.repo_builder import Factory

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _strict(text: bytes) -> Any:
    """JSON as the standard allows it: NaN and Infinity refused."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


async def _mined(repos: Factory, upload: Path, runner: GitRunner) -> ProjectReport:
    scenario.build(repos)
    [project] = discover(upload)
    return await mine_project(project, Identity.of("alice@example.com"), runner)


@pytest.mark.parametrize("indent", [False, True])
async def test_a_mined_report_and_its_analysis_print_as_dump_gives_them(
    repos: Factory, upload: Path, runner: GitRunner, indent: bool
) -> None:
    report = await _mined(repos, upload, runner)
    analysis = analyze_portfolio([report], Identity.of("alice@example.com"), now=NOW)
    assert report.history is not None
    assert report.history.user is not None
    assert report.history.user.calendar  # date keys
    assert report.history.user.activity  # enum keys
    assert any(a.share % 1 for a in report.history.collaboration.authors)  # floats' decimals
    for value in (report, analysis, analysis.projects[0], [report, {"analysis": analysis}]):
        assert _strict(codec.dumps(value, indent=indent)) == codec.dump(value)


async def test_a_printed_report_loads_back_equal(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    report = await _mined(repos, upload, runner)
    assert codec.load(ProjectReport, _strict(codec.dumps(report))) == report


def test_sets_print_sorted_as_dump_sorts_them() -> None:
    value = {
        "identity": Identity.of("b@x", "a@x", "c@x"),
        "kinds": frozenset({ActivityKind.TEST, ActivityKind.CODE, ActivityKind.DOCS}),
        "days": {date(2024, 1, 2), date(2023, 5, 1)},
    }
    assert _strict(codec.dumps(value)) == codec.dump(value) == {
        "identity": {"emails": ["a@x", "b@x", "c@x"]},
        "kinds": ["code", "docs", "test"],
        "days": ["2023-05-01", "2024-01-02"],
    }  # fmt: skip


def test_datetimes_and_floats_print_as_json_reads_them() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=UTC)
    floats = [1e16, 1e-7, 0.1 + 0.2, 1 / 3, -0.0, 123456789.125, 5e-324, 1.7976931348623157e308]
    value = {when: [when, datetime(2024, 1, 2, tzinfo=UTC), date(2024, 1, 2)], "f": floats}
    printed = _strict(codec.dumps(value))
    assert printed == codec.dump(value)
    assert printed[when.isoformat()][0] == when.isoformat()
    assert [repr(f) for f in printed["f"]] == [repr(f) for f in floats]


@pytest.mark.parametrize("odd", ["lone \udc80 surrogate", 2**70])
def test_what_orjson_refuses_is_printed_by_json(odd: Any) -> None:
    value = {"odd": odd, "when": date(2024, 1, 2)}
    assert _strict(codec.dumps(value)) == codec.dump(value)
    assert _strict(codec.dumps(value, indent=True)) == codec.dump(value)


def test_what_neither_knows_is_refused() -> None:
    with pytest.raises(TypeError):
        codec.dumps({"path": Path("x")})
