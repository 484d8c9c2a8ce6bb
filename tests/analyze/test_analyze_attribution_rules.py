"""attribution: the cases test_analyze_credit.py leaves open (a tool known only from its files
in a configuration naming several, a manifest only mining/tree reads, several sources)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mining.analyze.attribution import credit, credit_tool, declared_since
from mining.analyze.signals import signals_of
from mining.records import FileTouch, ToolTouch
from tests.analyze.analyze_factory import detection, dt, history, lang, report, user_stats

PRE_COMMIT = ".pre-commit-config.yaml"


def _touch(first: datetime, last: datetime, commits: int = 0) -> FileTouch:
    return FileTouch(first, last, commits, first if commits else None, last if commits else None)


def test_a_tool_known_from_its_files_counts_from_when_it_entered_them() -> None:
    # The user changed the file 30 times, but only twice after Ruff was added to it.
    touches = {PRE_COMMIT: _touch(dt(2019, 1), dt(2024, 1), 30)}
    ruff = ToolTouch(PRE_COMMIT, "Ruff", dt(2023, 1), 2, dt(2023, 3), dt(2023, 8))
    h = replace(history(user=user_stats()), touches=touches, tool_touches=(ruff,))
    assert credit_tool(h, user_stats(), [PRE_COMMIT], "ruff") == (
        "the user changed .pre-commit-config.yaml (2 commit(s), 2023-03-01 to 2023-08-01)"
    )
    never = replace(ruff, user_commits=0, user_first=None, user_last=None)
    assert (
        credit_tool(replace(h, tool_touches=(never,)), user_stats(), [PRE_COMMIT], "Ruff") is None
    )


def test_a_gemspec_is_a_shared_manifest_dated_by_its_last_change() -> None:
    # mylib.gemspec declares many gems: the dependency is sure only since its last change.
    h = replace(history(), touches={"mylib.gemspec": _touch(dt(2020, 1), dt(2023, 3))})
    assert declared_since(h, ["mylib.gemspec"]) == dt(2023, 3)
    rails = detection("Rails", "framework", "ruby", "mylib.gemspec")
    me = user_stats(languages={"Ruby": lang(50, first=dt(2019, 1), last=dt(2022, 6))})
    h = replace(history(user=me), touches=h.touches)
    signals = signals_of(report(history=h, frameworks=[rails], user_touched=False))
    # The user's last Ruby (2022-06) is before the gemspec's last change: no credit.
    assert credit(h, me, signals, rails, ["mylib.gemspec"]) is None


def test_every_declaring_file_is_named() -> None:
    flask = detection("Flask", "framework", "python", "pyproject.toml")
    touches = {
        "pyproject.toml": _touch(dt(2020, 1), dt(2022, 1)),
        "setup.py": _touch(dt(2019, 1), dt(2021, 5)),
    }
    me = user_stats(languages={"Python": lang(10, first=dt(2019, 1), last=dt(2023, 2))})
    h = replace(history(user=me), touches=touches)
    signals = signals_of(report(history=h, frameworks=[flask], user_touched=False))
    # Sure since the earlier of the two manifests' last changes.
    assert credit(h, me, signals, flask, ["pyproject.toml", "setup.py"]) == (
        "the user changed Python code while Flask was declared (pyproject.toml, setup.py "
        "declares it, unchanged since 2021-05-01; the user's last such commit 2023-02-01)"
    )
