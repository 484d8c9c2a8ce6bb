"""The user's stats for another identity, from a mined report alone (mining/history/identities.py):
exactly what mining the repository again with that identity gives, on real repositories."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mining.git.discover import discover
from mining.git.runner import GitRunner
from mining.history.identities import restate
from mining.pipeline import mine_project
from mining.records import Identity, ProjectReport
from tests.mining import scenario
from tests.mining.repo_builder import Factory

PRE_COMMIT = (
    "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.1.0\n"
    "    hooks:\n      - id: ruff\n"
)
BLACK = "  - repo: https://github.com/psf/black\n    rev: 23.1.0\n    hooks:\n      - id: black\n"

IDENTITIES = [
    Identity(),  # no identity: no user
    Identity.of("ALICE@old.example"),  # by the recorded address .mailmap maps elsewhere
    Identity.of("alice@example.com"),
    Identity.of("bob@x.com"),
    Identity.of("bob@x.com", "zoe@example.com"),
    Identity.of("jimbob@x.com"),
    Identity.of("nobody@x.com"),  # in no commit
]


def _build(repos: Factory) -> None:
    """The reference repository, then declaring lines and tools by several people."""
    repo = scenario.build(repos)
    t = scenario.T0 + 7 * scenario.DAY
    repo.write("pyproject.toml", '[project]\nname = "p"\ndependencies = ["flask>=3", "requests"]\n')
    repo.commit("requests", author=scenario.BOB, when=t)
    repo.write(".pre-commit-config.yaml", PRE_COMMIT)
    repo.commit("ruff", author=scenario.ALICE, when=t + scenario.DAY)
    repo.write(".pre-commit-config.yaml", PRE_COMMIT + BLACK)
    repo.commit("black", author=scenario.BOB, when=t + 2 * scenario.DAY)
    repo.write("src/c.h", "int f(void);\n")
    repo.write("src/c.c", "int f(void) { return 1; }\n")
    repo.commit("c", author=scenario.ZOE, when=t + 3 * scenario.DAY)


async def _mined(upload: Path, runner: GitRunner, identity: Identity) -> ProjectReport:
    [project] = discover(upload)
    return await mine_project(project, identity, runner)


@pytest.mark.parametrize("first", [0, 1, 3])
async def test_restated_report_is_the_report_mined_with_that_identity(
    repos: Factory, upload: Path, runner: GitRunner, first: int
) -> None:
    _build(repos)
    base = await _mined(upload, runner, IDENTITIES[first])
    for identity in IDENTITIES:
        mined = await _mined(upload, runner, identity)
        assert restate(base, identity) == mined, identity


async def test_the_user_of_each_identity(repos: Factory, upload: Path, runner: GitRunner) -> None:
    _build(repos)
    base = await _mined(upload, runner, Identity())
    assert base.history is not None
    assert base.history.user is None
    alice = restate(base, Identity.of("alice@old.example")).history
    bob = restate(base, Identity.of("bob@x.com")).history
    nobody = restate(base, Identity.of("nobody@x.com")).history
    assert alice is not None
    assert bob is not None
    assert nobody is not None
    assert alice.user is not None
    assert nobody.user is not None
    # Alice's old address reaches her new one through .mailmap: 4 commits, both addresses.
    assert (alice.user.emails, alice.user.commits) == (("alice@example.com",), 4)
    # Black entered the hooks file after Alice's one touch of it.
    touches = [(t.name, t.user_commits) for t in alice.tool_touches]
    assert touches == [("Black", 0), ("Ruff", 1), ("pre-commit", 1)]
    # Bob rewrote the one line declaring both.
    assert [(e.name, e.commits) for e in bob.user_declared] == [("Flask", 1), ("Requests", 1)]
    # Bob touched the hooks file only after Ruff entered it and when Black did.
    touches = [(t.name, t.user_commits) for t in bob.tool_touches]
    assert touches == [("Black", 1), ("Ruff", 1), ("pre-commit", 1)]
    assert (nobody.user.commits, nobody.user.role) == (0, "Not a Contributor")


async def test_stored_report_without_work_restates_to_no_commits(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """A report stored before the per-author work was kept has none: nobody matches (the
    service asks for a remine instead, graphql_api/jobs/identities.py)."""
    _build(repos)
    report = await _mined(upload, runner, Identity.of("bob@x.com"))
    assert report.history is not None
    assert len(report.history.work) == 5  # Alice under two addresses, Bob, Zoë, Jim Bob
    old = dataclasses.replace(report, history=dataclasses.replace(report.history, work=()))
    restated = restate(old, Identity.of("bob@x.com")).history
    assert restated is not None
    assert restated.user is not None
    assert restated.user.commits == 0
