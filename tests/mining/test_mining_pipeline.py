"""The whole pipeline on real repositories."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mining import pipeline
from mining.git.discover import DiscoveredProject, discover
from mining.git.runner import GitRunner, HardenedGitRunner, running_processes
from mining.git.sanitize import CleanRepo
from mining.pipeline import mine_all, mine_project, mine_tree
from mining.records import (
    ActivityKind,
    AuthorStats,
    Collaboration,
    DeclaredEdit,
    Detection,
    FileTouch,
    History,
    Identity,
    LanguageActivity,
    LanguageBreakdown,
    LeftOut,
    ProjectFailure,
    ProjectKind,
    ProjectReport,
    TreeFacts,
    UserStats,
)
from tests.mining import scenario
from tests.mining.repo_builder import ALICE, BOB, Factory
from tests.mining.test_mining_identities import BLACK, PRE_COMMIT

CODE, CONFIG, DESIGN, DOCS, TEST = (ActivityKind.CODE, ActivityKind.CONFIG, ActivityKind.DESIGN,
                                    ActivityKind.DOCS, ActivityKind.TEST)  # fmt: skip


def day(n: int) -> datetime:
    return datetime.fromtimestamp(scenario.T0 + n * scenario.DAY, UTC)


def only(root: Path) -> DiscoveredProject:
    [project] = discover(root)
    return project


def lang(added: int, commits: int, files: int, first: int, last: int) -> LanguageActivity:
    return LanguageActivity(added, 0, commits, files, day(first), day(last))


async def test_reference_repository(repos: Factory, upload: Path, runner: GitRunner) -> None:
    repo = scenario.build(repos)
    report = await mine_project(only(upload), Identity.of("ALICE@old.example"), runner)
    assert report.history is not None
    tag_dates = report.history.tag_dates
    assert len(tag_dates) == 2  # both tags are reachable from HEAD
    # Each author's own work is tests/mining/test_mining_identities.py's.
    assert report.history.declared_read
    assert replace(report.history, work=(), paths=(), declared_read=False) == History(
        total_commits=7,
        merges=1,
        first_commit=day(0),
        last_commit=day(6),
        collaboration=Collaboration(
            authors=(
                AuthorStats("Alice Doe", "alice@example.com", 3, 16, 0, day(0), day(5), 50.0),
                AuthorStats("Bob", "bob@x.com", 1, 2, 0, day(1), day(1), 16.67),
                AuthorStats("Jim Bob", "jimbob@x.com", 1, 1, 0, day(4), day(4), 16.67),
                AuthorStats("Zoë Ünal", "zoe@example.com", 1, 3, 0, day(3), day(3), 16.67),
            ),
            bus_factor=2,
            is_collaborative=True,
        ),
        languages={"Python": lang(14, 4, 4, 0, 4), "TOML": lang(3, 1, 1, 0, 0)},
        activity={CODE: 12, CONFIG: 4, DESIGN: 1, DOCS: 4, TEST: 2},
        calendar={date(2023, 11, 14 + n): 1 for n in range(7)},
        tags=2,
        user=UserStats(
            emails=("alice@example.com",),
            commits=3,
            first_commit=day(0),
            last_commit=day(5),
            share_percent=50.0,
            commits_per_week=3.0,
            added=16,
            deleted=0,
            activity={CODE: 11, CONFIG: 4, DESIGN: 1, DOCS: 1},
            languages={"Python": lang(11, 2, 2, 0, 2), "TOML": lang(3, 1, 1, 0, 0)},
            files_touched=6,
            modules_touched=3,
            calendar={date(2023, 11, 14): 1, date(2023, 11, 16): 1, date(2023, 11, 19): 1},
            role="Lead Developer",
            activity_first={CODE: day(0), CONFIG: day(0), DESIGN: day(2), DOCS: day(0)},
        ),
        share_base=6,
        tag_dates=tag_dates,
        touches={"pyproject.toml": FileTouch(day(0), day(0), 1, day(0), day(0))},
        # the user wrote the line declaring Flask
        user_declared=(DeclaredEdit("pyproject.toml", "Flask", 1, day(0), day(0)),),
        aliases={"alice@old.example": "alice@example.com"},  # .mailmap
    )  # fmt: skip
    assert report.root_commit == repo.git("rev-list", "--max-parents=0", "HEAD")
    assert report.head_commit == repo.git("rev-parse", "HEAD")
    assert (report.name, report.path, report.kind) == ("proj", "proj", ProjectKind.WORKTREE)
    assert report.frameworks == (Detection("Flask", "framework", "python", "pyproject.toml"),)
    assert report.tree == TreeFacts(
        8,
        {CODE: 2, CONFIG: 2, DESIGN: 1, DOCS: 2, TEST: 1},
        ("README.md", "docs/", "pyproject.toml"),
        (
            LeftOut("binary", 1, 16, ("img/",)),
            LeftOut("documentation", 2, 40, ("README.md", "docs/")),
        ),
    )
    assert [(s.name, s.bytes) for s in report.languages.shares] == [
        ("Python", 165), ("TOML", 49)  # README.md and docs/ are documentation
    ]  # fmt: skip


async def test_exact_email_matching(repos: Factory, upload: Path, runner: GitRunner) -> None:
    scenario.build(repos)
    report = await mine_project(only(upload), Identity.of("bob@x.com"), runner)
    assert report.history is not None
    assert report.history.user is not None
    assert (report.history.user.emails, report.history.user.commits) == (("bob@x.com",), 1)
    assert report.history.user.role == "Test Engineer"


async def test_bare_shallow_detached(repos: Factory, upload: Path, runner: GitRunner) -> None:
    source = scenario.build(repos, "src")
    source.git("clone", "-q", "--bare", ".", str(upload / "bare.git"))
    source.git("clone", "-q", "--depth", "2", f"file://{source.path}", str(upload / "shallow"))
    detached_at = source.git("rev-parse", "HEAD~2")
    (upload / "src/.git/HEAD").write_text(detached_at + "\n")
    by_path = {p.path: p for p in discover(upload)}
    assert {p: d.kind for p, d in by_path.items()} == {
        "bare.git": ProjectKind.BARE, "shallow": ProjectKind.WORKTREE,
        "src": ProjectKind.WORKTREE,
    }  # fmt: skip
    bare = await mine_project(by_path["bare.git"], None, runner)
    assert bare.history is not None
    assert (bare.history.total_commits, bare.history.tags) == (7, 2)
    shallow = await mine_project(by_path["shallow"], None, runner)
    assert shallow.history is not None
    assert (shallow.history.total_commits, shallow.history.merges) == (3, 1)
    assert shallow.root_commit is not None
    detached = await mine_project(by_path["src"], None, runner)
    assert detached.head_commit == detached_at
    assert detached.history is not None
    assert detached.history.total_commits == 4  # merge~2 = "util": init, tests, rename, util


async def test_empty_repository(repos: Factory, upload: Path, runner: GitRunner) -> None:
    repos.repo("empty")
    project = only(upload)
    assert await mine_project(project, Identity.of("a@x.com"), runner) == ProjectReport(
        "empty", "empty", ProjectKind.WORKTREE, None, None, None, LanguageBreakdown(), (),
        TreeFacts(),
    )  # fmt: skip


async def test_plain_folder(upload: Path, runner: GitRunner) -> None:
    (upload / "site/src").mkdir(parents=True)
    (upload / "site/package.json").write_text('{"dependencies": {"react": "18"}}')
    (upload / "site/src/App.jsx").write_text("export default 1\n")
    (upload / "site/node_modules/x").mkdir(parents=True)
    (upload / "site/node_modules/x/package.json").write_text('{"dependencies": {"vue": "3"}}')
    (upload / "site/link.json").symlink_to("/etc/hostname")
    report = await mine_project(only(upload), None, runner)
    assert report.history is None
    assert report.frameworks == (Detection("React", "framework", "javascript", "package.json"),)
    assert report.tree == TreeFacts(2, {CODE: 1, CONFIG: 1}, ("package.json",))


async def test_mine_tree_yields_reports_and_failures(repos: Factory, upload: Path) -> None:
    scenario.build(repos, "a")
    repos.repo("b").write("x.py", "1\n").commit("b")
    (upload / "evil").mkdir()
    (upload / "evil/.git").symlink_to(upload / "a/.git")
    async with contextlib.aclosing(mine_tree(upload, None, concurrency=2)) as results:
        found = [r async for r in results]
    failures = [r for r in found if isinstance(r, ProjectFailure)]
    assert sorted(r.path for r in found) == ["a", "b", "evil"]
    assert failures == [
        ProjectFailure("evil", "evil", "REPO_UNSAFE", "evil/.git: .git is a symbolic link")
    ]


def git_children() -> list[int]:
    """Processes whose parent is this test process (git is the only thing it starts)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            if entry.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.append(int(entry))
    return found


async def test_cancelling_the_consumer_cancels_mining(repos: Factory, upload: Path) -> None:
    for n in range(4):
        scenario.build(repos, f"r{n}")
    first = asyncio.Event()

    async def consume() -> None:
        async with contextlib.aclosing(mine_tree(upload, None, concurrency=2)) as results:
            async for _ in results:
                first.set()
                await asyncio.Event().wait()  # a consumer that never comes back

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    results = await asyncio.gather(task, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert git_children() == []


async def test_corrupt_object_is_reported(repos: Factory, upload: Path) -> None:
    repo = repos.repo("broken").write("a.py", "x = 1\n")
    repo.commit("one")
    blob = repo.git("rev-parse", "HEAD:a.py")
    loose = upload / "broken/.git/objects" / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not zlib at all")
    async with contextlib.aclosing(mine_tree(upload, None)) as results:
        [failure] = [r async for r in results]
    assert isinstance(failure, ProjectFailure)
    assert (failure.path, failure.code) == ("broken", "CORRUPT")


async def test_a_bug_in_one_project_spares_the_others(
    upload: Path, runner: GitRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> ProjectReport:
        raise RuntimeError("boom")

    monkeypatch.setattr("mining.pipeline.mine_project", broken)
    project = DiscoveredProject("p", "p", upload / "p", ProjectKind.PLAIN)
    async with contextlib.aclosing(mine_all([project], None, runner)) as results:
        assert [r async for r in results] == [
            ProjectFailure(
                "p",
                "p",
                "INTERNAL",
                "an unexpected error stopped the mining of this project (see the server log)",
            )
        ]


async def test_a_huge_text_file_is_not_diffed_line_by_line(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """Above core.bigFileThreshold (16 MiB) a blob counts as binary: one line of activity per
    change, however many lines it has, and git never holds two copies in memory to diff."""
    repo = repos.repo("big")
    repo.write("data.txt", b"a\n" * (9 * 1024 * 1024)).commit("one", author=ALICE)
    repo.write("data.txt", b"b\n" + b"a\n" * (9 * 1024 * 1024)).commit("two", author=ALICE)
    report = await mine_project(only(upload), Identity.of(ALICE[1]), runner)
    assert report.history is not None
    assert report.history.user is not None
    assert (report.history.user.added, report.history.user.deleted) == (0, 0)
    assert sum(report.history.user.activity.values()) == 2  # one per binary change


@pytest.mark.parametrize(
    "limit", ["mining.pipeline.MAX_TREE_FILES", "mining.history.fold.MAX_PATHS"]
)
async def test_more_files_than_any_real_project_is_too_large(
    repos: Factory, upload: Path, runner: GitRunner, monkeypatch: pytest.MonkeyPatch, limit: str
) -> None:
    repo = repos.repo("wide")
    for n in range(5):
        repo.write(f"f{n}.py", "x = 1\n")
    repo.commit("five files", author=ALICE)
    monkeypatch.setattr(limit, 3)
    [result] = [r async for r in mine_all([only(upload)], None, runner)]
    assert isinstance(result, ProjectFailure)
    assert result.code == "TOO_LARGE"


async def test_a_failing_tree_stops_the_history_beside_it(
    repos: Factory, upload: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tree is too large while the history is still being read: the project fails and no
    git of it is left running (gather does not cancel the history when the tree fails)."""
    repo = repos.repo("wide")
    for n in range(5):
        repo.write(f"f{n}.py", "x = 1\n")
    repo.commit("five files", author=ALICE)
    monkeypatch.setattr("mining.pipeline.MAX_TREE_FILES", 3)
    slow_log = tmp_path / "git"  # the history pass takes its time; every other command does not
    real = shutil.which("git")
    slow_log.write_text(
        f'#!/bin/sh\ncase " $* " in *" log -z "*) sleep 30;; esac\nexec {real} "$@"\n'
    )
    slow_log.chmod(0o755)
    runner = HardenedGitRunner(git=str(slow_log), ceiling=upload, timeout=60)
    try:
        [result] = [r async for r in mine_all([only(upload)], None, runner)]
        assert isinstance(result, ProjectFailure)
        assert result.code == "TOO_LARGE"
        assert running_processes() == 0
    finally:
        runner.close()


async def test_the_mailmap_read_beside_the_history_maps_as_git_does_every_address(
    repos: Factory, runner: GitRunner
) -> None:
    """read_aliases from the early check of the addresses the .mailmap names equals asking
    git about every address: another case, a name-only entry, an entry by name and address,
    an address the .mailmap does not name, and none at all."""
    repo = repos.repo("mapped")
    repo.write("a.txt", "a\n").commit("a", author=("Al", "AL@Old.Example"))
    repo.write(
        ".mailmap",
        "Alice <alice@example.com> <al@old.example>\n"
        "Bobby <bob@x.com>\n"
        "Carol <carol@x.com> Caz <caz@x.com>\n"
        "<dave@new.example> <Dave@Old.Example>\n",
    ).commit("mailmap")
    clean = CleanRepo(repo.path / ".git", repo.git("rev-parse", "HEAD"), 0, False)
    tree = asyncio.ensure_future(pipeline.read_tree(clean, runner))
    for identity in (Identity.of("caz@x.com"), Identity.of("DAVE@old.example"), None):
        addresses = ["AL@Old.Example", "bob@x.com", "caz@x.com", "eve@x.com", " Dave@OLD.example"]
        early = pipeline._mailmap_once_read(tree, identity, clean, runner)
        read = await pipeline.read_aliases(addresses, identity, clean, runner, early)
        assert read == await pipeline.read_aliases(addresses, identity, clean, runner)
        assert read["al@old.example"] == "alice@example.com"
        assert read["dave@old.example"] == "dave@new.example"
        assert "eve@x.com" not in read
    (repo.path / ".mailmap").unlink()
    repo.git("rm", "-q", "--cached", ".mailmap")
    repo.commit("no mailmap")
    clean = CleanRepo(repo.path / ".git", repo.git("rev-parse", "HEAD"), 0, False)
    tree = asyncio.ensure_future(pipeline.read_tree(clean, runner))
    assert (await tree).mailmap == b""
    early = pipeline._mailmap_once_read(tree, None, clean, runner)
    assert await pipeline.read_aliases(["al@old.example"], None, clean, runner, early) == {}


def _rewritten_manifest(repos: Factory) -> None:
    """A pyproject.toml declaring Flask whose history's diffs come to ~2 MiB (over the runner's
    default 1 MiB cap for `run`): three commits, each rewriting ~340 kB of comment lines."""
    repo = repos.repo("manifest")
    head = '[project]\nname = "p"\ndependencies = ["flask>=3"]\n'
    for n, author in enumerate((ALICE, BOB, ALICE)):
        filler = "".join(f"# padding line {i:06d} of version {n}\n" for i in range(10_000))
        repo.write("pyproject.toml", head + filler).commit(
            f"v{n}", author=author, when=scenario.T0 + n * scenario.DAY
        )


async def test_manifest_diffs_over_a_mebibyte_are_read(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    _rewritten_manifest(repos)
    report = await mine_project(only(upload), Identity.of(ALICE[1]), runner)
    assert report.history is not None
    assert report.history.declared_read
    assert report.history.user_declared == (
        DeclaredEdit("pyproject.toml", "Flask", 1, day(0), day(0)),
    )


async def test_manifest_diffs_over_the_declared_cap_are_left_unread(
    repos: Factory, upload: Path, runner: GitRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rewritten_manifest(repos)
    monkeypatch.setattr("mining.pipeline.DECLARED_MAX_BYTES", 1 << 20)
    report = await mine_project(only(upload), Identity.of(ALICE[1]), runner)
    assert report.history is not None
    assert not report.history.declared_read
    assert report.history.user_declared == ()


async def test_the_manifests_diffs_are_read_of_every_commit_the_history_counts_on_them(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """A side branch's commits on the declaring files, merged with the main line's versions
    of them (`-s ours`): `git log -- <files>` simplifies them away (the merge is TREESAME to its
    first parent), the history pass counts them. Their diffs are read all the same: each
    pair's configuration commits are the commits the history counts on the file, and the
    side branch's changed dependency line names a dependency declared at HEAD."""
    repo = repos.repo("p")
    repo.write("pyproject.toml", '[project]\nname = "p"\ndependencies = ["flask"]\n')
    repo.write(".pre-commit-config.yaml", PRE_COMMIT)
    repo.commit("start", author=ALICE, when=scenario.T0)
    repo.git("checkout", "-q", "-b", "side")
    repo.write("pyproject.toml", '[project]\nname = "p"\ndependencies = ["flask", "requests"]\n')
    repo.write(".pre-commit-config.yaml", PRE_COMMIT + BLACK)
    repo.commit("side", author=BOB, when=scenario.T0 + scenario.DAY)
    repo.git("checkout", "-q", "main")
    repo.write("main.py", "print(1)\n").commit(
        "main", author=ALICE, when=scenario.T0 + 2 * scenario.DAY
    )
    repo.git("merge", "-q", "-s", "ours", "--no-edit", "side")
    simplified = repo.git("log", "--no-merges", "--format=%ae", "--", ".pre-commit-config.yaml")
    assert simplified.split() == [ALICE[1]]  # what the pathspec walk would have read

    report = await mine_project(only(upload), Identity.of(BOB[1]), runner)
    assert report.history is not None
    by_email = {w.email: w for w in report.history.work}
    bob = by_email[BOB[1]]
    assert bob.configured == {".pre-commit-config.yaml": (day(1),)}
    assert bob.declared == (DeclaredEdit("pyproject.toml", "Flask", 1, day(1), day(1)),)
    for work in report.history.work:
        for path, dates in work.configured.items():
            assert len(dates) == work.touches[path].commits, (work.email, path)
