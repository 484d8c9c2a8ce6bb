"""The one hardened git runner: the only place in the project where a process starts.

Every repository we mine is untrusted, so git runs with an environment built from scratch and with
`-c` overrides that switch off every configuration key able to start another program (see
git-config(1), "CONFIGURATION FILE" and the keys named below). Untrusted repositories are further
copied into a clean bare repository whose config we wrote before git reads them
(mining/git/sanitize.py); these overrides are the second wall.

Processes run in their own session (process group) and the whole group is killed with SIGKILL on
timeout or when the awaiting task is cancelled, so no git (or anything git started) outlives us.
Their memory and CPU limits are set in the child before git is executed, so git never runs a
single instruction without them (see `_LIMITED_EXEC`).

Everything else in the project takes a `GitRunner` (the Protocol, in protocol.py, imported from
here); `HardenedGitRunner` is its one production implementation.

Large outputs (the history) go through `consume`: a thread of its own reads git's stdout pipe with
blocking reads into a fixed buffer and hands the consumer blocks of BLOCK_SIZE bytes, so the event
loop sees one wake-up per command instead of one per pipe write, and Python pays one call per
256 KiB instead of one per commit.

`start_early` starts a command without an event loop, for the start of `artifact-miner mine`:
asyncio takes as long to import as everything else on the way to the first git, so `mine`
starts its first history pass before importing it. That is why the async methods import asyncio
themselves (a lookup in sys.modules once it is loaded) instead of at the top of this module, and
why it imports none of typing, dataclasses (with inspect), logging or tempfile either: together
they took longer to import than everything else `mine` needs before its first git
(tests/test_guardrails.py holds the launch path to that).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import shutil
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Sequence,
)
from pathlib import Path

from mining.errors import GitCommandError
from mining.git.scratch import private_dir

# typing.TYPE_CHECKING without importing typing (mypy reads it as True): see the end of the
# module's docstring; GitRunner, the Protocol, is imported from protocol.py on first use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    from typing import Any, TypeVar

    # What git gets on stdin: nothing, bytes, or chunks as an async iterable yields them.
    Stdin = bytes | AsyncIterable[bytes] | None

    from mining.git.protocol import GitRunner as GitRunner

    T = TypeVar("T")

# Small enough that parsing one chunk holds the event loop for a few milliseconds only.
CHUNK_SIZE = 64 * 1024
STDERR_CAP = 16 * 1024
# What `consume` hands its sink at once: large enough that the per-call cost vanishes (Python CPU
# fell 1.7-2x against 230-byte chunks, see bench/), small enough to stay in the CPU caches.
BLOCK_SIZE = 256 * 1024
# The pipe git writes into (F_SETPIPE_SZ, pipe(7); 1 MiB is the unprivileged maximum): git runs
# ahead while a block is parsed instead of blocking on a full 64 KiB pipe.
PIPE_SIZE = 1024 * 1024
# Sinks run one at a time, whatever the runner: Python runs one thread at a time anyway (the GIL),
# and every thread queued for the GIL is one more the event loop may wait behind for a switch
# interval (5 ms) before it serves a request.
_SINKS = threading.Lock()

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

# Resource limits of every git process (setrlimit(2)), set in the child before exec: a tiny
# crafted repository (a tree of millions of entries, a huge text blob) must fail, not take
# the machine's memory or a core for good.
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space
CPU_LIMIT = 600  # seconds of CPU time
# The default cap of `run`: the commands it is for print a few lines.
RUN_MAX_BYTES = 1 << 20

# How git is started: /bin/sh sets the limits (`ulimit` is setrlimit(2), soft and hard) and then
# becomes git with exec, so the process, its group, its kill and its reaping stay git's. Not
# subprocess's preexec_fn: that makes Python fork() instead of vfork(), which copies the page
# tables of the whole server (about 20 ms of CPU per git with a 300 MB heap, against 0.5 ms for
# this shell). The shell exits LIMITS_FAILED (a status git never uses) when a limit is refused.
# $0 is git, $1 and $2 the limits, the rest git's arguments; PWD is the shell's, not git's.
_LIMITED_EXEC = 'unset PWD; ulimit -v "$1" && ulimit -t "$2" || exit 125; shift 2; exec "$0" "$@"'
LIMITS_FAILED = 125


# git's malloc: no block under 32 MiB mmap'd, 64 MiB of freed heap kept (see git_env).
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864"


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
        # Fully buffered stdout (git(1), GIT_FLUSH): unset, git flushes after every commit on a
        # pipe, so the reader wakes once per ~300 bytes; we never talk to git interactively.
        "GIT_FLUSH": "0",
        # glibc's malloc (tunables(7)): a block over 128 KiB (an inflated blob, a delta base)
        # is mmap'd and unmapped on every use, so git faults its pages in again and again
        # (55k faults, a quarter of a slice's CPU on flask's older half); from the heap and
        # kept up to 64 MiB, they are reused (9k faults; bench/mining_bench.py).
        "GLIBC_TUNABLES": MALLOC_TUNABLES,
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


class _ProcessCount:
    """How many git processes this process has running, for operations (graphql_api exposes it
    as a metric): mining itself knows nothing of metrics, it tells listeners of each change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self._listeners: list[Callable[[int], None]] = []

    def listen(self, listener: Callable[[int], None]) -> None:
        """Call `listener(running)` after every change (in the thread that made it)."""
        with self._lock:
            self._listeners.append(listener)

    def change(self, delta: int) -> None:
        with self._lock:
            self.running += delta
            running, listeners = self.running, list(self._listeners)
        for listener in listeners:
            listener(running)


PROCESSES = _ProcessCount()


def running_processes() -> int:
    """git processes started by this process and not yet reaped."""
    return PROCESSES.running


def __getattr__(name: str) -> object:
    """`GitRunner`, imported when first asked for (PEP 562): a Protocol needs typing."""
    if name == "GitRunner":
        from mining.git.protocol import GitRunner

        return GitRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class HardenedGitRunner:
    """Runs git safely; hand one instance to everything that needs git.

    `ceiling` is the upload root (GIT_CEILING_DIRECTORIES); `timeout` bounds one whole command in
    seconds; `max_processes` bounds how many git processes run at once; git's private HOME is
    made under `scratch` (default: the system temp dir).
    """

    def __init__(
        self,
        *,
        ceiling: Path | None = None,
        timeout: float = 600.0,
        max_processes: int = 8,
        git: str | None = None,
        scratch: Path | None = None,
    ) -> None:
        found = git or shutil.which("git")
        if found is None:
            raise FileNotFoundError("git executable not found on PATH")
        self.git = found
        self.timeout = timeout
        self._home = private_dir("am-git-home-", scratch)
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._home, True)
        self.env = git_env(self._home, ceiling)
        self._max_processes = max_processes
        self._semaphore: asyncio.Semaphore | None = None
        self._early: dict[tuple[tuple[str, ...], Path | None, bytes | None], _Early] = {}

    def close(self) -> None:
        """Remove the private HOME (and kill the early gits no `consume` took)."""
        while self._early:
            self._early.popitem()[1].abandon()
        self._cleanup()

    def start_early(
        self, args: Sequence[str], *, git_dir: Path | None = None, input: bytes | None = None
    ) -> None:
        """Start `consume(args, git_dir=..., input=...)`'s git now, with no event loop (for the
        start of `artifact-miner mine`: its history, before asyncio is imported). Its output
        waits in a pipe for the first `consume` of the same command and input, which reads it
        as its own; `close` kills it when none comes. The same argv, options, limits and
        session as any git; `input` is written to its stdin here, in the calling thread."""
        key = (tuple(args), git_dir, input)
        if key in self._early:
            return
        read_end, write_end = os.pipe()
        with contextlib.suppress(OSError, AttributeError):  # as consume's pipe
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        stdin = subprocess.DEVNULL if input is None else subprocess.PIPE
        try:
            options = self.options(None, stdin, write_end)
            proc = subprocess.Popen(self.argv(args, git_dir), **options)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        PROCESSES.change(+1)
        self._early[key] = _Early(proc, read_end, time.monotonic() + self.timeout)
        if input is not None:
            assert proc.stdin is not None
            with contextlib.suppress(BrokenPipeError), proc.stdin:  # git failed: consume says
                proc.stdin.write(input)

    def read_ahead(
        self, args: Sequence[str], *, git_dir: Path | None = None, max_bytes: int
    ) -> bytes | None:
        """The stdout of a command run to its end in the calling thread, with no event loop, or
        None if git failed, ran past the timeout or printed more than `max_bytes` (stderr is
        not kept): for work done ahead that its caller drops, and redoes the usual way, when
        this fails (`artifact-miner mine` lists a history's commits so, mining/launch.py)."""
        options = self.options(None, subprocess.DEVNULL, subprocess.PIPE)
        options["stderr"] = subprocess.DEVNULL
        proc = subprocess.Popen(self.argv(args, git_dir), **options)
        PROCESSES.change(+1)
        stdout = proc.stdout
        assert stdout is not None
        watchdog = threading.Timer(self.timeout, _kill, (proc,))
        watchdog.start()
        out = bytearray()
        try:
            while len(out) <= max_bytes and (chunk := stdout.read(CHUNK_SIZE)):
                out += chunk
        finally:
            watchdog.cancel()
            _kill(proc)  # exited already, unless it printed too much
            returncode = proc.wait()
            stdout.close()
            PROCESSES.change(-1)
        return bytes(out) if returncode == 0 and len(out) <= max_bytes else None

    def argv(self, args: Sequence[str], git_dir: Path | None = None) -> list[str]:
        """What is executed: the limiting shell, then git with our overrides and `args`."""
        memory, cpu = child_limits()
        argv = ["/bin/sh", "-c", _LIMITED_EXEC, self.git, str(memory // 1024), str(cpu)]
        argv.append("--no-pager")
        if git_dir is not None:
            argv.append(f"--git-dir={git_dir}")
        for key, value in SAFE_CONFIG:
            argv += ["-c", f"{key}={value}"]
        return [*argv, *args]

    def display(self, args: Sequence[str], git_dir: Path | None = None) -> list[str]:
        """The argv shown in errors: the `-c` overrides are always the same, so left out."""
        return ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]

    def options(self, cwd: Path | None, stdin: int, stdout: int) -> dict[str, Any]:
        """How every git is started, by subprocess or by asyncio (they take the same keywords):
        our environment, in a session of its own (a process group, killed as one), in our
        private HOME unless told otherwise, stderr captured."""
        return {
            "stdin": stdin,
            "stdout": stdout,
            "stderr": subprocess.PIPE,
            "cwd": cwd or self._home,
            "env": self.env,
            "start_new_session": True,
        }

    @property
    def _slots(self) -> asyncio.Semaphore:
        """At most `max_processes` git processes at once (made on first use: see the module's
        docstring)."""
        import asyncio

        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._max_processes)
        return self._semaphore

    async def stream(
        self,
        args: Sequence[str],
        *,
        git_dir: Path | None = None,
        cwd: Path | None = None,
        input: Stdin = None,
    ) -> AsyncGenerator[bytes, None]:
        """Yield stdout in chunks as git writes it; raise GitCommandError if git fails.

        Use inside `contextlib.aclosing(...)` so that leaving the loop early kills git at once.
        """
        shown = self.display(args, git_dir)
        async with self._started(args, git_dir, cwd, input) as git:
            assert git.proc.stdout is not None
            while chunk := await _before(git.deadline, git.proc.stdout.read(CHUNK_SIZE), shown):
                yield chunk
            await git.succeeded(shown)

    async def consume(
        self,
        args: Sequence[str],
        sink: Callable[[bytes], None],
        *,
        git_dir: Path | None = None,
        input: Stdin = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        """Run a command with a large output, calling `sink(block)` in a worker thread with
        stdout in blocks of `block_size` bytes (the last one shorter) split anywhere. A smaller
        block hands output over sooner: a reader that stops git at some point of its output
        (mining/history/log_reader.py) leaves git less work done past it.

        Returns when git exited 0 and `sink` has seen everything; raises GitCommandError if git
        failed, or what `sink` raised (git is then killed). `sink` is never called after this
        returns or raises, even when the awaiting task is cancelled.
        """
        import asyncio

        shown = self.display(args, git_dir)
        early = None
        if input is None or isinstance(input, bytes):  # start_early's input is bytes
            early = self._early.pop((tuple(args), git_dir, input), None)
        if early is not None:  # started by start_early
            return await early.consume(sink, block_size, shown)
        read_end, write_end = os.pipe()
        with contextlib.suppress(OSError, AttributeError):  # Linux only; a smaller pipe works
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        try:
            started = self._started(args, git_dir, None, input, stdout=write_end)
            async with started as git:
                os.close(write_end)  # git holds the only write end: EOF when it exits
                write_end = -1
                pump = _Pump(read_end, sink, block_size)
                read_end = -1  # the pump's thread closes it
                try:
                    await _before(git.deadline, asyncio.shield(pump.done), shown)
                    await git.succeeded(shown)
                finally:
                    _kill(git.proc)  # the pump then meets EOF; wait so that sink is left alone
                    with contextlib.suppress(Exception):
                        await asyncio.shield(pump.done)
                    del pump  # see _Pump._run: what sink raised holds this frame
        finally:
            for fd in (read_end, write_end):
                if fd >= 0:
                    os.close(fd)

    @contextlib.asynccontextmanager
    async def _started(
        self,
        args: Sequence[str],
        git_dir: Path | None,
        cwd: Path | None,
        input: Stdin,
        *,
        stdout: int = subprocess.PIPE,
    ) -> AsyncIterator[_Running]:
        """git started in its own process group, limited, with stderr drained and stdin fed;
        on the way out it is killed (if still running) and reaped."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        async with self._slots:
            proc = await self._spawn(args, git_dir, cwd, input, stdout)
            PROCESSES.change(+1)
            try:
                helpers = _start_helpers(proc, input)
                try:
                    yield _Running(proc, deadline, helpers[0])
                finally:
                    _kill(proc)
                    for task in helpers:
                        task.cancel()
                    # Reap the child even if we are being cancelled: no zombies.
                    with contextlib.suppress(ProcessLookupError):
                        await asyncio.shield(proc.wait())
                    proc.close()
            finally:
                PROCESSES.change(-1)

    async def _spawn(
        self,
        args: Sequence[str],
        git_dir: Path | None,
        cwd: Path | None,
        input: Stdin,
        stdout: int,
    ) -> _Child:
        """git in a session of its own, its limits set before it runs (`_LIMITED_EXEC`),
        started in a worker thread (see _Child)."""
        import asyncio

        stdin = subprocess.DEVNULL if input is None else subprocess.PIPE
        options = self.options(cwd, stdin, stdout)
        argv = self.argv(args, git_dir)
        start = _Start()
        started = asyncio.ensure_future(asyncio.to_thread(start.run, argv, options))
        try:
            return await _Child.adopt(await asyncio.shield(started))
        except asyncio.CancelledError:  # git starts all the same: kill and reap it
            try:
                popen = await asyncio.shield(started)
            except asyncio.CancelledError:
                # Cancelled again (anyio's cancel scopes cancel at every await), or the
                # start itself (a loop shutting down cancels every task): git is killed and
                # reaped as soon as it has started, by whichever of us is last.
                start.abandon()
                raise
            with contextlib.suppress(Exception):
                await _abandon(popen)
            raise

    async def run(
        self,
        args: Sequence[str],
        *,
        git_dir: Path | None = None,
        cwd: Path | None = None,
        input: Stdin = None,
        max_bytes: int = RUN_MAX_BYTES,
    ) -> bytes:
        """Collect stdout of a command known to print little; more than `max_bytes` stops git
        and raises GitCommandError(code="OUTPUT_TOO_LARGE")."""
        out = bytearray()
        async with contextlib.aclosing(
            self.stream(args, git_dir=git_dir, cwd=cwd, input=input)
        ) as chunks:
            async for chunk in chunks:
                out += chunk
                if len(out) > max_bytes:
                    shown = self.display(args, git_dir)
                    detail = f"more than {max_bytes} bytes of output"
                    raise GitCommandError(shown, None, detail, code="OUTPUT_TOO_LARGE")
        return bytes(out)


async def _before(deadline: float, awaitable: Awaitable[T], argv: list[str]) -> T:
    """Await `awaitable` until the command's deadline; past it, git has timed out."""
    import asyncio

    remaining = deadline - asyncio.get_running_loop().time()
    try:
        return await asyncio.wait_for(awaitable, max(remaining, 0.0))
    except TimeoutError:
        raise GitCommandError(argv, None, "", code="TIMEOUT") from None


class _Child:
    """A git process started by subprocess in a worker thread, its pipes read and written on
    the event loop, its exit seen there through a pidfd (pidfd_open(2)): no thread waits for it.

    Not asyncio.create_subprocess_exec: that starts the process in the loop's thread, and
    Popen returns only once the child has executed /bin/sh (it reads the child's error pipe
    until exec closes it), which on a loaded machine is a wait for the child to be scheduled:
    0.5 ms at best, 5-15 ms at the 90th percentile measured with the cores busy, with every
    request waiting behind it. Popen's own reaping (wait, returncode) is kept."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        import asyncio

        self.popen = popen
        self.pid = popen.pid
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.stderr: asyncio.StreamReader | None = None
        self._transports: list[asyncio.BaseTransport] = []
        self._loop = asyncio.get_running_loop()
        self._exited: asyncio.Future[int] = self._loop.create_future()

    @classmethod
    async def adopt(cls, popen: subprocess.Popen[bytes]) -> _Child:
        """The process's pipes on the loop and its exit watched; killed and reaped on error."""
        child = cls(popen)
        try:
            await child._connect()
        except BaseException:
            child.close()
            await _abandon(popen)
            raise
        return child

    async def _connect(self) -> None:
        import asyncio

        self._watch()
        loop, popen = self._loop, self.popen
        if popen.stdout is not None:
            self.stdout = await self._reader(popen.stdout)
        if popen.stderr is not None:
            self.stderr = await self._reader(popen.stderr)
        if popen.stdin is not None:
            protocol = asyncio.StreamReaderProtocol(asyncio.StreamReader())
            transport, _ = await loop.connect_write_pipe(lambda: protocol, popen.stdin)
            self._transports.append(transport)
            self.stdin = asyncio.StreamWriter(transport, protocol, None, loop)

    async def _reader(self, pipe: Any) -> asyncio.StreamReader:
        import asyncio

        reader = asyncio.StreamReader(limit=CHUNK_SIZE)
        protocol = asyncio.StreamReaderProtocol(reader)
        transport, _ = await self._loop.connect_read_pipe(lambda: protocol, pipe)
        self._transports.append(transport)
        return reader

    def _watch(self) -> None:
        """Settle `_exited` once git exits: a pidfd turns readable then (Linux 5.3), else a
        thread of its own waits (not the loop's executor: it lives as long as git)."""
        try:
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            name = "git-wait"
            threading.Thread(target=self._wait_in_thread, name=name, daemon=True).start()
            return

        def exited() -> None:
            self._loop.remove_reader(pidfd)
            os.close(pidfd)
            self._settle(_reaped(self.popen))  # at once: the child has exited

        self._loop.add_reader(pidfd, exited)

    def _wait_in_thread(self) -> None:
        returncode = _reaped(self.popen)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody awaits us
            self._loop.call_soon_threadsafe(self._settle, returncode)

    def _settle(self, returncode: int) -> None:
        if not self._exited.done():
            self._exited.set_result(returncode)

    @property
    def returncode(self) -> int | None:
        """None until git has exited and been reaped (so its pid is still ours to kill)."""
        return self.popen.returncode

    async def wait(self) -> int:
        """git's exit status, once it has exited and been reaped."""
        import asyncio

        return await asyncio.shield(self._exited)

    def close(self) -> None:
        """Close our ends of the pipes."""
        for transport in self._transports:
            transport.close()


class _Start:
    """One git being started in a worker thread (see _Child), unbuffered: the loop's transports
    read the pipes. `abandon`, when no task will adopt it, has it killed and reaped, now or
    by the thread once it has started: a start whose result is lost (its task cancelled while
    the thread ran) must not leave git running."""

    __slots__ = ("_abandoned", "_lock", "_popen")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._popen: subprocess.Popen[bytes] | None = None
        self._abandoned = False

    def run(self, argv: list[str], options: dict[str, Any]) -> subprocess.Popen[bytes]:
        popen = subprocess.Popen(argv, bufsize=0, **options)
        with self._lock:
            self._popen, abandoned = popen, self._abandoned
        if abandoned:
            _let_go(popen)
            _reaped(popen)
        return popen

    def abandon(self) -> None:
        with self._lock:
            self._abandoned, popen = True, self._popen
        if popen is not None:
            _let_go(popen)
            threading.Thread(target=_reaped, args=(popen,), name="git-reap", daemon=True).start()


async def _abandon(popen: subprocess.Popen[bytes]) -> None:
    """Kill a git we will not read, close its pipes and reap it (in a worker thread)."""
    import asyncio

    _let_go(popen)
    await asyncio.shield(asyncio.to_thread(_reaped, popen))


def _let_go(popen: subprocess.Popen[bytes]) -> None:
    """Kill git and close our ends of its pipes."""
    _kill(popen)
    for pipe in (popen.stdin, popen.stdout, popen.stderr):
        if pipe is not None:
            pipe.close()


def _reaped(popen: subprocess.Popen[bytes]) -> int:
    return popen.wait()


class _Running:
    """A git `_started` started: its process, its deadline (loop time) and its stderr's reader."""

    __slots__ = ("deadline", "proc", "stderr")

    def __init__(self, proc: _Child, deadline: float, stderr: asyncio.Task[str]) -> None:
        self.proc = proc
        self.deadline = deadline
        self.stderr = stderr

    async def succeeded(self, shown: list[str]) -> None:
        """Wait for git to exit; a non-zero status raises GitCommandError with its stderr."""
        returncode = await _before(self.deadline, self.proc.wait(), shown)
        exited(returncode, await self.stderr, shown)


def exited(returncode: int, stderr: str, shown: list[str]) -> None:
    """Raise GitCommandError for a git that did not exit 0, with its stderr."""
    if returncode == LIMITS_FAILED:
        import logging  # here: no log line is written on the way to `mine`'s first git

        message = "git not run: its resource limits could not be set: %s"
        logging.getLogger(__name__).error(message, stderr.strip())
        raise GitCommandError(shown, None, "resource limits could not be set")
    if returncode != 0:
        raise GitCommandError(shown, returncode, stderr, code=classify_failure(stderr))


class _Early:
    """A git `start_early` started, its stdout's read end waiting for `consume`, and its
    deadline (time.monotonic())."""

    __slots__ = ("deadline", "proc", "read_end", "reaped")

    def __init__(self, proc: subprocess.Popen[bytes], read_end: int, deadline: float) -> None:
        self.proc = proc
        self.read_end = read_end
        self.deadline = deadline
        self.reaped = False

    async def consume(
        self, sink: Callable[[bytes], None], block_size: int, shown: list[str]
    ) -> None:
        """What consume does for a git it starts: `sink` gets every block, git must exit 0
        by its deadline, and on any way out git is killed and reaped."""
        import asyncio

        assert self.proc.stderr is not None
        stderr = asyncio.ensure_future(asyncio.to_thread(_capped, self.proc.stderr))
        pump = _Pump(self.read_end, sink, block_size)
        self.read_end = -1  # the pump's thread closes it
        deadline = asyncio.get_running_loop().time() + self.deadline - time.monotonic()
        try:
            await _before(deadline, asyncio.shield(pump.done), shown)
            returncode = await _before(deadline, asyncio.to_thread(self.proc.wait), shown)
            exited(returncode, await stderr, shown)
        finally:
            _kill(self.proc)  # the pump and the stderr reader then meet EOF
            with contextlib.suppress(BaseException):
                await asyncio.shield(pump.done)
            del pump  # see _Pump._run: what sink raised holds this frame
            with contextlib.suppress(BaseException):
                await asyncio.shield(stderr)
            await asyncio.shield(asyncio.to_thread(self.abandon))

    def abandon(self) -> None:
        """Kill and reap git (blocking, briefly: git is killed first)."""
        _kill(self.proc)
        if self.read_end >= 0:
            os.close(self.read_end)
            self.read_end = -1
        self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        if not self.reaped:
            self.reaped = True
            PROCESSES.change(-1)


def _capped(pipe: Any) -> str:
    """A pipe read to its end, the first STDERR_CAP bytes kept."""
    kept = bytearray()
    while chunk := pipe.read(CHUNK_SIZE):
        _keep(kept, chunk)
    return kept.decode("utf-8", "replace")


def _keep(kept: bytearray, chunk: bytes) -> None:
    """Add to `kept` what of `chunk` fits in STDERR_CAP bytes (git's stderr, read to its end)."""
    if len(kept) < STDERR_CAP:
        kept += chunk[: STDERR_CAP - len(kept)]


class _Pump:
    """Reads a pipe to its end in a thread of its own, handing `sink` blocks of BLOCK_SIZE.

    A dedicated thread, not the loop's executor: it lives as long as git does, and a few of them
    must not starve the short jobs other code hands to `asyncio.to_thread`.
    """

    def __init__(self, fd: int, sink: Callable[[bytes], None], block_size: int) -> None:
        import asyncio

        self._loop = asyncio.get_running_loop()
        self.done: asyncio.Future[None] = self._loop.create_future()
        args = (fd, sink, block_size)
        thread = threading.Thread(target=self._run, args=args, name="git-pump", daemon=True)
        thread.start()

    def _run(self, fd: int, sink: Callable[[bytes], None], block_size: int) -> None:
        error: BaseException | None = None
        try:
            _pump(fd, sink, block_size)
        except BaseException as exc:  # handed to the awaiting task, raised there
            error = exc
        finally:
            os.close(fd)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody awaits us
            self._loop.call_soon_threadsafe(self._settle, error)
        # `error`'s traceback holds this frame (and _pump's, whose locals hold the sink and all
        # it holds), and this frame the error and the future it is set on (as consume's frame
        # holds the pump): a reference cycle, left to a GC pass, which stops the event loop
        # (~13k objects per repository mined: the history reader stops its lead by raising).
        # Without the cycle, all is freed as soon as the awaiting task lets go of the error.
        del self, error

    def _settle(self, error: BaseException | None) -> None:
        if self.done.done():
            return
        if error is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(error)


def _pump(fd: int, sink: Callable[[bytes], None], block_size: int) -> None:
    """Blocking reads straight into one buffer; `sink` gets a copy of each full block."""
    buffer = bytearray(block_size)
    view = memoryview(buffer)
    filled = 0
    while read := os.readv(fd, [view[filled:]]):
        filled += read
        if filled == block_size:
            with _SINKS:
                sink(bytes(buffer))
            filled = 0
    if filled:
        with _SINKS:
            sink(bytes(view[:filled]))


def _start_helpers(proc: _Child, input: Stdin) -> list[asyncio.Task[Any]]:
    """Drain stderr (capped) and feed stdin concurrently with our stdout reads: no deadlock."""
    import asyncio

    tasks: list[asyncio.Task[Any]] = [asyncio.create_task(_read_stderr(proc))]
    if input is not None:
        tasks.append(asyncio.create_task(_write_stdin(proc, input)))
    return tasks


async def _read_stderr(proc: _Child) -> str:
    assert proc.stderr is not None
    kept = bytearray()
    while chunk := await proc.stderr.read(CHUNK_SIZE):
        _keep(kept, chunk)
    return kept.decode("utf-8", "replace")


async def _write_stdin(proc: _Child, data: bytes | AsyncIterable[bytes]) -> None:
    """`data` on git's stdin, then its end; an async iterable as it yields (`git diff-tree
    --stdin` reads a commit at a time, and works while the next one is found)."""
    assert proc.stdin is not None
    # git may exit before reading everything (e.g. on error): that is reported via stderr.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        if isinstance(data, bytes):
            proc.stdin.write(data)
        else:
            async for chunk in data:
                proc.stdin.write(chunk)
                await proc.stdin.drain()
        await proc.stdin.drain()
        proc.stdin.close()


def default_processes() -> int:
    """How many git processes read one history (mining/history/split.py): MINING_PROCESSES
    from the environment, else the cores this process may run on."""
    configured = os.environ.get("MINING_PROCESSES", "").strip()
    if configured:
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def child_limits() -> tuple[int, int]:
    """(bytes of address space, seconds of CPU) for every git process: ours, or the hard limit
    this process already runs under when that is lower (only root may raise it, setrlimit(2))."""
    return (
        _within(MEMORY_LIMIT, resource.getrlimit(resource.RLIMIT_AS)[1]),
        _within(CPU_LIMIT, resource.getrlimit(resource.RLIMIT_CPU)[1]),
    )


def _within(limit: int, hard: int) -> int:
    return limit if hard == resource.RLIM_INFINITY else min(limit, hard)


def _kill(proc: _Child | subprocess.Popen[bytes]) -> None:
    """SIGKILL the whole process group unless git already exited and was reaped."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
