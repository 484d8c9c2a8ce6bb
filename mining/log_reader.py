"""Reads one repository's history into a HistoryFold: one `git log`, or several over slices.

One pass: `git log -z --numstat --find-renames ... --end-of-options <head>` (LOG_ARGS).

Split, when `Split.processes` > 1 and the history is long enough to repay another process:
`git rev-list <head>` lists every commit in the order `git log <head>` prints them (both are the
same revision walk, git-rev-list(1)); the list is cut into contiguous slices, and
`git log --no-walk=unsorted --stdin <the same options>` prints each slice's commits in the order
given (git-log(1), --no-walk). Each commit is shown exactly as in the one pass: the same diff
against its first parent with the same rename detection, no diff for a merge, the same .mailmap.
The slices' outputs end to end are the one pass's output byte for byte (a test checks it).

Each slice is folded on its own (sharing one PathCache) and the folds are merged newest first
(HistoryFold.absorb); Split says how a history is cut. Parsing and folding run in the runner's
reader threads (GitRunner.consume), never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mining.errors import MiningError
from mining.git import GitRunner
from mining.parse import LOG_FORMAT, LogParser
from mining.records import Identity
from mining.sanitize import CleanRepo

if TYPE_CHECKING:  # imported when a history is read: the path rules take ~40 ms to load
    from mining.history import HistoryFold, PathCache

LOG_OPTIONS = (
    "-z",
    "--numstat",
    "--find-renames",
    "--no-textconv",
    "--no-ext-diff",
    "--no-show-signature",
    "--no-color",
    f"--format={LOG_FORMAT}",
)
LOG_ARGS = ("log", *LOG_OPTIONS)
SLICE_ARGS = ("log", "--no-walk=unsorted", "--stdin", *LOG_OPTIONS)

# The longest history we list before splitting it (41 bytes a commit held in memory); a longer
# one, far beyond any real project, is read in one streaming pass.
MAX_LISTED = 2_000_000
# How much output is parsed between two hand-overs of the GIL (about a millisecond of work).
_PARSE_SLICE = 32 * 1024


def default_processes() -> int:
    """MINING_PROCESSES from the environment, else the cores this process may run on."""
    configured = os.environ.get("MINING_PROCESSES", "").strip()
    if configured:
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Split:
    """How one history is read: by `processes` git processes at most.

    A history shorter than `min_commits` takes one pass: a second process costs its start-up and
    the rev-list walk, which the work it takes over no longer repays. Otherwise each process
    reads one slice, equal in commits. From `tail_from` commits on, the processes first share
    all but `tail` of the history and then the rest in as many smaller slices, each taken by
    the first process free: git's work per commit varies along a history (sqlalchemy's newer
    half costs git 1.6x its older half). No more slices than that: each costs a git start
    (2-4 % of git's CPU apiece on flask's history, measured: bench/).
    """

    processes: int = 1
    min_commits: int = 1_500
    tail_from: int = 10_000
    tail: float = 0.3

    def shares(self, commits: int) -> tuple[float, ...]:
        """The fraction of the commits each slice gets, newest first ((1.0,): one pass)."""
        n = self.processes
        if n <= 1 or commits < self.min_commits:
            return (1.0,)
        if commits < self.tail_from:
            return (1 / n,) * n
        return ((1 - self.tail) / n,) * n + (self.tail / n,) * n


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
        if held > 41 * MAX_LISTED:
            raise _TooLong
        lines.append(block)

    args = ["rev-list", "--end-of-options", repo.head or "HEAD"]
    try:
        await runner.consume(args, keep, git_dir=repo.git_dir)
    except _TooLong:
        return None
    return b"".join(lines)


def cut(commits: bytes, shares: Sequence[float]) -> list[bytes]:
    """Contiguous runs of whole lines, about `shares` of the bytes each (empty ones dropped)."""
    pieces, start, reached = [], 0, 0.0
    for share in shares[:-1]:
        reached += share
        end = commits.find(b"\n", max(0, int(len(commits) * reached) - 1)) + 1
        if end > start:
            pieces.append(commits[start:end])
            start = end
    pieces.append(commits[start:])
    return [p for p in pieces if p]


async def read_history(
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    commits: bytes | None = None,
    split: Split | None = None,
) -> HistoryFold:
    """Fold the history of `repo.head`: one `git log` pass, or (given the `list_commits` output
    and a Split that asks for it) `git log --no-walk=unsorted --stdin` over slices of it."""
    from mining.history import PathCache

    split = split or Split()
    shares = split.shares(commits.count(b"\n")) if commits else (1.0,)
    if commits is None or len(shares) <= 1:
        args = [*LOG_ARGS, "--end-of-options", repo.head or "HEAD"]
        return await _fold(args, None, repo, identity, runner, PathCache())
    paths, slots = PathCache(), asyncio.Semaphore(split.processes)

    async def one(piece: bytes) -> HistoryFold:
        async with slots:  # FIFO: slices start newest first
            return await _fold(list(SLICE_ARGS), piece, repo, identity, runner, paths)

    folds = await asyncio.gather(*(one(piece) for piece in cut(commits, shares)))
    return await asyncio.to_thread(_merge, folds)


async def _fold(
    args: list[str],
    stdin: bytes | None,
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    paths: PathCache,
) -> HistoryFold:
    from mining.history import HistoryFold

    parser, fold = LogParser(), HistoryFold(identity, paths)

    def consume(block: bytes) -> None:  # in the runner's reader thread
        for start in range(0, len(block), _PARSE_SLICE):
            with _readable():
                commits = parser.feed(block[start : start + _PARSE_SLICE])
            for commit in commits:
                fold.add(commit)
            # Hand the GIL over now: an event loop waiting for it (a server answering a request)
            # takes it at once instead of at the end of the switch interval (5 ms).
            time.sleep(0)

    await runner.consume(args, consume, git_dir=repo.git_dir, input=stdin)
    with _readable():
        last = parser.flush()  # at most one commit, the stream's last
    for commit in last:
        fold.add(commit)
    return fold


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
