"""Reads one repository's history into a HistoryFold: one `git log`, or several at once.

One pass: `git log -z --numstat --find-renames ... --end-of-options <head>` (LOG_ARGS).

Split (Split.processes > 1, for a history long enough to repay another process): the one pass
(the lead) starts at once, and the history is read from both ends by processes that take its
commits until they meet, wherever git's work per commit has put them (Split says how):

- Two processes: beside the lead, `git log --reverse` with the same options prints the same
  commits oldest first (git-log(1)); the two stop where the next commit of either is the last
  the other took (_Ends). No commit list is made: the second reader starts with the lead,
  or, for a history read by one process while others are (Split.spare: a job's repositories
  share the cores), once a core is spare: when the others are read, the one left is read from
  both ends from wherever its lead has got to (flask + sqlalchemy: 14.0 -> 8.0 s).
- More: `git rev-list <head>` lists every commit in the order `git log <head>` prints them
  (both are the same revision walk, git-rev-list(1)). What the lead has not read by then is
  cut into spans (Split.spans), and `git log --no-walk=unsorted --stdin <the same options>`
  prints the commits given on its stdin in that order (git-log(1), --no-walk): the lead reads
  the first span newest first and another process the same span oldest first; a later span
  is read so from both ends by two more processes. The two readers of a span take its commits
  one by one until they meet (_Meet).

Each commit is shown exactly as in the one pass: the same diff against its first parent with
the same rename detection, no diff for a merge, the same .mailmap. The slices' outputs end to
end are the one pass's output byte for byte (a test checks it).

Each slice is folded on its own (sharing one PathCache) and the folds are merged newest first
(HistoryFold.absorb). Parsing and folding run in the runner's reader threads
(GitRunner.consume), never on the event loop; a fold is made when its first output arrives, so
git runs while the path rules load.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from mining.errors import MiningError
from mining.git.runner import BLOCK_SIZE, GitRunner
from mining.git.runner import default_processes as default_processes
from mining.git.sanitize import CleanRepo
from mining.history.split import LIST_MAX_BYTES, list_args, reversed_args
from mining.history.split import SLICE_ARGS as SLICE_ARGS
from mining.history.split import Split as Split
from mining.history.split import cut as cut
from mining.parse import Commit, LogParser
from mining.parse.log import LOG_ARGS as LOG_ARGS  # re-exported: the one pass
from mining.parse.log import history_args
from mining.records import Identity

if TYPE_CHECKING:  # imported when a history is read: the path rules take ~40 ms to load
    from mining.history.fold import HistoryFold, PathCache

# How much output is parsed between two hand-overs of the GIL (about a millisecond of work).
_PARSE_SLICE = 32 * 1024
# How many commits a slice reading oldest first folds at a time (HistoryFold.absorb merges the
# runs: ~10 of them on flask's history). The last run is folded when the readers meet, while the
# other reader is done: ~5 ms of work then.
_RUN = 256
# The blocks the output of a reader that may stop early (either end of a span) is handed over
# in (the runner's default is 256 KiB): git runs ahead of what its reader has folded by one
# block and what the pipe holds, work done past the meeting point in vain (a 256 KiB block is a
# sixth of flask's history: 130 ms of git's CPU, measured; the pipe's size made no difference).
MEETING_BLOCK = _PARSE_SLICE


class _TooLong(Exception):
    """More commits than MAX_LISTED: the history is read in one pass instead."""


async def list_commits(repo: CleanRepo, runner: GitRunner, split: Split) -> bytes | None:
    """`git rev-list <head>` (one hash a line), or None when one pass will read the history."""
    if split.processes <= 1:
        return None
    lines: list[bytes] = []
    held = 0

    def keep(block: bytes) -> None:
        nonlocal held
        held += len(block)
        if held > LIST_MAX_BYTES:
            raise _TooLong
        lines.append(block)

    try:
        await runner.consume(list_args(repo.head or "HEAD"), keep, git_dir=repo.git_dir)
    except _TooLong:
        return None
    return b"".join(lines)


class Seen(Protocol):
    """Where read_history puts the hash of every commit it reads (a list will do)."""

    def extend(self, commits: Iterable[str]) -> None: ...

    def clear(self) -> None: ...


async def read_history(
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    split: Split | None = None,
    seen: Seen | None = None,
    declaring: Seen | None = None,
) -> HistoryFold:
    """Fold the history of `repo.head`: one `git log` pass, or (when the Split asks for it and
    the history is long enough) several processes reading it from both ends (see above).

    The one pass (the lead) starts at once and never waits for another process or a commit
    list; a history too short to split is read by it alone. `seen`, when given, receives the
    hash of every commit read, in no particular order, from the readers' threads (the
    releases are the tags among them: pipeline._history); `declaring`, the hash of every
    commit changing a declaring file as it is folded (HistoryFold's `declaring`)."""
    split = split or Split()
    reading = _Reading(repo, identity, runner, seen, declaring)
    head = history_args(repo.head or "HEAD")
    folds: list[HistoryFold] | None
    if split.ends(repo.objects):
        folds = await _read_ends(reading, head)
    elif split.helped(repo.objects):
        folds = await _read_ends_helped(reading, head, split)
    elif split.lists():
        folds = await _read_split(reading, split, head)
    else:
        folds = await _Slice(reading).folds(head, None)
    if folds is None:  # never seen: git's walks disagree; read it again in one pass
        for hashes in (seen, declaring):
            if hashes is not None:
                hashes.clear()
        folds = await _Slice(reading).folds(head, None)
    return folds[0] if len(folds) == 1 else await asyncio.to_thread(_merge, folds)


async def _read_ends(
    reading: _Reading,
    head: list[str],
    helped: asyncio.Future[None] | None = None,
    ends: _Ends | None = None,
) -> list[HistoryFold] | None:
    """The one pass and the one pass reversed, until they meet: their folds, newest first
    (None: out of order). The reversed pass starts with the one pass, or once `helped` is
    done when given (the two meet wherever the one pass has got to by then)."""
    ends = ends or _Ends()
    lead = asyncio.create_task(_Slice(reading, ends.admits(0)).folds(head))
    readers = [lead]
    async with _cancelled_at_the_end(readers):
        if helped is not None:
            either: list[asyncio.Future[Any]] = [lead, helped]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if not lead.done():
            oldest_first = reversed_args(reading.repo.head or "HEAD")
            other = _Slice(reading, ends.admits(1), backward=True).folds(oldest_first)
            readers.append(asyncio.create_task(other))
        newest = await lead
        if not ends.stopped[0]:  # it read the whole history: the other end has nothing (killed)
            return newest
        older = await readers[1]
        return None if ends.out_of_order else newest + older


async def _read_ends_helped(
    reading: _Reading, head: list[str], split: Split
) -> list[HistoryFold] | None:
    """_read_ends, the reversed pass started once a core of `split.spare` is, if at least
    about half of the history is left then: a second process repays its start (the reversed
    pass walks the whole history before it prints a commit) only over a long rest, not over
    the last tenth of flask's history once requests' is read (~0.1 s of git, while the loop
    of a server waits longer for the GIL: /healthz's p99 up by 2-3 ms, measured). The history's
    length is told by the repository's objects (Split.commits_in)."""
    assert split.spare is not None
    ends = _Ends()
    helped: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def take() -> bool:
        if helped.done() or 2 * ends.taken(0) > split.commits_in(reading.repo.objects):
            return False
        helped.set_result(None)
        return True

    withdraw = split.spare.offer(take)
    try:
        return await _read_ends(reading, head, helped, ends)
    finally:
        withdraw()


async def _read_split(reading: _Reading, split: Split, head: list[str]) -> list[HistoryFold] | None:
    """The lead pass and, once the commits are listed, the other readers of the spans after its
    cut: their folds, newest first (None: out of order)."""
    lead = _Lead()

    async def other(stdin: bytes, meet: _Meet | None, backward: bool) -> list[HistoryFold]:
        admits = None if meet is None else meet.admits
        return await _Slice(reading, admits, backward=backward).folds(list(SLICE_ARGS), stdin)

    tasks = [asyncio.create_task(_Slice(reading, lead.admits).folds(head))]
    async with _cancelled_at_the_end(tasks):
        commits = await list_commits(reading.repo, reading.runner, split)
        readers = lead.cut_after(commits, split) if commits is not None else []
        tasks += [asyncio.create_task(other(*reader)) for reader in readers]
        folds = [fold for folds in await asyncio.gather(*tasks) for fold in folds]
    return None if lead.out_of_order else folds


@contextlib.asynccontextmanager
async def _cancelled_at_the_end(tasks: list[asyncio.Task[Any]]) -> AsyncIterator[None]:
    """Cancel the readers still running on the way out and wait for them: on an error, the
    others' git processes are killed."""
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Reading:
    """What the slices of one history share: the repository, the identity and the runner, one
    PathCache made when the first slice needs it (the path rules take ~40 ms to load: git runs
    meanwhile), and where the hashes read go (read_history's `seen`, `declaring`)."""

    def __init__(
        self,
        repo: CleanRepo,
        identity: Identity | None,
        runner: GitRunner,
        seen: Seen | None,
        declaring: Seen | None = None,
    ) -> None:
        self.repo, self.identity, self.runner, self.seen = repo, identity, runner, seen
        self.declaring = declaring
        self._lock = threading.Lock()
        self._cache: PathCache | None = None

    def paths(self) -> PathCache:
        with self._lock:
            if self._cache is None:
                from mining.history.fold import PathCache

                self._cache = PathCache()
            return self._cache


class _Reached(Exception):
    """A reader met the commits another process reads: it stops there."""


class _Meet:
    """The commits of one span not taken yet by either of its readers, one from each end: each
    takes a commit while any is left, so they stop where they meet, having read the span
    between them exactly once (a reader thread each: under a lock)."""

    def __init__(self, commits: int) -> None:
        self._lock = threading.Lock()
        self._left = commits

    def admits(self, commit: str) -> bool:
        """Whether the reader folds this commit (False: the other end has it)."""
        with self._lock:
            if self._left == 0:
                return False
            self._left -= 1
            return True


class _Ends:
    """Where the two readers of a whole history meet: the one pass, newest first (end 0), and
    the one pass reversed, oldest first (end 1). The second prints the commits of the first in
    the opposite order, each once, so the two have met when the next commit of either is the
    last the other took: each stops there, and every commit has been read exactly once (a
    reader thread each: under a lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: list[str | None] = [None, None]
        self._taken = [0, 0]
        self.stopped = [False, False]  # by the other end

    def admits(self, end: int) -> Callable[[str], bool]:
        """Whether the reader of `end` folds a commit (False: it has met the other end)."""
        other = 1 - end

        def admits(commit: str) -> bool:
            with self._lock:
                if commit == self._last[other]:
                    self.stopped[end] = True
                    return False
                self._last[end] = commit
                self._taken[end] += 1
                return True

        return admits

    def taken(self, end: int) -> int:
        """The commits the reader of `end` has folded so far."""
        with self._lock:
            return self._taken[end]

    @property
    def out_of_order(self) -> bool:
        """The newest end took commits and stopped at the other's, which then read to the end
        of its stream without meeting the newest end's: the two orders disagree, and commits
        were read twice (never seen: git-log(1) says --reverse prints the same commits)."""
        with self._lock:
            return self.stopped[0] and not self.stopped[1] and self._taken[0] > 0


class _Lead:
    """Where the lead (the one pass, started before the commit list is known) must stop.

    The lead's reader thread counts the commits it folds (`admits`); the event loop, once the
    list is known, cuts what the lead has not read yet (`cut_after`) and from then on the lead
    takes commits of the first span's _Meet. Both under one lock, so the cut is always ahead
    of the lead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seen = 0
        self._meet: _Meet | None = None
        self._commits = b""
        self._width = 0
        self._stopped = False
        self._met = False

    @property
    def out_of_order(self) -> bool:
        """The lead stopped at another commit than the one the list has after those it read,
        or read to its end having read fewer than the list: the spans would overlap or leave a
        gap."""
        with self._lock:
            if self._meet is None:
                return False
            if not self._stopped:  # it read all its history
                return self.seen * self._width != len(self._commits)
            return not self._met

    def admits(self, commit: str) -> bool:
        """Whether the lead folds this commit (False: it stops before it)."""
        with self._lock:
            if self._meet is not None and not self._meet.admits(commit):
                # `git log` and `git rev-list` walk alike (git-rev-list(1)); were it not so,
                # read_history would start over (out_of_order).
                at = self.seen * self._width
                self._stopped = True
                self._met = self._commits[at : at + self._width - 1] == commit.encode()
                return False
            self.seen += 1
            return True

    def cut_after(self, commits: bytes, split: Split) -> list[tuple[bytes, _Meet | None, bool]]:
        """The other readers of the spans of what the lead has not read (Split.spans): each
        one's stdin, the _Meet of its span (None for a span read by one process alone), whether
        it reads oldest first. The lead reads the first span newest first. [] when the lead
        reads everything."""
        if not commits:
            return []
        width = commits.index(b"\n") + 1  # hashes are all as long (SHA-1 or SHA-256)
        with self._lock:
            spans = split.spans(commits[self.seen * width :])
            if not spans:
                return []
            meets = [
                _Meet(len(span.commits) // width) if i == 0 or span.both else None
                for i, span in enumerate(spans)
            ]
            self._meet, self._commits, self._width = meets[0], commits, width
        return [
            (stdin, meet, backward)
            for i, (span, meet) in enumerate(zip(spans, meets, strict=True))
            for stdin, backward in span.readers(lead=i == 0)
        ]


class _Slice:
    """One git process's part of a history, folded as it streams.

    The fold is made by the reader thread when the first output arrives: the path rules
    (mining.history.fold) are not needed before, and git runs ahead while they load. A slice
    reading oldest first (`backward`) folds its commits in runs of _RUN, each newest first into
    a fold of its own: a HistoryFold is fed newest first, and absorbs the next older one."""

    def __init__(
        self,
        reading: _Reading,
        admits: Callable[[str], bool] | None = None,
        *,
        backward: bool = False,
    ) -> None:
        self._reading, self._admits, self._backward = reading, admits, backward
        self._parser = LogParser()
        self._folds: list[HistoryFold] = []  # oldest first when backward
        self._run: list[Commit] = []  # backward: commits read, not folded yet, oldest first

    async def folds(self, args: list[str], stdin: bytes | None = None) -> list[HistoryFold]:
        """The slice's folds, newest first."""
        try:
            block = MEETING_BLOCK if self._admits is not None else BLOCK_SIZE
            reading = self._reading
            await reading.runner.consume(
                args, self._consume, git_dir=reading.repo.git_dir, input=stdin, block_size=block
            )
            await asyncio.to_thread(self._finish)
        except _Reached:
            pass
        if not self._folds:
            self._folds.append(self._new_fold())
        return self._folds[::-1] if self._backward else self._folds

    def _new_fold(self) -> HistoryFold:
        from mining.history.fold import HistoryFold

        declaring = self._reading.declaring
        return HistoryFold(
            self._reading.identity,
            self._reading.paths(),
            None if declaring is None else declaring.extend,
        )

    def _consume(self, block: bytes) -> None:  # in the runner's reader thread
        for start in range(0, len(block), _PARSE_SLICE):
            with _readable():
                commits = self._parser.feed(block[start : start + _PARSE_SLICE])
            self._add(commits)
            # Hand the GIL over now: an event loop waiting for it (a server answering a request)
            # takes it at once instead of at the end of the switch interval (5 ms).
            time.sleep(0)

    def _finish(self) -> None:  # in a worker thread: a backward reader's last run is folded
        with _readable():
            last = self._parser.flush()  # at most one commit, the stream's last
        self._add(last)
        self._fold_run()

    def _add(self, commits: list[Commit]) -> None:
        taken = self._taken(commits)
        if self._reading.seen is not None:
            self._reading.seen.extend(commit.hash for commit in taken)
        if self._backward:
            for commit in taken:
                self._run.append(commit)
                if len(self._run) >= _RUN:
                    self._fold_run()
        else:
            if not self._folds:
                self._folds.append(self._new_fold())
            fold = self._folds[0]
            for commit in taken:
                fold.add(commit)
        if len(taken) < len(commits):  # the other end has the next one: stop
            self._fold_run()
            raise _Reached

    def _taken(self, commits: list[Commit]) -> list[Commit]:
        """`commits` up to the first one this slice does not admit."""
        admits = self._admits
        if admits is not None:
            for i, commit in enumerate(commits):
                if not admits(commit.hash):
                    return commits[:i]
        return commits

    def _fold_run(self) -> None:
        if not self._run:
            return
        fold = self._new_fold()
        for commit in reversed(self._run):
            fold.add(commit)
        self._folds.append(fold)
        self._run.clear()


@contextlib.contextmanager
def _readable() -> Iterator[None]:
    """The parser's one error, a ValueError (a crafted commit, e.g. its date), as MiningError."""
    try:
        yield
    except ValueError as exc:
        raise MiningError(f"unreadable history: {exc}", code="CORRUPT") from exc


def _merge(folds: list[HistoryFold]) -> HistoryFold:
    newest, *older = folds
    for fold in older:
        newest.absorb(fold)
    return newest
