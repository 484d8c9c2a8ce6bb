"""Reads one repository's history into a HistoryFold: one `git log`, or several over slices.

One pass: `git log -z --numstat --find-renames ... --end-of-options <head>` (LOG_ARGS).

Split, when `Split.processes` > 1 and the history is long enough to repay another process: the
one pass (the lead) starts at once, and beside it `git rev-list <head>` lists every commit in the
order `git log <head>` prints them (both are the same revision walk, git-rev-list(1)). What the
lead has not read by then is cut into contiguous slices; the lead stops before the first commit
of the second, and `git log --no-walk=unsorted --stdin <the same options>` prints each other
slice's commits in the order given (git-log(1), --no-walk). Each commit is shown exactly as in the
one pass: the same diff against its first parent with the same rename detection, no diff for a
merge, the same .mailmap. The slices' outputs end to end are the one pass's output byte for byte
(a test checks it). The list costs the lead no time (30-40 ms on flask's history), and a
history too short to split is read by the lead alone.

Each slice is folded on its own (sharing one PathCache) and the folds are merged newest first
(HistoryFold.absorb); Split says how a history is cut. Parsing and folding run in the runner's
reader threads (GitRunner.consume), never on the event loop; a fold is made when its first
output arrives, so git runs while the path rules load.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mining.errors import MiningError
from mining.git.runner import BLOCK_SIZE, GitRunner
from mining.git.runner import default_processes as default_processes
from mining.git.sanitize import CleanRepo
from mining.history.split import LIST_MAX_BYTES, list_args
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
# The blocks the lead's output is handed over in (the runner's default is 256 KiB). The lead
# counts what it has folded when the list is cut, and stops when it meets its boundary: git
# runs ahead of that count by up to one block, work done past the boundary in vain (a 256 KiB
# block is a sixth of flask's history: 130 ms of git's CPU, measured), and the cut, not seeing
# that work, leaves the lead more than its share.
LEAD_BLOCK = _PARSE_SLICE


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


async def read_history(
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    split: Split | None = None,
    listed: asyncio.Future[bytes | None] | None = None,
) -> HistoryFold:
    """Fold the history of `repo.head`: one `git log` pass, or (when the Split asks for it and
    the history is long enough) that pass cut short and `git log --no-walk=unsorted --stdin`
    over the rest of the `list_commits` output, in slices.

    The one pass (the lead) starts at once, while `git rev-list` lists the commits: it never
    waits for the list, and a history too short to split is read by it alone. Once the list is
    known, what the lead has not read yet is cut (Split.shares); the lead stops before the
    first commit of the second piece and the other processes read the rest. The commit list
    (None when none was made) is handed to `listed` as soon as it is known."""
    split = split or Split()
    head = history_args(repo.head or "HEAD")
    if split.processes <= 1:
        _announce(listed, None)
        return await _Slice(repo, identity, runner, _Paths()).fold(head, None)
    lead = _Lead()
    folds = await _read_split(repo, identity, runner, split, listed, head, lead)
    if lead.out_of_order:  # never seen: git's two walks disagree; read it again in one pass
        return await _Slice(repo, identity, runner, _Paths()).fold(head, None)
    return folds[0] if len(folds) == 1 else await asyncio.to_thread(_merge, folds)


def _announce(listed: asyncio.Future[bytes | None] | None, commits: bytes | None) -> None:
    if listed is not None:
        listed.set_result(commits)


async def _read_split(
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    split: Split,
    listed: asyncio.Future[bytes | None] | None,
    head: list[str],
    lead: _Lead,
) -> list[HistoryFold]:
    """The lead pass and, once the commits are listed, the slices after its cut: their folds,
    newest first."""
    paths, slots = _Paths(), asyncio.Semaphore(split.processes)

    async def leading() -> HistoryFold:
        try:
            return await _Slice(repo, identity, runner, paths, lead).fold(head, None)
        finally:
            slots.release()  # a tail slice may take its place

    async def one(piece: bytes) -> HistoryFold:
        async with slots:  # FIFO: slices start newest first
            return await _Slice(repo, identity, runner, paths).fold(list(SLICE_ARGS), piece)

    await slots.acquire()
    tasks = [asyncio.create_task(leading())]
    try:
        commits = await list_commits(repo, runner, split)
        _announce(listed, commits)
        rest = lead.cut_after(commits, split) if commits is not None else []
        tasks += [asyncio.create_task(one(piece)) for piece in rest]
        return await asyncio.gather(*tasks)
    finally:
        for task in tasks:  # on an error, the others' git processes are killed
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Paths:
    """One PathCache for the slices of a history, made when the first of them needs it (the
    path rules take ~40 ms to load: git runs meanwhile)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: PathCache | None = None

    def get(self) -> PathCache:
        with self._lock:
            if self._cache is None:
                from mining.history.fold import PathCache

                self._cache = PathCache()
            return self._cache


class _Reached(Exception):
    """The lead met the first commit another process reads: it stops there."""


class _Lead:
    """Where the lead (the one pass, started before the commit list is known) must stop.

    The lead's reader thread counts the commits it folds (`admits`); the event loop, once the
    list is known, cuts what the lead has not read yet (`cut_after`). Both under one lock, so
    the boundary is always ahead of the lead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seen = 0
        self._stop_at: str | None = None
        self._expected = 0
        self._met = False

    @property
    def out_of_order(self) -> bool:
        """The lead did not stop where it was told to, or met its boundary after more or fewer
        commits than the list has before it: the pieces would overlap or leave a gap."""
        with self._lock:
            return self._stop_at is not None and not self._met

    def admits(self, commit: str) -> bool:
        """Whether the lead folds this commit (False: it stops before it)."""
        with self._lock:
            if commit == self._stop_at:
                # `git log` and `git rev-list` walk alike (git-rev-list(1)); were it not so,
                # read_history would start over (out_of_order).
                self._met = self.seen == self._expected
                return False
            self.seen += 1
            return True

    def cut_after(self, commits: bytes, split: Split) -> list[bytes]:
        """The pieces other processes read: what the lead has not read, cut by `split`; the
        lead keeps the first piece. [] when the lead reads everything."""
        shares = split.shares(commits.count(b"\n"))
        if len(shares) <= 1 or not commits:
            return []
        width = commits.index(b"\n") + 1  # hashes are all as long (SHA-1 or SHA-256)
        with self._lock:
            pieces = cut(commits[self.seen * width :], shares)
            if len(pieces) < 2:
                return []
            self._stop_at = pieces[1][: width - 1].decode("ascii")
            self._expected = self.seen + len(pieces[0]) // width
        return pieces[1:]


class _Slice:
    """One git process's part of a history, folded as it streams.

    The fold is made by the reader thread when the first output arrives: the path rules
    (mining.history.fold) are not needed before, and git runs ahead while they load."""

    def __init__(
        self,
        repo: CleanRepo,
        identity: Identity | None,
        runner: GitRunner,
        paths: _Paths,
        lead: _Lead | None = None,
    ) -> None:
        self._repo, self._identity, self._runner = repo, identity, runner
        self._paths, self._lead = paths, lead
        self._parser = LogParser()
        self._fold: HistoryFold | None = None

    async def fold(self, args: list[str], stdin: bytes | None) -> HistoryFold:
        try:
            block = BLOCK_SIZE if self._lead is None else LEAD_BLOCK
            await self._runner.consume(
                args, self._consume, git_dir=self._repo.git_dir, input=stdin, block_size=block
            )
            with _readable():
                last = self._parser.flush()  # at most one commit, the stream's last
            self._add(last)
        except _Reached:
            pass
        return self._folding()

    def _folding(self) -> HistoryFold:
        if self._fold is None:
            from mining.history.fold import HistoryFold

            self._fold = HistoryFold(self._identity, self._paths.get())
        return self._fold

    def _consume(self, block: bytes) -> None:  # in the runner's reader thread
        for start in range(0, len(block), _PARSE_SLICE):
            with _readable():
                commits = self._parser.feed(block[start : start + _PARSE_SLICE])
            self._add(commits)
            # Hand the GIL over now: an event loop waiting for it (a server answering a request)
            # takes it at once instead of at the end of the switch interval (5 ms).
            time.sleep(0)

    def _add(self, commits: list[Commit]) -> None:
        fold, lead = self._folding(), self._lead
        for commit in commits:
            if lead is not None and not lead.admits(commit.hash):
                raise _Reached
            fold.add(commit)


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
