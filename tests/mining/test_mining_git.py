"""The hardened runner: environment, overrides, error codes, timeouts and cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mining.errors import GitCommandError
from mining.git import runner as git
from mining.git.runner import (
    BLOCK_SIZE,
    CPU_LIMIT,
    MEMORY_LIMIT,
    SAFE_CONFIG,
    GitRunner,
    HardenedGitRunner,
    classify_failure,
)
from tests.mining.repo_builder import Factory


def fake_git(tmp_path: Path, body: str) -> Path:
    """A stand-in executable, to observe exactly how the runner starts a process."""
    script = tmp_path / "fake-git"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


async def test_environment_is_built_from_scratch(tmp_path: Path) -> None:
    out = tmp_path / "seen"
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, f'env > {out}; echo "$@" >> {out}')),
                               ceiling=tmp_path)  # fmt: skip
    os.environ["AM_LEAK_CHECK"] = "1"
    try:
        assert await runner.run(["log"]) == b""
    finally:
        del os.environ["AM_LEAK_CHECK"]
    *env_lines, args = out.read_text().splitlines()
    env = dict(line.split("=", 1) for line in env_lines)
    env.pop("PWD", None)  # set by the shell itself
    env.pop("SHLVL", None)
    env.pop("_", None)
    assert env == runner.env
    assert env["HOME"] == env["XDG_CONFIG_HOME"]
    assert os.listdir(env["HOME"]) == []
    assert env["GIT_CEILING_DIRECTORIES"] == str(tmp_path)
    assert env["GIT_CONFIG_GLOBAL"] == "/dev/null"
    overrides = " ".join(f"-c {k}={v}" for k, v in SAFE_CONFIG)
    assert args == f"--no-pager {overrides} log"
    runner.close()
    with pytest.raises(FileNotFoundError):
        os.listdir(env["HOME"])


async def test_run_and_stream(runner: GitRunner) -> None:
    assert (await runner.run(["--version"])).startswith(b"git version ")
    with pytest.raises(GitCommandError) as info:
        await runner.run(["--version"], max_bytes=4)
    assert info.value.code == "OUTPUT_TOO_LARGE"
    assert info.value.returncode is None
    assert (
        str(info.value) == "'git --version' was stopped for its output: more than 4 bytes of output"
    )
    assert info.value.public(Path("/")) == (
        "git printed more than we read from one command on this repository"
    )


async def test_not_a_repo(runner: GitRunner, tmp_path: Path) -> None:
    with pytest.raises(GitCommandError) as info:
        await runner.run(["log"], git_dir=tmp_path)
    assert info.value.code == "NOT_A_REPO"
    assert info.value.returncode == 128
    assert info.value.argv == ("git", f"--git-dir={tmp_path}", "log")
    assert str(info.value).startswith(f"'git --git-dir={tmp_path} log' exited 128: fatal: ")


async def test_empty_repo(runner: GitRunner, repos: Factory) -> None:
    repo = repos.repo("empty")
    with pytest.raises(GitCommandError) as info:
        await runner.run(["log"], git_dir=repo.path / ".git")
    assert info.value.code == "EMPTY_REPO"


async def test_stdin_is_fed(runner: GitRunner, repos: Factory) -> None:
    repo = repos.repo("r").write("a.txt", "hi\n")
    repo.commit("one")
    out = await runner.run(["cat-file", "--batch-check"], git_dir=repo.path / ".git",
                           input=b"HEAD:a.txt\n")  # fmt: skip
    assert out == b"45b983be36b73c0788dc9cbcb76cbb80fc7bb057 blob 3\n"


@pytest.mark.parametrize(
    ("stderr", "code"),
    [
        ("fatal: not a git repository (or any parent)", "NOT_A_REPO"),
        ("fatal: your current branch 'main' does not have any commits yet", "EMPTY_REPO"),
        ("fatal: bad default revision 'HEAD'", "EMPTY_REPO"),
        ("error: inflate: data stream error (incorrect header check)", "CORRUPT"),
        ("fatal: bad object HEAD", "CORRUPT"),
        ("fatal: not a tree object", "CORRUPT"),
        ("fatal: something else", "GIT_FAILED"),
    ],
)
def test_classify_failure(stderr: str, code: str) -> None:
    assert classify_failure(stderr) == code


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


async def test_timeout_kills_the_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, f"echo $$ > {pidfile}; exec sleep 30")),
                               timeout=0.5)  # fmt: skip
    with pytest.raises(GitCommandError) as info:
        await runner.run(["log"])
    assert info.value.code == "TIMEOUT"
    assert info.value.returncode is None
    assert str(info.value) == "'git log' timed out: (no stderr)"
    assert not _alive(int(pidfile.read_text()))


async def test_cancellation_kills_git(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = fake_git(tmp_path, f"echo $$ > {pidfile}; echo started; exec sleep 30")
    runner = HardenedGitRunner(git=str(script))
    started = asyncio.Event()

    async def consume() -> None:
        async with contextlib.aclosing(runner.stream(["log"])) as chunks:
            async for _ in chunks:
                started.set()

    task = asyncio.create_task(consume())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(int(pidfile.read_text()))


async def test_leaving_the_loop_early_kills_git(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = fake_git(tmp_path, f"echo $$ > {pidfile}; echo started; exec sleep 30")
    runner = HardenedGitRunner(git=str(script))
    async with contextlib.aclosing(runner.stream(["log"])) as chunks:
        async for chunk in chunks:
            assert chunk == b"started\n"
            break
    assert not _alive(int(pidfile.read_text()))


async def test_the_limits_are_set_before_git_starts(tmp_path: Path) -> None:
    # The first thing the program does is read its own limits: they were set before exec.
    seen = tmp_path / "limits"
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, f"cat /proc/$$/limits > {seen}")))
    assert await runner.run(["log"]) == b""
    limits = seen.read_text()
    assert re.search(rf"Max address space\s+{MEMORY_LIMIT}\s+{MEMORY_LIMIT}", limits)
    assert re.search(rf"Max cpu time\s+{CPU_LIMIT}\s+{CPU_LIMIT}", limits)


async def test_git_is_not_run_when_its_limits_cannot_be_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran = tmp_path / "ran"
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, f"touch {ran}")))
    monkeypatch.setattr(git, "MEMORY_LIMIT", -1024)  # a limit setrlimit refuses
    with pytest.raises(GitCommandError) as info:
        await runner.run(["log"])
    assert info.value.code == "GIT_FAILED"
    assert str(info.value) == "'git log' was not run: resource limits could not be set"
    assert not ran.exists()
    [record] = [r for r in caplog.records if r.name == "mining.git.runner"]
    assert record.levelname == "ERROR"
    assert record.getMessage().startswith("git not run: its resource limits could not be set: ")
    assert "ulimit" in record.getMessage()  # the shell's own reason


async def test_consume_hands_over_large_blocks_in_another_thread(tmp_path: Path) -> None:
    size = BLOCK_SIZE * 2 + 12_345
    script = fake_git(tmp_path, f"head -c {size} /dev/zero | tr '\\0' 'x'; echo -n end")
    runner = HardenedGitRunner(git=str(script))
    blocks: list[bytes] = []
    threads: set[str] = set()

    def sink(block: bytes) -> None:
        blocks.append(block)
        threads.add(threading.current_thread().name)

    await runner.consume(["log"], sink)
    assert [len(b) for b in blocks] == [BLOCK_SIZE, BLOCK_SIZE, 12_345 + 3]
    assert b"".join(blocks) == b"x" * size + b"end"
    assert threads == {"git-pump"}


async def test_consume_reports_git_failures(runner: GitRunner, tmp_path: Path) -> None:
    seen: list[bytes] = []
    with pytest.raises(GitCommandError) as info:
        await runner.consume(["log"], seen.append, git_dir=tmp_path)
    assert info.value.code == "NOT_A_REPO"
    assert seen == []


async def test_consume_feeds_stdin(runner: GitRunner, repos: Factory) -> None:
    repo = repos.repo("r").write("a.txt", "hi\n")
    repo.commit("one")
    seen: list[bytes] = []
    await runner.consume(["cat-file", "--batch-check"], seen.append,
                         git_dir=repo.path / ".git", input=b"HEAD:a.txt\n")  # fmt: skip
    assert seen == [b"45b983be36b73c0788dc9cbcb76cbb80fc7bb057 blob 3\n"]


async def test_a_failing_sink_stops_and_kills_git(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = fake_git(tmp_path, f"echo $$ > {pidfile}; exec yes")
    runner = HardenedGitRunner(git=str(script))
    calls = 0

    def sink(block: bytes) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("bad output")

    with pytest.raises(ValueError, match="bad output"):
        await runner.consume(["log"], sink)
    assert calls == 1
    assert not _alive(int(pidfile.read_text()))


class _Held:
    """What a failing sink holds: found by the GC only if a reference cycle kept it."""


def _failing_sink(held: list[_Held]) -> Callable[[bytes], None]:
    def sink(block: bytes) -> None:
        assert held
        raise LookupError("enough")  # as the history reader stops its lead (_Reached)

    return sink


async def test_what_a_sink_raised_keeps_nothing_alive_in_a_cycle(
    runner: GitRunner, repos: Factory, cyclic_garbage: Callable[[], list[object]]
) -> None:
    repo = repos.repo("r").write("a.txt", "hi\n")
    repo.commit("one")
    sink = _failing_sink([_Held() for _ in range(100)])
    try:
        await runner.consume(["log"], sink, git_dir=repo.path / ".git")
    except LookupError:
        pass  # caught and dropped, as _Reached is
    else:
        raise AssertionError("the sink's error was not raised")
    del sink  # now only a cycle could keep what it holds
    assert [o for o in cyclic_garbage() if isinstance(o, _Held)] == []


async def test_consume_times_out_and_cancels(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = fake_git(tmp_path, f"echo $$ > {pidfile}; echo started; exec sleep 30")
    with pytest.raises(GitCommandError) as info:
        await HardenedGitRunner(git=str(script), timeout=0.5).consume(["log"], lambda _: None)
    assert info.value.code == "TIMEOUT"
    assert not _alive(int(pidfile.read_text()))

    script = fake_git(tmp_path, f"echo $$ > {pidfile}; head -c {BLOCK_SIZE} /dev/zero; sleep 30")
    loop, started = asyncio.get_running_loop(), asyncio.Event()
    blocks: list[bytes] = []

    def sink(block: bytes) -> None:
        blocks.append(block)
        loop.call_soon_threadsafe(started.set)

    task = asyncio.create_task(HardenedGitRunner(git=str(script)).consume(["log"], sink))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(int(pidfile.read_text()))
    assert len(blocks) == 1


async def test_cancelled_while_git_starts_leaves_no_process(tmp_path: Path) -> None:
    """git is started in a worker thread (the loop must not wait for the fork): a task
    cancelled meanwhile still kills and reaps what that thread started."""
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, "exec sleep 30")))
    task = asyncio.create_task(runner.run(["log"]))
    await asyncio.sleep(0)  # the task runs up to its first wait: the start, in the thread
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert git.running_processes() == 0
    with pytest.raises(ChildProcessError):  # no child at all, running or a zombie
        os.waitpid(-1, os.WNOHANG)  # noqa: ASYNC222 (WNOHANG: it does not wait)


def test_git_flushes_its_output_in_full_buffers() -> None:
    # Unset, git flushes after every commit on a pipe (git(1), GIT_FLUSH).
    assert HardenedGitRunner().env["GIT_FLUSH"] == "0"


# What a git started by the runner can see of how it was started: its environment, arguments,
# working directory, limits, and whether it leads a session (its own process group) of its own.
_SEEN = (
    'env | sort; echo ---; echo "args $*"; echo "cwd $(pwd -P)"; grep -E "address space|cpu time" '
    "/proc/$$/limits; read -r stat < /proc/$$/stat; set -- ${stat##*) }; "
    'echo "session leader $(( $4 == $$ ))"'
)


def test_git_starts_limited_alone_in_its_session_with_our_environment(tmp_path: Path) -> None:
    runner = HardenedGitRunner(git=str(fake_git(tmp_path, _SEEN)), ceiling=tmp_path)
    try:
        seen = asyncio.run(runner.run(["log", "-z"], git_dir=tmp_path))
        elsewhere = asyncio.run(runner.run(["init"], cwd=tmp_path))
    finally:
        runner.close()
    env_lines, lines = (part.splitlines() for part in seen.decode().split("---\n"))
    env = dict(line.split("=", 1) for line in env_lines)
    for variable in ("PWD", "SHLVL", "_"):  # set by the shell itself
        env.pop(variable, None)
    assert env == runner.env
    overrides = " ".join(f"-c {k}={v}" for k, v in SAFE_CONFIG)
    assert f"args --no-pager --git-dir={tmp_path} {overrides} log -z" in lines
    assert f"cwd {os.path.realpath(runner.env['HOME'])}" in lines
    assert f"cwd {os.path.realpath(tmp_path)}" in elsewhere.decode().splitlines()
    assert re.search(rf"Max address space\s+{MEMORY_LIMIT}\s+{MEMORY_LIMIT}", seen.decode())
    assert re.search(rf"Max cpu time\s+{CPU_LIMIT}\s+{CPU_LIMIT}", seen.decode())
    assert lines[-1] == "session leader 1"
