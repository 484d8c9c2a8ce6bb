"""attribution.credit: the sentence proving the user's own work with a detection, rule by rule
(mining/analyze/attribution.py), on hand-built histories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import pytest

from mining.analyze.attribution import credit, credit_tool, declared_since
from mining.analyze.signals import signals_of
from mining.records import DeclaredEdit, Detection, FileTouch, History, ToolTouch, UserStats
from tests.analyze.analyze_factory import detection, dt, history, lang, report, user_stats

WORKFLOW = ".github/workflows/ci.yml"


def _touch(first: datetime, last: datetime, commits: int = 0) -> FileTouch:
    """Anyone's first and last commit on a file; the user's `commits` over the same span."""
    return FileTouch(first, last, commits, first if commits else None, last if commits else None)


def _credit(
    found: Detection,
    touches: dict[str, FileTouch],
    *,
    others: Sequence[Detection] = (),
    declared: Sequence[DeclaredEdit] = (),
    tools: Sequence[ToolTouch] = (),
    user: UserStats | None = None,
    sources: Sequence[str] | None = None,
) -> str | None:
    me = user or user_stats()
    h: History = replace(
        history(user=me), touches=touches, user_declared=tuple(declared), tool_touches=tuple(tools)
    )
    signals = signals_of(report(history=h, frameworks=(found, *others), user_touched=False))
    return credit(h, me, signals, found, [found.source] if sources is None else sources)


def test_the_users_commits_on_a_tools_own_file() -> None:
    ci = detection("GitHub Actions", "ci", "any", WORKFLOW)
    sentence = _credit(ci, {WORKFLOW: _touch(dt(2016, 4), dt(2025, 11), 14)})
    assert (
        sentence
        == "the user changed .github/workflows/ci.yml (14 commit(s), 2016-04-01 to 2025-11-01)"
    )
    assert _credit(ci, {WORKFLOW: _touch(dt(2016, 4), dt(2025, 11))}) is None


@pytest.mark.parametrize(
    ("count", "names"),
    [(3, "w0.yml, w1.yml, w2.yml"), (4, "w0.yml, w1.yml, w2.yml and 1 more"),
     (6, "w0.yml, w1.yml, w2.yml and 3 more")],
)  # fmt: skip
def test_three_files_are_named_then_a_count(count: int, names: str) -> None:
    paths = [f"w{i}.yml" for i in range(count)]
    touches = {p: _touch(dt(2020, 1 + i), dt(2021, 1 + i), 2) for i, p in enumerate(paths)}
    h = replace(history(user=user_stats()), touches=touches)
    sentence = credit_tool(h, user_stats(), paths, "Travis CI")
    last = f"2021-{count:02d}-01"
    assert sentence == f"the user changed {names} ({2 * count} commit(s), 2020-01-01 to {last})"


def test_a_tool_is_credited_through_any_of_its_files() -> None:
    # Ruff found in pyproject.toml and in ruff.toml: the user changed ruff.toml only.
    in_pyproject = detection("Ruff", "linter", "python", "pyproject.toml")
    in_own_file = detection("Ruff", "linter", "python", "ruff.toml")
    touches = {"ruff.toml": _touch(dt(2022, 3), dt(2022, 5), 2)}
    sentence = _credit(in_pyproject, touches, others=[in_own_file])
    assert sentence == "the user changed ruff.toml (2 commit(s), 2022-03-01 to 2022-05-01)"


def test_a_shared_manifest_counts_only_the_lines_declaring_the_detection() -> None:
    flask = detection("Flask", "framework", "python", "pyproject.toml")
    touches = {"pyproject.toml": _touch(dt(2020, 1), dt(2024, 1), 9)}
    declared = [
        DeclaredEdit("pyproject.toml", "Flask", 2, dt(2021, 2), dt(2021, 8)),
        DeclaredEdit("requirements.txt", "Flask", 5, dt(2019, 1), dt(2019, 2)),  # not a source
        DeclaredEdit("pyproject.toml", "Click", 7, dt(2018, 1), dt(2018, 2)),  # another package
    ]
    old = user_stats(languages={"Python": lang(10, first=dt(2019, 1), last=dt(2020, 1))})
    sentence = _credit(flask, touches, declared=declared, user=old)
    assert sentence == (
        "the user added or changed the lines declaring Flask in pyproject.toml "
        "(2 commit(s), 2021-02-01 to 2021-08-01)"
    )
    # Touching the manifest is no work with each package it declares.
    assert _credit(flask, touches, declared=declared[1:], user=old) is None


def test_declared_lines_in_several_manifests() -> None:
    react = detection("React", "framework", "javascript", "package.json")
    declared = [
        DeclaredEdit("web/package.json", "React", 1, dt(2022, 5), dt(2022, 5)),
        DeclaredEdit("package.json", "React", 3, dt(2021, 1), dt(2023, 2)),
    ]
    sentence = _credit(react, {}, declared=declared, sources=["package.json", "web/package.json"])
    assert sentence == (
        "the user added or changed the lines declaring React in package.json, web/package.json "
        "(4 commit(s), 2021-01-01 to 2023-02-01)"
    )


def test_a_tool_in_a_file_naming_several_counts_from_when_it_entered() -> None:
    ruff = detection("Ruff", "linter", "python", ".pre-commit-config.yaml")
    touches = {".pre-commit-config.yaml": _touch(dt(2019, 1), dt(2024, 1), 30)}
    entered = ToolTouch(".pre-commit-config.yaml", "ruff", dt(2023, 1), 3, dt(2023, 2), dt(2023, 9))
    other = ToolTouch(".pre-commit-config.yaml", "Black", dt(2019, 1), 30, dt(2019, 1), dt(2024, 1))
    assert _credit(ruff, touches, tools=[other, entered]) == (
        "the user changed .pre-commit-config.yaml (3 commit(s), 2023-02-01 to 2023-09-01)"
    )
    before = replace(entered, user_commits=0, user_first=None, user_last=None)
    assert _credit(ruff, touches, tools=[other, before]) is None


def test_configuration_measured_tools_are_never_credited_for_code() -> None:
    ci = detection("GitHub Actions", "ci", "python", WORKFLOW)
    assert _credit(ci, {WORKFLOW: _touch(dt(2020, 1), dt(2020, 1))}) is None


def _python_until(last: datetime) -> UserStats:
    return user_stats(languages={"Python": lang(10, first=dt(2019, 1), last=last)})


@pytest.mark.parametrize(
    ("last", "credited"), [(dt(2022, 1), True), (dt(2023, 6), True), (dt(2021, 12), False)]
)
def test_code_written_while_a_dependency_was_surely_declared(
    last: datetime, credited: bool
) -> None:
    flask = detection("Flask", "framework", "python", "pyproject.toml")
    touches = {"pyproject.toml": _touch(dt(2020, 1), dt(2022, 1))}  # last changed 2022-01
    sentence = _credit(flask, touches, user=_python_until(last))
    expected = (
        "the user changed Python code while Flask was declared (pyproject.toml declares it, "
        f"unchanged since 2022-01-01; the user's last such commit {last:%Y-%m-%d})"
    )
    assert sentence == (expected if credited else None)


def test_code_in_several_languages_of_the_ecosystem() -> None:
    react = detection("React", "framework", "javascript", "package.json")
    me = user_stats(languages={
        "TypeScript": lang(5, last=dt(2023, 3)), "JavaScript": lang(5, last=dt(2022, 9)),
        "Python": lang(5, last=dt(2024, 1)),
    })  # fmt: skip
    sentence = _credit(react, {"package.json": _touch(dt(2021, 1), dt(2022, 6))}, user=me)
    assert sentence == (
        "the user changed JavaScript/TypeScript code while React was declared (package.json "
        "declares it, unchanged since 2022-06-01; the user's last such commit 2023-03-01)"
    )


def test_no_credit_without_a_dated_source_or_an_ecosystem_language() -> None:
    flask = detection("Flask", "framework", "python", "pyproject.toml")
    assert _credit(flask, {}, user=_python_until(dt(2023, 1))) is None
    redis = detection("Redis", "database", "any", "docker-compose.yml")
    touches = {"docker-compose.yml": _touch(dt(2020, 1), dt(2020, 1))}
    assert _credit(redis, touches, user=_python_until(dt(2023, 1))) is None
    react = detection("React", "framework", "javascript", "package.json")
    assert _credit(react, {"package.json": _touch(dt(2020, 1), dt(2020, 1))}) is None


def test_declared_since_is_a_shared_manifests_last_change_or_a_tool_files_first() -> None:
    h = replace(
        history(),
        touches={
            "pyproject.toml": _touch(dt(2020, 1), dt(2022, 1)),
            WORKFLOW: _touch(dt(2021, 6), dt(2023, 6)),
        },
    )
    assert declared_since(h, ["pyproject.toml"]) == dt(2022, 1)
    assert declared_since(h, [WORKFLOW]) == dt(2021, 6)
    assert declared_since(h, ["pyproject.toml", WORKFLOW]) == dt(2021, 6)
    assert declared_since(h, ["setup.cfg"]) is None
