"""Safety checks on untrusted repositories and the clean copy git mines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mining.errors import RepoUnsafeError
from mining.git.runner import GitRunner
from mining.git.sanitize import (
    CleanRepo,
    Limits,
    clean_copy,
    clean_copy_blocking,
    inspect,
    pack_objects,
)
from tests.mining.repo_builder import Factory, Repo


def one_commit(repos: Factory, rel: str = "r") -> Repo:
    repo = repos.repo(rel).write("a.py", "print(1)\n")
    repo.commit("one")
    return repo


def unsafe(project: Path, root: Path, *, bare: bool = False) -> str:
    with pytest.raises(RepoUnsafeError) as info:
        inspect(project, root, bare=bare)
    assert info.value.code == "REPO_UNSAFE"
    return info.value.reason


def test_dot_git_symlink(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    (upload / "evil").mkdir()
    (upload / "evil" / ".git").symlink_to(repo.path / ".git")
    assert unsafe(upload / "evil", upload) == ".git is a symbolic link"


def test_dot_git_file(repos: Factory, upload: Path) -> None:
    (upload / "w").mkdir()
    (upload / "w" / ".git").write_text("gitdir: /etc\n")
    assert unsafe(upload / "w", upload) == ".git is not a directory (a gitlink file?)"


def test_symlink_inside_git_dir(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    (repo.path / ".git" / "info" / "link").symlink_to("/etc/passwd")
    assert unsafe(repo.path, upload) == "symbolic link inside the git directory"


def test_fifo_inside_git_dir(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    os.mkfifo(repo.path / ".git" / "fifo")
    assert unsafe(repo.path, upload).startswith("not a regular file (mode 10")


def test_alternates_outside_the_upload(repos: Factory, upload: Path, tmp_path: Path) -> None:
    repo = one_commit(repos)
    (repo.path / ".git/objects/info/alternates").write_text(f"{tmp_path}\n")
    assert unsafe(repo.path, upload) == "points outside the upload"


def test_commondir(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    (repo.path / ".git/commondir").write_text("/elsewhere\n")
    assert unsafe(repo.path, upload) == "linked work tree of '/elsewhere'"


def test_worktree_gitdir_outside(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    (repo.path / ".git/worktrees/x").mkdir(parents=True)
    (repo.path / ".git/worktrees/x/gitdir").write_text("/tmp/x/.git\n")
    assert unsafe(repo.path, upload) == "points outside the upload"


@pytest.mark.parametrize(
    ("rel", "content", "reason"),
    [
        ("HEAD", "ref: ../../x\n", "not a ref value: b'ref: ../../x\\n'"),
        ("refs/heads/ok", "--upload-pack=x\n", "not a ref value: b'--upload-pack=x\\n'"),
        ("refs/heads/bad..name", "a" * 40, "invalid ref name 'refs/heads/bad..name'"),
        ("packed-refs", "zz refs/heads/x\n", "bad packed-refs line: b'zz refs/heads/x'"),
        ("shallow", "nothex\n", "bad shallow line: b'nothex'"),
        (
            "config",
            "[extensions]\n\tobjectformat = sha256\n",
            "SHA-256 repositories are not supported",
        ),
    ],
)
def test_bad_files(repos: Factory, upload: Path, rel: str, content: str, reason: str) -> None:
    repo = one_commit(repos)
    (repo.path / ".git" / rel).write_text(content)
    assert unsafe(repo.path, upload) == reason


def test_oversized_small_file(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    (repo.path / ".git/HEAD").write_bytes(b"x" * 70_000)
    assert unsafe(repo.path, upload) == "larger than 65536 bytes"


async def test_clean_copy(repos: Factory, upload: Path, runner: GitRunner, tmp_path: Path) -> None:
    repo = one_commit(repos)
    head = repo.git("rev-parse", "HEAD")
    repo.git("tag", "v1")
    repo.git("tag", "-a", "v2", "-m", "annotated")
    repo.git("pack-refs", "--all")
    repo.git("update-ref", "refs/remotes/origin/main", head)
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    repo.git("update-ref", "refs/stash", head)
    (repo.path / ".git/hooks/post-checkout").write_text("#!/bin/sh\nexit 1\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    clean = await clean_copy(repo.path, upload, scratch, bare=False)
    assert clean == CleanRepo(scratch / "repo.git", head, 2, False, objects=4)  # and v2's tag
    git_dir = clean.git_dir
    assert (git_dir / "config").read_text() == (
        "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n"
    )
    refs = (git_dir / "packed-refs").read_text().splitlines()
    assert [line.split(" ")[1] for line in refs] == [
        "refs/heads/main", "refs/remotes/origin/main", "refs/tags/v1", "refs/tags/v2"
    ]  # fmt: skip
    assert (git_dir / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert sorted(os.listdir(git_dir)) == ["HEAD", "config", "objects", "packed-refs", "refs"]
    log = await runner.run(["log", "--format=%H", head], git_dir=git_dir)
    assert log == f"{head}\n".encode()


async def test_clean_copy_of_detached_and_unborn(
    repos: Factory, upload: Path, runner: GitRunner, tmp_path: Path
) -> None:
    repo = one_commit(repos)
    head = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "--detach")
    clean = await clean_copy(repo.path, upload, tmp_path, bare=False)
    assert (clean.head, (clean.git_dir / "HEAD").read_text()) == (head, f"{head}\n")
    empty = repos.repo("empty")
    (tmp_path / "e").mkdir()
    clean = await clean_copy(empty.path, upload, tmp_path / "e", bare=False)
    assert clean == CleanRepo(tmp_path / "e/repo.git", None, 0, False)


async def test_alternates_inside_the_upload(
    repos: Factory, upload: Path, runner: GitRunner, tmp_path: Path
) -> None:
    source = one_commit(repos, "source")
    source.git("clone", "-q", "--shared", ".", str(upload / "shared"))
    alternates = (upload / "shared/.git/objects/info/alternates").read_text()
    assert alternates == f"{source.path}/./.git/objects\n"
    clean = await clean_copy(upload / "shared", upload, tmp_path, bare=False)
    log = await runner.run(["log", "--format=%s", "HEAD"], git_dir=clean.git_dir)
    assert log == b"one\n"


def test_size_limits(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    with pytest.raises(RepoUnsafeError, match="too large: "):
        inspect(repo.path, upload, bare=False, limits=Limits(max_files=3))


def test_an_alternate_listed_many_times_is_scanned_once(repos: Factory, upload: Path) -> None:
    source = one_commit(repos, "source")
    repo = one_commit(repos)
    other = "../../../source/.git/objects\n"  # relative to .git/objects, as git reads it
    (repo.path / ".git/objects/info/alternates").write_text(other * 2_000)
    plan = inspect(repo.path, upload, bare=False)  # scanned once, not 2,000 times
    assert [p.resolve() for p in plan.objects[1:]] == [(source.path / ".git/objects").resolve()]


def test_more_alternates_than_git_follows(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    folders = [one_commit(repos, f"s{n}").path / ".git/objects" for n in range(6)]
    (repo.path / ".git/objects/info/alternates").write_text("".join(f"{f}\n" for f in folders))
    assert unsafe(repo.path, upload) == "more than 5 alternates"


def test_the_objects_are_counted_loose_and_packed(
    repos: Factory, upload: Path, tmp_path: Path
) -> None:
    """What `git count-objects` counts, from the loose files and the packs' indexes (version 2,
    and version 1 as older git wrote them)."""
    repo = one_commit(repos)
    repo.write("b.txt", "b\n").commit("second")
    repo.git("repack", "-q", "-d")  # the six objects in a pack, v2 index
    repo.write("c.txt", "c\n").commit("third")  # three loose ones
    counted = repo.git("count-objects", "-v")
    assert "count: 3" in counted
    assert "in-pack: 6" in counted
    (tmp_path / "a").mkdir()
    assert clean_copy_blocking(repo.path, upload, tmp_path / "a", bare=False).objects == 9
    [index] = (repo.path / ".git/objects/pack").glob("*.idx")
    pack = index.with_suffix(".pack")
    index.unlink()
    repo.git("index-pack", "--index-version=1", str(pack))
    (tmp_path / "b").mkdir()
    assert clean_copy_blocking(repo.path, upload, tmp_path / "b", bare=False).objects == 9
    assert pack_objects(index) == 6
    index.write_bytes(b"\xfftOc\0\0\0\2")  # cut short: no count
    assert pack_objects(index) == 0


def test_a_leftover_ref_lock_is_ignored(repos: Factory, upload: Path) -> None:
    repo = one_commit(repos)
    (repo.path / ".git/refs/heads/main.lock").write_text("0" * 40 + "\n")
    plan = inspect(repo.path, upload, bare=False)  # no REPO_UNSAFE
    assert set(plan.refs) == {"refs/heads/main"}


async def test_the_copy_is_what_git_init_makes_then_filled(
    repos: Factory, upload: Path, runner: GitRunner, tmp_path: Path
) -> None:
    """No git makes the copy: its directories are those `git init --bare --template=` makes,
    and git finds nothing wrong in it."""
    repo = one_commit(repos)
    repo.git("tag", "v1")
    (tmp_path / "copy").mkdir()
    clean = clean_copy_blocking(repo.path, upload, tmp_path / "copy", bare=False)
    head = repo.git("rev-parse", "HEAD")
    assert clean == CleanRepo(tmp_path / "copy/repo.git", head, 1, False, objects=3)
    inited = tmp_path / "inited.git"
    await runner.run(["init", "--bare", "--quiet", "--template=", str(inited)], cwd=tmp_path)
    assert _directories(clean.git_dir) == _directories(inited)
    await runner.run(["fsck", "--strict", "--no-dangling"], git_dir=clean.git_dir)


def _directories(git_dir: Path) -> set[str]:
    """Its folders but the loose objects' (`objects/xx`)."""
    folders = (p.relative_to(git_dir).as_posix() for p in git_dir.rglob("*") if p.is_dir())
    return {f for f in folders if not (f.startswith("objects/") and len(f) == len("objects/xx"))}
