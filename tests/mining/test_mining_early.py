"""A git started before the event loop (HardenedGitRunner.start_early) and read by `consume`."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import pytest

from mining.errors import GitCommandError
from mining.git import runner
from mining.git.runner import STDERR_CAP, HardenedGitRunner, running_processes
from tests.mining.test_mining_git import _SEEN, fake_git


def _counting(tmp_path: Path, body: str) -> tuple[HardenedGitRunner, Path]:
    """A runner whose git records each start in `starts`, then runs `body`."""
    starts = tmp_path / "starts"
    script = fake_git(tmp_path, f"echo x >> {starts}; {body}")
    return HardenedGitRunner(git=str(script), ceiling=tmp_path, timeout=30), starts


def _read(runner: HardenedGitRunner, args: list[str], git_dir: Path) -> bytes:
    blocks: list[bytes] = []
    asyncio.run(runner.consume(args, blocks.append, git_dir=git_dir))
    return b"".join(blocks)


def test_the_first_consume_of_the_same_command_reads_the_early_git(tmp_path: Path) -> None:
    runner, starts = _counting(tmp_path, _SEEN)
    try:
        runner.start_early(["log", "-z"], git_dir=tmp_path)
        assert running_processes() == 1
        early = _read(runner, ["log", "-z"], tmp_path)
        assert running_processes() == 0
        assert starts.read_text() == "x\n"  # no second git for it
        # started as any git is: the same environment, argv, cwd, limits and session
        assert early == _read(runner, ["log", "-z"], tmp_path)
        assert starts.read_text() == "x\nx\n"
    finally:
        runner.close()


def test_another_command_starts_its_own_and_close_kills_the_early_one(tmp_path: Path) -> None:
    body = 'case "$*" in *hangs*log) read -r line || exec sleep 30;; esac; echo out'
    runner, starts = _counting(tmp_path, body)  # the early one hangs: it has no stdin
    runner.start_early(["log"], git_dir=tmp_path / "hangs")
    assert _read(runner, ["log"], tmp_path) == b"out\n"  # another git_dir
    assert _read(runner, ["log", "-z"], tmp_path / "hangs") == b"out\n"  # other arguments
    stdin: list[bytes] = []  # the same command with stdin is another command
    asyncio.run(runner.consume(["log"], stdin.append, git_dir=tmp_path / "hangs", input=b"x\n"))
    assert stdin == [b"out\n"]
    assert running_processes() == 1  # the early one, never read
    runner.close()
    assert running_processes() == 0  # killed and reaped
    assert starts.read_text() == "x\nx\nx\nx\n"


def test_an_early_git_that_fails_or_hangs_fails_its_consume(tmp_path: Path) -> None:
    failing = HardenedGitRunner(
        git=str(fake_git(tmp_path, "echo 'fatal: bad object' >&2; exit 128"))
    )
    failing.start_early(["log"])
    seen: list[bytes] = []
    with pytest.raises(GitCommandError) as info:
        asyncio.run(failing.consume(["log"], seen.append))
    assert (info.value.code, info.value.returncode, seen) == ("CORRUPT", 128, [])
    assert "fatal: bad object" in info.value.stderr
    failing.close()
    slow = HardenedGitRunner(git=str(fake_git(tmp_path, "exec sleep 30")), timeout=0.5)
    slow.start_early(["log"])
    with pytest.raises(GitCommandError) as info:
        asyncio.run(slow.consume(["log"], seen.append))
    assert info.value.code == "TIMEOUT"
    assert running_processes() == 0
    slow.close()


def test_a_failing_sink_kills_the_early_git(tmp_path: Path) -> None:
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, "exec yes")))
    runner.start_early(["log"])

    def sink(block: bytes) -> None:
        raise ValueError("bad output")

    with pytest.raises(ValueError, match="bad output"):
        asyncio.run(runner.consume(["log"], sink))
    assert running_processes() == 0
    runner.close()


def test_git_stderr_is_kept_to_its_cap_started_early_or_not(tmp_path: Path) -> None:
    # 100,000 bytes of stderr: the first STDERR_CAP are kept, read to the end (git is not
    # blocked on a full pipe), whichever way git was started.
    loud = fake_git(tmp_path, "head -c 100000 /dev/zero | tr '\\0' e >&2; exit 1")
    for early in (False, True):
        runner = HardenedGitRunner(git=str(loud))
        if early:
            runner.start_early(["log"])
        with pytest.raises(GitCommandError) as info:
            asyncio.run(runner.consume(["log"], lambda block: None))
        runner.close()
        assert info.value.stderr == "e" * STDERR_CAP, early


def test_an_early_git_with_input_is_read_by_the_consume_with_that_input(tmp_path: Path) -> None:
    runner, starts = _counting(tmp_path, 'echo "read $(cat)"')
    try:
        runner.start_early(["log", "--stdin"], git_dir=tmp_path, input=b"one\n")
        runner.start_early(["log", "--stdin"], git_dir=tmp_path, input=b"two\n")
        assert running_processes() == 2
        for given in (b"two\n", b"one\n"):
            seen: list[bytes] = []
            asyncio.run(
                runner.consume(["log", "--stdin"], seen.append, git_dir=tmp_path, input=given)
            )
            assert b"".join(seen) == b"read " + given
        assert starts.read_text() == "x\nx\n"  # each read from its early git, none started again
        assert running_processes() == 0
    finally:
        runner.close()


def test_read_ahead_gives_the_output_or_none(tmp_path: Path) -> None:
    """Blocking, with no event loop: git's stdout, or None when git failed, printed too much or
    ran past the timeout (the caller redoes the work the usual way); reaped in every case."""
    prints = HardenedGitRunner(git=str(fake_git(tmp_path, "echo out; echo noise >&2")))
    assert prints.read_ahead(["rev-list"], max_bytes=4) == b"out\n"
    assert prints.read_ahead(["rev-list"], max_bytes=3) is None
    prints.close()
    failing = HardenedGitRunner(git=str(fake_git(tmp_path, "echo partial; exit 128")))
    assert failing.read_ahead(["rev-list"], max_bytes=100) is None
    failing.close()
    endless = HardenedGitRunner(git=str(fake_git(tmp_path, "exec yes")))
    assert endless.read_ahead(["rev-list"], max_bytes=1 << 20) is None
    endless.close()
    slow = HardenedGitRunner(git=str(fake_git(tmp_path, "exec sleep 30")), timeout=0.2)
    assert slow.read_ahead(["rev-list"], max_bytes=100) is None
    slow.close()
    assert running_processes() == 0


def test_a_git_whose_start_is_abandoned_is_killed_and_reaped_either_way(tmp_path: Path) -> None:
    """_Start.abandon before the worker thread has started git (the thread kills it), or after
    (abandon does): either way no git is left running, whoever is last."""
    argv = [str(fake_git(tmp_path, "exec sleep 30"))]
    options = {"stdout": subprocess.DEVNULL, "start_new_session": True}
    before = runner._Start()
    before.abandon()
    early = before.run(argv, options)
    assert early.returncode is not None  # killed and reaped by run itself
    after = runner._Start()
    late = after.run(argv, options)
    assert late.poll() is None  # running, until
    after.abandon()
    assert late.wait(timeout=10) == -signal.SIGKILL
