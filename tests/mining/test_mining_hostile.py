"""A hostile repository: every configuration key and attribute that could run a program points
at a script that leaves a marker file. Mining must succeed and no marker may ever appear."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mining.errors import MiningError
from mining.git.discover import discover
from mining.git.runner import GitRunner
from mining.pipeline import LOG_ARGS, mine_project
from mining.records import Identity
from tests.mining.repo_builder import Factory, Repo

PAYLOADS = ("fsmonitor", "textconv", "external-diff", "clean", "smudge", "process", "hook",
            "hookspath", "gpg", "pager", "ssh", "askpass", "credential", "editor")  # fmt: skip


def payload(bin_dir: Path, markers: Path, name: str) -> str:
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\ntouch {markers / name}\ncat\n")
    script.chmod(0o755)
    return str(script)


def forge_signed_commit(repo: Repo) -> None:
    """A commit carrying a gpgsig header: verifying it would run gpg.program."""
    head = repo.git("cat-file", "commit", "HEAD")
    headers, _, message = head.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----"
    forged = f"{headers}\n{signature}\n\n{message}\n"
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=forged.encode())
    repo.git("update-ref", "refs/heads/main", sha)


def build_hostile(repos: Factory, markers: Path) -> Repo:
    repo = repos.repo("hostile")
    bin_dir = repo.path / "bin"
    bin_dir.mkdir()
    scripts = {name: payload(bin_dir, markers, name) for name in PAYLOADS}
    repo.write(".gitattributes", "* diff=evil filter=evil\n")
    repo.write("app.py", "print('hi')\n")
    repo.write("bin/keep", "")
    repo.commit("one")
    repo.write("app.py", "print('changed')\n")
    repo.commit("two")
    forge_signed_commit(repo)
    hooks = repo.path / ".git/hooks"
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {markers / 'hook'}\n")
        (hooks / hook).chmod(0o755)
    with (repo.path / ".git/config").open("a") as config:
        config.write(
            f"[core]\n\tfsmonitor = {scripts['fsmonitor']}\n\thooksPath = {bin_dir}\n"
            f"\tpager = {scripts['pager']}\n\tsshCommand = {scripts['ssh']}\n"
            f"\taskPass = {scripts['askpass']}\n\teditor = {scripts['editor']}\n"
            f'[diff "evil"]\n\ttextconv = {scripts["textconv"]}\n'
            f"\tcommand = {scripts['external-diff']}\n"
            f"[diff]\n\texternal = {scripts['external-diff']}\n"
            f'[filter "evil"]\n\tclean = {scripts["clean"]}\n\tsmudge = {scripts["smudge"]}\n'
            f"\tprocess = {scripts['process']}\n\trequired = true\n"
            f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {scripts['gpg']}\n"
            f"[credential]\n\thelper = {scripts['credential']}\n"
        )
    (bin_dir / "post-checkout").write_text(f"#!/bin/sh\ntouch {markers / 'hookspath'}\n")
    (bin_dir / "post-checkout").chmod(0o755)
    return repo


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    path = tmp_path / "markers"
    path.mkdir()
    return path


async def test_hostile_repository_is_mined_safely(
    repos: Factory, upload: Path, runner: GitRunner, markers: Path
) -> None:
    repo = build_hostile(repos, markers)
    report = await mine_project(discover(upload)[0], Identity.of("alice@example.com"), runner)
    assert report.history is not None
    assert report.history.total_commits == 2
    assert report.head_commit == repo.git("rev-parse", "HEAD")
    assert os.listdir(markers) == []


async def test_second_wall_overrides_alone(
    repos: Factory, runner: GitRunner, markers: Path
) -> None:
    """Even run straight on the untrusted .git (which the pipeline never does), the runner's
    environment and -c overrides keep every payload asleep for the commands mining uses. (They
    cannot name every filter driver a work tree's .gitattributes may ask for, which is one reason
    mining never runs a work-tree command and mines a clean copy without config instead.)"""
    repo = build_hostile(repos, markers)
    git_dir = repo.path / ".git"
    await runner.run([*LOG_ARGS, "--show-signature", "-p", "HEAD"], git_dir=git_dir)
    await runner.run(["ls-tree", "-r", "-l", "-z", "HEAD"], git_dir=git_dir)
    await runner.run(["cat-file", "--batch"], git_dir=git_dir, input=b"HEAD:app.py\n")
    assert os.listdir(markers) == []


async def test_a_commit_dated_past_any_calendar_is_a_typed_failure(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """git prints the timestamp a crafted commit carries as is; the parser's ValueError
    (found by tests/mining/test_mining_parse_fuzz.py) becomes CORRUPT, not INTERNAL."""
    repo = repos.repo("far-future")
    repo.write("app.py", "print('hi')\n")
    repo.commit("one")
    headers, _, message = repo.git("cat-file", "commit", "HEAD").partition("\n\n")
    forged = "\n".join(
        line.rsplit(" ", 2)[0] + " 99999999999999999999 +0000"
        if line.startswith(("author ", "committer "))
        else line
        for line in headers.splitlines()
    )
    sha = repo.git(
        "hash-object", "-t", "commit", "-w", "--stdin", input=f"{forged}\n\n{message}\n".encode()
    )
    repo.git("update-ref", "refs/heads/main", sha)
    with pytest.raises(MiningError) as caught:
        await mine_project(discover(upload)[0], Identity.of("alice@example.com"), runner)
    assert caught.value.code == "CORRUPT"
    assert "out of range" in str(caught.value)
