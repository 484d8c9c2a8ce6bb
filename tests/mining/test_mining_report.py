"""The CLI: JSON and text rendering, exit status."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mining import launch
from mining.git.discover import DiscoveredProject
from mining.git.runner import GitRunner, running_processes
from mining.history.split import Split
from mining.pipeline import mine_all
from mining.records import ActivityKind, Identity, ProjectFailure, ProjectReport, TreeFacts
from mining.report import collect, main, render_text, to_jsonable
from tests.mining.repo_builder import ALICE, Factory
from tests.mining.test_mining_log_reader import history_stream


def test_to_jsonable() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    value = {date(2024, 1, 2): (when, ActivityKind.CODE), "ids": Identity.of("A@x")}
    assert to_jsonable(value) == {
        "2024-01-02": ["2024-01-02T03:04:05+00:00", "code"],
        "ids": {"emails": ["a@x"]},
    }
    assert to_jsonable(TreeFacts(1, {ActivityKind.DOCS: 1}, ("README",))) == {
        "files": 1, "counts": {"docs": 1}, "notable": ["README"], "left_out": []
    }  # fmt: skip


def test_render_failure() -> None:
    failure = ProjectFailure("x", "a/x", "REPO_UNSAFE", "a/x/.git: .git is a symbolic link")
    assert render_text(failure) == "a/x  FAILED REPO_UNSAFE: a/x/.git: .git is a symbolic link\n"


def test_mine_json(repos: Factory, upload: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = repos.repo("r").write("main.go", "package main\n")
    head = repo.commit("one", author=ALICE)
    assert main([str(upload), "--email", "alice@example.com", "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert (report["path"], report["kind"], report["head_commit"]) == ("r", "worktree", head)
    analysis = report["analysis"]
    assert analysis["rank"]["position"] == 1
    assert analysis["skills"][0]["name"] == "Go"
    assert {"score", "components"} <= analysis["health"].keys()
    assert 2 <= len(analysis["resume_items"]) <= 4
    user = report["history"]["user"]
    assert (user["commits"], user["role"], user["first_commit"]) == (
        1, "Sole Developer", "2023-11-14T22:13:20+00:00"
    )  # fmt: skip


def test_mine_text(repos: Factory, upload: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repos.repo("r").write("main.go", "package main\n").commit("one", author=ALICE)
    (upload / "bad").mkdir()
    (upload / "bad/.git").write_text("gitdir: /etc\n")
    assert main([str(upload), "--alias", "alice@example.com"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "bad  FAILED REPO_UNSAFE: bad/.git: .git is not a directory (a gitlink file?)"
    )
    assert out[2:4] == ["r  (worktree) r", out[3]]
    assert "  you: Sole Developer, 1 of 1 commits (100.0%), +1/-0, 1.00/week; code 1" in out
    analysis = out[out.index("Ranking") :]  # the analysis follows the reports
    assert analysis[1].startswith("  1. r (r) ")
    assert any(line.startswith("Health: ") for line in analysis)
    assert "Resume:" in analysis


# Never loaded by `artifact-miner mine`: the service's layers (the database layer alone took
# 0.3-0.9 s of start-up before the first git), and rich without a terminal.
SERVICE_MODULES = (
    "alembic", "graphql_api.app", "graphql_api.backup.archive", "graphql_api.db", "rich",
    "sqlalchemy", "starlette", "strawberry", "uvicorn",
)  # fmt: skip
# Runs `artifact-miner mine` (argv[2:]) and prints its exit status and the loaded modules that
# start with one of the prefixes in argv[1].
_LOADED = """
import contextlib, io, json, sys
from graphql_api.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[2:])
prefixes = tuple(json.loads(sys.argv[1]))
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(prefixes))]))
"""


def test_mine_loads_no_service_layer(repos: Factory, upload: Path) -> None:
    repos.repo("r").write("main.go", "package main\n").commit("one", author=ALICE)
    argv = [sys.executable, "-c", _LOADED, json.dumps(SERVICE_MODULES), "mine", str(upload)]
    ran = subprocess.run([*argv, "--json"], capture_output=True, text=True, check=True)
    assert json.loads(ran.stdout) == [0, []]


def test_not_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_the_first_repository_is_copied_and_its_history_started_before_the_event_loop_runs(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    (upload / "a").mkdir()  # a plain folder first: it needs no copy
    (upload / "a/main.py").write_text("print(1)\n")
    for name in ("b", "c"):
        repos.repo(name).write("main.go", "package main\n").commit(name, author=ALICE)
    started = launch.start([str(upload), "--email", ALICE[1], "--processes", "2"])
    identity = Identity.of(ALICE[1])
    try:
        [(project, copy)] = started.copies.items()
        assert project.path == "b"
        assert (copy.git_dir / "HEAD").is_file()
        assert started.runner is not None
        assert started.runner.ahead is None  # one commit: too few objects to split
        assert running_processes() == 1  # its history pass, started ahead too
        ahead = asyncio.run(collect(started, identity, 4, progress=False))
        assert running_processes() == 0  # read and reaped by the pipeline, not left to close
    finally:
        started.close()
    assert not copy.git_dir.exists()
    assert sorted(ahead, key=lambda r: r.path) == sorted(
        asyncio.run(_mined(started.projects, identity, runner)), key=lambda r: r.path
    )


@pytest.mark.parametrize(
    ("processes", "reversed_passes", "lists", "slices"),
    [
        (2, 1, 0, 0),  # the one pass reversed beside it: no list
        (4, 0, 1, 3),  # the list, cut into two spans: one read by the lead and a slice, one by two
    ],
)
def test_a_long_first_history_is_split_before_the_event_loop_runs(
    repos: Factory,
    upload: Path,
    runner: GitRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    processes: int,
    reversed_passes: int,
    lists: int,
    slices: int,
) -> None:
    """The other readers of the first history start ahead with the lead, and the pipeline reads
    them as its own: no git twice, and the report of the one pass."""
    repo = repos.repo("long")
    repo.git("fast-import", "--quiet", input=history_stream(1_600))  # over Split.min_commits
    repo.git("reset", "-q", "--hard", "main")
    starts = tmp_path / "starts"
    wrapper = tmp_path / "bin/git"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {starts}\nexec {shutil.which("git")} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}:{os.environ['PATH']}")
    started = launch.start([str(upload), "--email", ALICE[1], "--processes", str(processes)])
    identity = Identity.of(ALICE[1])
    try:
        assert started.runner is not None
        if started.runner.ahead is not None:
            started.runner.ahead.join()
        assert running_processes() == processes  # every reader, waiting to be read
        [ahead] = asyncio.run(collect(started, identity, 4, progress=False, split=started.split))
        assert running_processes() == 0
    finally:
        started.close()
    ran = starts.read_text().splitlines()
    assert sum(" log --reverse " in line for line in ran) == reversed_passes
    assert sum(" rev-list " in line for line in ran) == lists
    assert sum(" --no-walk=unsorted --stdin " in line for line in ran) == slices
    [one] = asyncio.run(_mined(started.projects, identity, runner, Split(processes=1)))
    assert ahead == one
    assert isinstance(one, ProjectReport)
    assert one.history is not None
    assert one.history.total_commits > Split().min_commits


async def _mined(
    projects: Sequence[DiscoveredProject],
    identity: Identity,
    runner: GitRunner,
    split: Split | None = None,
) -> list[ProjectReport | ProjectFailure]:
    async with contextlib.aclosing(mine_all(projects, identity, runner, split=split)) as results:
        return [result async for result in results]


def test_the_console_script_writes_everything_before_it_exits_at_once(
    repos: Factory, upload: Path
) -> None:
    """`artifact-miner mine` ends with os._exit (no interpreter teardown): its JSON and its exit
    status are whole all the same, through a pipe (fully buffered)."""
    repos.repo("r").write("main.go", "package main\n" * 20_000).commit("one", author=ALICE)
    (upload / "broken").mkdir()
    (upload / "broken/.git").write_text("gitdir: /nowhere\n")  # a repository that fails
    cli = Path(sys.executable).with_name("artifact-miner")
    ran = subprocess.run(
        [str(cli), "mine", str(upload), "--email", ALICE[1], "--json"],
        capture_output=True,
        check=False,
    )
    reports = json.loads(ran.stdout)
    assert [r["path"] for r in reports] == ["broken", "r"]
    assert reports[1]["history"]["user"]["commits"] == 1
    assert ran.returncode == 1  # a project failed
