"""The one hardened git runner: the only place in the project where a process starts.

Every repository we mine is untrusted, so git runs with an environment built from scratch and with
`-c` overrides that switch off every configuration key able to start another program (see
git-config(1), "CONFIGURATION FILE" and the keys named below). Untrusted repositories are further
copied into a clean bare repository whose config we wrote before git reads them
(mining/sanitize.py); these overrides are the second wall.

Processes run in their own session (process group) and the whole group is killed with SIGKILL on
timeout or when the awaiting task is cancelled, so no git (or anything git started) outlives us.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import signal
import tempfile
import weakref
from collections.abc import AsyncGenerator, Awaitable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from mining.errors import GitCommandError

T = TypeVar("T")

# Small enough that parsing one chunk holds the event loop for a few milliseconds only.
CHUNK_SIZE = 64 * 1024
STDERR_CAP = 16 * 1024

# Keys from git-config(1) that could run a program, sign, page, prompt or touch the network.
# Passed with `-c` on every call: command-line config wins over every file (git(1), "-c").
SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),  # an fsmonitor hook is an arbitrary command
    ("core.hooksPath", "/dev/null"),  # no hooks, wherever the repo says they live
    ("core.pager", "cat"),
    ("core.sshCommand", "/bin/false"),
    ("core.askPass", "/bin/false"),
    ("core.editor", "/bin/false"),
    ("core.quotepath", "off"),  # raw bytes for non-ASCII paths (with -z nothing is quoted)
    ("core.untrackedCache", "false"),
    ("core.splitIndex", "false"),
    ("core.alternateRefsCommand", ""),
    ("log.showSignature", "false"),  # verifying a signature runs gpg.program
    ("gpg.program", "/bin/false"),
    ("gpg.ssh.program", "/bin/false"),
    ("gpg.x509.program", "/bin/false"),
    ("diff.external", ""),
    ("credential.helper", ""),
    ("protocol.allow", "never"),  # no transport at all, not even file://
    ("gc.auto", "0"),  # never spawn a background gc
    ("maintenance.auto", "false"),
    ("fetch.writeCommitGraph", "false"),
    ("mailmap.file", ""),  # no .mailmap from a work tree or a path the repo names...
    ("mailmap.blob", "HEAD:.mailmap"),  # ...only the committed one (gitmailmap(5))
    # Blobs above this are "binary" to diff (git-config(1)), so `log --numstat` never
    # diffs a crafted 500 MB text file line by line.
    ("core.bigFileThreshold", "16m"),
)

# Resource limits of every git process (setrlimit(2)), applied right after it starts: a tiny
# crafted repository (a tree of millions of entries, a huge text blob) must fail, not take
# the machine's memory or a core for good.
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space
CPU_LIMIT = 600  # seconds of CPU time


def git_env(home: Path, ceiling: Path | None) -> dict[str, str]:
    """A from-scratch environment: no variable of ours steers git (git(1), ENVIRONMENT)."""
    env = {
        "HOME": str(home),  # empty: no ~/.gitconfig, no ~/.config/git
        "XDG_CONFIG_HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "LC_ALL": "C",
        "LANG": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_SSH_COMMAND": "/bin/false",
        "GIT_NO_REPLACE_OBJECTS": "1",  # refs/replace/* could rewrite history under us
        "GIT_NO_LAZY_FETCH": "1",  # promisor remotes: never fetch a missing object
        "GIT_OPTIONAL_LOCKS": "0",  # read-only commands must not refresh the index
        "GIT_PAGER": "cat",
        "GIT_PROTOCOL_FROM_USER": "0",
    }
    if ceiling is not None:
        env["GIT_CEILING_DIRECTORIES"] = str(ceiling)  # never discover a repo above the upload
    return env


def classify_failure(stderr: str) -> str:
    """Map git's stderr to a stable error code (mining/errors.py)."""
    text = stderr.lower()
    if "not a git repository" in text:
        return "NOT_A_REPO"
    if "out of memory" in text or "cannot allocate memory" in text:
        return "TOO_LARGE"
    if any(
        s in text for s in ("does not have any commits", "bad default revision", "unknown revision")
    ):
        return "EMPTY_REPO"
    corrupt = (
        "corrupt",
        "bad object",
        "unable to read",
        "inflate",
        "packfile",
        "missing blob",
        "missing tree",
        "invalid object",
        "broken link",
        "bad tree object",
        "not a tree object",  # ls-tree of a commit whose objects are gone
        "must point to a commit",  # for-each-ref --merged=<a missing commit>
    )
    if any(s in text for s in corrupt):
        return "CORRUPT"
    return "GIT_FAILED"


class GitRunner:
    """Runs git safely; hand one instance to everything that needs git.

    `ceiling` is the upload root (GIT_CEILING_DIRECTORIES); `timeout` bounds one whole command in
    seconds; `max_processes` bounds how many git processes run at once.
    """

    def __init__(
        self,
        *,
        ceiling: Path | None = None,
        timeout: float = 600.0,
        max_processes: int = 8,
        git: str | None = None,
    ) -> None:
        found = git or shutil.which("git")
        if found is None:
            raise FileNotFoundError("git executable not found on PATH")
        self.git = found
        self.timeout = timeout
        self._home = Path(tempfile.mkdtemp(prefix="am-git-home-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._home, True)
        self.env = git_env(self._home, ceiling)
        self._slots = asyncio.Semaphore(max_processes)

    def close(self) -> None:
        """Remove the private HOME."""
        self._cleanup()

    def argv(self, args: Sequence[str], git_dir: Path | None = None) -> list[str]:
        argv = [self.git, "--no-pager"]
        if git_dir is not None:
            argv.append(f"--git-dir={git_dir}")
        for key, value in SAFE_CONFIG:
            argv += ["-c", f"{key}={value}"]
        return [*argv, *args]

    def display(self, args: Sequence[str], git_dir: Path | None = None) -> list[str]:
        """The argv shown in errors: the `-c` overrides are always the same, so left out."""
        return ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]

    async def stream(
        self,
        args: Sequence[str],
        *,
        git_dir: Path | None = None,
        cwd: Path | None = None,
        input: bytes | None = None,
    ) -> AsyncGenerator[bytes, None]:
        """Yield stdout in chunks as git writes it; raise GitCommandError if git fails.

        Use inside `contextlib.aclosing(...)` so that leaving the loop early kills git at once.
        """
        argv = self.argv(args, git_dir)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL if input is None else asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd or self._home,
                env=self.env,
                start_new_session=True,  # its own process group, killed as one
            )
            _limit(proc.pid)
            helpers = _start_helpers(proc, input)
            try:
                assert proc.stdout is not None
                shown = self.display(args, git_dir)
                while chunk := await _before(deadline, proc.stdout.read(CHUNK_SIZE), shown):
                    yield chunk
                returncode = await _before(deadline, proc.wait(), shown)
                stderr: str = await helpers[0]
                if returncode != 0:
                    shown = self.display(args, git_dir)
                    raise GitCommandError(shown, returncode, stderr, code=classify_failure(stderr))
            finally:
                _kill(proc)
                for task in helpers:
                    task.cancel()
                # Reap the child even if we are being cancelled: no zombies.
                with contextlib.suppress(ProcessLookupError):
                    await asyncio.shield(proc.wait())

    async def run(
        self,
        args: Sequence[str],
        *,
        git_dir: Path | None = None,
        cwd: Path | None = None,
        input: bytes | None = None,
        max_bytes: int = 1 << 20,
    ) -> bytes:
        """Collect stdout of a command known to print little; more than `max_bytes` fails."""
        out = bytearray()
        async with contextlib.aclosing(
            self.stream(args, git_dir=git_dir, cwd=cwd, input=input)
        ) as chunks:
            async for chunk in chunks:
                out += chunk
                if len(out) > max_bytes:
                    shown = self.display(args, git_dir)
                    raise GitCommandError(shown, None, f"more than {max_bytes} bytes of output")
        return bytes(out)


async def _before(deadline: float, awaitable: Awaitable[T], argv: list[str]) -> T:
    """Await `awaitable` until the command's deadline; past it, git has timed out."""
    remaining = deadline - asyncio.get_running_loop().time()
    try:
        return await asyncio.wait_for(awaitable, max(remaining, 0.0))
    except TimeoutError:
        raise GitCommandError(argv, None, "", code="TIMEOUT") from None


def _start_helpers(
    proc: asyncio.subprocess.Process, input: bytes | None
) -> list[asyncio.Task[Any]]:
    """Drain stderr (capped) and feed stdin concurrently with our stdout reads: no deadlock."""
    tasks: list[asyncio.Task[Any]] = [asyncio.create_task(_read_stderr(proc))]
    if input is not None:
        tasks.append(asyncio.create_task(_write_stdin(proc, input)))
    return tasks


async def _read_stderr(proc: asyncio.subprocess.Process) -> str:
    assert proc.stderr is not None
    kept = bytearray()
    while chunk := await proc.stderr.read(CHUNK_SIZE):
        if len(kept) < STDERR_CAP:
            kept += chunk[: STDERR_CAP - len(kept)]
    return kept.decode("utf-8", "replace")


async def _write_stdin(proc: asyncio.subprocess.Process, data: bytes) -> None:
    assert proc.stdin is not None
    # git may exit before reading everything (e.g. on error): that is reported via stderr.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        proc.stdin.write(data)
        await proc.stdin.drain()
        proc.stdin.close()


def _limit(pid: int) -> None:
    """Cap the process's memory and CPU time (Linux prlimit(2); elsewhere nothing)."""
    with contextlib.suppress(AttributeError, ProcessLookupError, OSError, ValueError):
        resource.prlimit(pid, resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.prlimit(pid, resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT))


def _kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the whole process group unless git already exited and was reaped."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
