"""How one history is cut between git processes (log_reader.py reads it so): for two, the other
end's command; for more, the commit list's command, the spans it is cut into, the slices'
command. Pure, and light to import: `artifact-miner mine` starts the readers of its first
history before asyncio and the pipeline are imported (mining/launch.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from mining.parse.log_command import LOG_OPTIONS, history_args
from mining.slotted import Slotted

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it as True)
if TYPE_CHECKING:
    from typing import Final

# The slices' command: each is given its commits on stdin and prints them in that order.
SLICE_ARGS = ("log", "--no-walk=unsorted", "--stdin", *LOG_OPTIONS)
# The longest history we list before splitting it (41 bytes a commit held in memory); a longer
# one, far beyond any real project, is read in one streaming pass.
MAX_LISTED = 2_000_000
LIST_MAX_BYTES = 41 * MAX_LISTED


# A history read by two processes is read from both ends when its repository holds this many
# objects a commit of Split.min_commits: real projects hold 7-15 a commit (flask, requests,
# sqlalchemy), so a smaller one holds a history too short to repay the second process.
OBJECTS_PER_COMMIT = 4
# The objects a commit of a real project's history brings, most often (7-15: see above): how
# long a history is, told before it is read (Split.commits_in).
TYPICAL_OBJECTS_PER_COMMIT = 8


def reversed_args(head: str) -> list[str]:
    """The one pass of `head` oldest first: `git log --reverse` prints the commits the one pass
    prints, in the opposite order (git-log(1), --reverse), each exactly as the one pass does."""
    command = history_args(head)
    return [command[0], "--reverse", *command[1:]]


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


class Cores:
    """The cores the histories mined at once share (pipeline.mine_each's): each repository
    holds one from when it is queued until its history is read (`hold`, `release`), and a
    history read by one process offers to take one more (`offer`), from its other end. A core
    is spare once fewer are held than there are: the other histories are read and none
    waits, so the one left (sqlalchemy's, once flask's is read) is no longer read by one
    process while a core idles. Used on the event loop only."""

    __slots__ = ("_cores", "_held", "_offers")

    def __init__(self, cores: int) -> None:
        self._cores = cores
        self._held: set[Hashable] = set()
        self._offers: list[Callable[[], bool]] = []

    def hold(self, holder: Hashable) -> None:
        self._held.add(holder)

    def release(self, holder: Hashable) -> None:
        """`holder`'s core is spare (nothing when it holds none)."""
        if holder in self._held:
            self._held.remove(holder)
            self._grant()

    def offer(self, take: Callable[[], bool]) -> Callable[[], None]:
        """Call `take` once a core is spare; it holds the core when it answers True (False:
        it no longer wants one, and the next offer is asked). The function returned withdraws
        the offer, or releases the core taken (when the history is read)."""
        self._offers.append(take)
        self._grant()

        def withdraw() -> None:
            if take in self._offers:
                self._offers.remove(take)
            self.release(take)

        return withdraw

    def _grant(self) -> None:
        while self._offers and len(self._held) < self._cores:
            take = self._offers.pop(0)
            if take():
                self._held.add(take)


class Split(Slotted):
    """How one history is read: by `processes` git processes at most, and one more from its
    other end when a core of `spare` is (Cores).

    Every history is read from both ends at once, newest first by one process and oldest first
    by another, until the two meet wherever git's work has balanced. git's work per commit
    varies along a history (requests' newer half costs git 1.8x its older half, flask's
    1.2-1.3x, measured), and a cut made in advance cannot know where; two ends meeting need
    not.

    Two processes read the one pass and the same pass reversed (`ends`, `reversed_args`): no
    commit list is needed. More cut the commit list (`list_args`) into spans, equal in commits
    per process, each read so from both ends: the first by the one pass and the span reversed
    on its stdin, the others by two processes given the span on their stdin; with an odd number
    of processes the last span has one reader. A history shorter than `min_commits` takes one
    pass: a second process costs its start-up (and the list its walk), which the work it takes
    over no longer repays.
    """

    __slots__ = ("min_commits", "processes", "spare")

    def __init__(
        self, processes: int = 1, min_commits: int = 1_500, spare: Cores | None = None
    ) -> None:
        self.processes: Final = processes
        self.min_commits: Final = min_commits
        self.spare: Final = spare

    def lists(self) -> bool:
        """Whether a history is cut by its commit list into spans (more than two processes)."""
        return self.processes > 2

    def ends(self, objects: int) -> bool:
        """Whether a history in a repository of `objects` objects (CleanRepo.objects) is read by
        two processes from its two ends, without a commit list."""
        return self.processes == 2 and self._long(objects)

    def helped(self, objects: int) -> bool:
        """Whether a history read by one process takes a second one once a core is spare."""
        return self.processes == 1 and self.spare is not None and self._long(objects)

    @staticmethod
    def commits_in(objects: int) -> int:
        """About how many commits a repository of `objects` objects has (flask 5,800 for
        5,531, requests 5,750 for 6,489, sqlalchemy 34,700 for 18,235)."""
        return objects // TYPICAL_OBJECTS_PER_COMMIT

    def _long(self, objects: int) -> bool:
        return objects >= OBJECTS_PER_COMMIT * self.min_commits

    def spans(self, commits: bytes) -> list[Span]:
        """`commits` (a list_args output, or what the lead has not read of it) cut into the spans
        of the processes, newest first ([]: one pass reads everything)."""
        n = self.processes
        if n <= 1 or commits.count(b"\n") < self.min_commits:
            return []
        pieces = cut(commits, [2 / n] * (n // 2) + [1 / n] * (n % 2))  # by readers
        return [Span(piece, both=i < n // 2) for i, piece in enumerate(pieces)]


class Span(Slotted):
    """A contiguous run of the commit list, newest first, and whether two processes read it from
    both ends (else one reads it all, newest first)."""

    __slots__ = ("both", "commits")

    def __init__(self, commits: bytes, *, both: bool) -> None:
        self.commits: Final = commits
        self.both: Final = both

    def readers(self, *, lead: bool) -> list[tuple[bytes, bool]]:
        """The stdin of each process reading this span beside the lead, and whether it reads
        oldest first: the span newest first unless the lead reads that end, then the span
        oldest first when both ends are read."""
        ends = [] if lead else [(self.commits, False)]
        if self.both:
            ends.append((reversed_lines(self.commits), True))
        return ends


def reversed_lines(commits: bytes) -> bytes:
    """The hashes of `commits` (all as long, one a line) in the opposite order."""
    width = commits.find(b"\n") + 1
    return b"".join(commits[i : i + width] for i in range(len(commits) - width, -1, -width))


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
