"""How one history is cut between git processes (log_reader.py reads it so): the commit list's
command, the cut, the slices' command. Pure, and light to import: `artifact-miner mine` lists and
cuts its first history before asyncio and the pipeline are imported (mining/launch.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from mining.parse.log_command import LOG_OPTIONS
from mining.slotted import Slotted

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it as True)
if TYPE_CHECKING:
    from typing import Final

# The slices' command: each is given its commits on stdin, in the order the one pass prints them.
SLICE_ARGS = ("log", "--no-walk=unsorted", "--stdin", *LOG_OPTIONS)
# The longest history we list before splitting it (41 bytes a commit held in memory); a longer
# one, far beyond any real project, is read in one streaming pass.
MAX_LISTED = 2_000_000
LIST_MAX_BYTES = 41 * MAX_LISTED


def list_args(head: str) -> list[str]:
    """`git rev-list <head>`: every commit, one hash a line, in the order `git log <head>` prints
    them (both are the same revision walk, git-rev-list(1))."""
    return ["rev-list", "--end-of-options", head]


def processes_for(histories: int, concurrency: int, cores: int) -> int:
    """git processes per history when `histories` are read, `concurrency` at once, on `cores`:
    the cores shared among the histories read at once. A split costs git more CPU in all
    (each slice starts cold), repaid only by a core that would otherwise wait: two
    repositories on two cores take one process each (bench/e2e_bench.py: the same time, and
    /healthz's p99 down by a third with half the git processes and their readers)."""
    return max(1, cores // max(1, min(histories, concurrency)))


class Split(Slotted):
    """How one history is read: by `processes` git processes at most.

    A history shorter than `min_commits` takes one pass: a second process costs its start-up and
    the rev-list walk, which the work it takes over no longer repays. Otherwise each process
    reads one slice, equal in commits. From `tail_from` commits on, the processes first share
    all but `tail` of the history and then the rest in as many smaller slices, each taken by
    the first process free: git's work per commit varies along a history (sqlalchemy's newer
    half costs git 1.6x its older half). No more slices than that: each costs a git start
    (2-4 % of git's CPU apiece on flask's history, measured: bench/).
    """

    __slots__ = ("min_commits", "processes", "tail", "tail_from")

    def __init__(
        self,
        processes: int = 1,
        min_commits: int = 1_500,
        tail_from: int = 10_000,
        tail: float = 0.3,
    ) -> None:
        self.processes: Final = processes
        self.min_commits: Final = min_commits
        self.tail_from: Final = tail_from
        self.tail: Final = tail

    def shares(self, commits: int) -> tuple[float, ...]:
        """The fraction of the commits each slice gets, newest first ((1.0,): one pass)."""
        n = self.processes
        if n <= 1 or commits < self.min_commits:
            return (1.0,)
        if commits < self.tail_from:
            return (1 / n,) * n
        return ((1 - self.tail) / n,) * n + (self.tail / n,) * n

    def pieces(self, commits: bytes) -> list[bytes]:
        """`commits` (a list_args output) cut into the slices of `shares`, newest first."""
        return cut(commits, self.shares(commits.count(b"\n")))


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
