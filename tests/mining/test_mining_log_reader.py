"""A history read by several git processes over slices equals the one pass exactly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from mining import pipeline
from mining.errors import MiningError
from mining.git.discover import discover
from mining.git.runner import GitRunner, HardenedGitRunner, running_processes
from mining.git.sanitize import CleanRepo
from mining.history import log_reader
from mining.history.log_reader import LOG_ARGS, SLICE_ARGS, Split, cut, list_commits, read_history
from mining.history.split import Cores, processes_for, reversed_args, reversed_lines
from mining.pipeline import mine_project, read_releases
from mining.records import Identity
from tests.mining.repo_builder import Factory, Repo

PEOPLE = [
    ("Alice Doe", "alice@example.com"),
    ("alice", "Alice@Old.example"),  # the same person: .mailmap maps it onto the line above
    ("Bob", "bob@x.com"),
    ("Zoë Ünal", "zoe@example.com"),
    ("Jim Bob", "jimbob@x.com"),
    ("Robert", "BOB@x.com"),  # Bob's older name: the newest one is shown
]
MAILMAP = b"Alice Doe <alice@example.com> <alice@old.example>\n"
T0 = 1_700_000_000


def _blob(path: str, data: bytes) -> bytes:
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def _commit(ref: str, mark: int, person: tuple[str, str], when: int) -> bytes:
    name, email = person
    stamp = f"{name} <{email}> {when} +0000\n"
    return f"commit {ref}\nmark :{mark}\nauthor {stamp}committer {stamp}data 2\nc\n".encode()


def _kept(k: int) -> bytes:
    return "".join(f"value_{k}_{line} = {line}\n" for line in range(12)).encode()


def history_stream(commits: int = 90) -> bytes:
    """fast-import(1) input: a main line with a side branch merged every 9 commits, a file renamed
    (and edited) every 7, a manifest changed every 4, binary files, non-ASCII paths, six
    addresses of four people, a .mailmap, a second root merged in, and dates out of order (the
    walk is not by date)."""
    # The orphan root is dated after everything: the walk prints it in the middle, not last.
    out = [_commit("refs/heads/orphan", 1, PEOPLE[4], T0 + 10**6), _blob("other/x.c", b"int x;\n")]
    out.append(b"\n")
    previous = 0
    for n in range(2, commits + 2):
        side = n % 9 == 0
        ref = "refs/heads/side" if side else "refs/heads/main"
        when = T0 + n * 3600 + (50_000 if n % 11 == 0 else 0)
        person = PEOPLE[n % 5] if n % 5 != 2 or n > 50 else PEOPLE[5]
        out.append(_commit(ref, n, person, when))
        if side:
            out.append(f"from :{previous}\n".encode())
        elif previous:
            out.append(f"from :{previous}\n".encode())
            if (n - 1) % 9 == 0:
                out.append(f"merge :{n - 1}\n".encode())
            if n == 40:
                out.append(b"merge :1\n")  # a second root joins the history
        body = "".join(f"line {k} of file {n % 13}\n" for k in range(n % 17 + 3)).encode()
        out.append(_blob(f"src/m{n % 13}.py", body))
        out.append(_blob(f"docs/naïve {n % 5}.md", body[: n % 40 + 1]))
        if n % 5 == 0:
            out.append(
                _blob(f"img/logo{n % 3}.png", b"\x89PNG\r\n\x1a\n\0" + bytes([n % 256]) * 40)
            )
        if n % 7 == 0 and not side and n // 7 < 20:  # renamed (each kept file once), edited
            out.append(f"R keep/f{n // 7}.py lib/moved{n}.py\n".encode())
            out.append(_blob(f"lib/moved{n}.py", _kept(n // 7) + b"edited = True\n"))
        if n == 2:
            out += [_blob(f"keep/f{k}.py", _kept(k)) for k in range(20)]
        if n == 3:
            out.append(_blob(".mailmap", MAILMAP))
        if n % 4 == 0:  # a declaring file: its commits are kept (the manifests' diffs)
            out.append(_blob("pyproject.toml", b"[project]\nversion = %d\n" % n))
        if n == 30:  # numstat "0 0": a kind of work seen with zero lines is still listed
            out.append(_blob("tests/test_empty.py", b""))
        out.append(b"\n")
        if not side:
            previous = n
    return b"".join(out)


@pytest.fixture
def rich(repos: Factory) -> Repo:
    repo = repos.repo("rich")
    repo.git("fast-import", "--quiet", input=history_stream())
    repo.git("reset", "-q", "--hard", "main")
    return repo


def clean(repo: Repo) -> CleanRepo:
    return CleanRepo(repo.path / ".git", repo.git("rev-parse", "HEAD"), 0, False)


FORCED = [
    Split(processes=2, min_commits=0),
    Split(processes=3, min_commits=0),
    Split(processes=4, min_commits=0),
]


@pytest.mark.parametrize("split", FORCED)
@pytest.mark.parametrize("run", [256, 3])  # commits folded at a time oldest first
async def test_split_history_equals_the_one_pass(
    rich: Repo, runner: GitRunner, split: Split, run: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_reader, "_RUN", run)
    repo, identity = clean(rich), Identity.of("alice@old.example", "bob@x.com")
    read_once, declaring_once = list[str](), list[str]()
    one = await read_history(repo, identity, runner, seen=read_once, declaring=declaring_once)
    read_split, declaring_split = list[str](), list[str]()
    many = await read_history(repo, identity, runner, split, read_split, declaring_split)
    commits = await list_commits(repo, runner, split)
    assert commits is not None
    assert split.ends(repo.objects) or split.spans(commits)  # split, not one pass
    assert sorted(read_split) == sorted(read_once) == sorted(commits.decode().split())
    assert many.total == one.total == commits.count(b"\n")
    assert many.history(tags=3) == one.history(tags=3)
    assert many.root_commit == one.root_commit
    changed = rich.git("log", "--no-merges", "--format=%H", "HEAD", "--", "pyproject.toml")
    assert set(changed.split()) <= set(declaring_once)
    assert sorted(declaring_split) == sorted(declaring_once)  # each once
    history = one.history()
    assert history.merges >= 10
    authors = {a.email: a.name for a in history.collaboration.authors}
    assert authors["bob@x.com"] == "Bob"
    assert len(authors) == 4  # six addresses: one .mailmap'd away, one differs in case only
    assert one.root_commit == rich.git("rev-list", "--max-parents=0", "HEAD").split()[-1]


def tagged(repo: Repo, *, nested: bool) -> CleanRepo:
    """Tags that --merged=HEAD keeps (lightweight, annotated, on a merged side commit) and drops
    (on a commit HEAD does not reach, on a tree), and with `nested` a tag of a tag."""
    env = {"GIT_COMMITTER_DATE": "@1700500000 +0000"}
    repo.git("tag", "light", "main~3")
    repo.git("tag", "-a", "-m", "annotated", "annotated", "main~5", env=env)
    repo.git("tag", "side", "side")
    unmerged = repo.git("commit-tree", "-p", "HEAD", "-m", "unmerged", "HEAD^{tree}")
    repo.git("tag", "unmerged", unmerged)
    repo.git("tag", "tree", "HEAD^{tree}")
    if nested:
        repo.git("tag", "-a", "-m", "outer", "outer", "annotated", env=env)
    tags = len(repo.git("tag", "--list").split())
    return CleanRepo(repo.path / ".git", repo.git("rev-parse", "HEAD"), tags, False)


@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize("split", [Split(processes=1), *FORCED[:2]])
async def test_releases_among_the_commits_read_equal_merged(
    rich: Repo, runner: GitRunner, nested: bool, split: Split
) -> None:
    repo = tagged(rich, nested=nested)
    seen: list[str] = []
    await read_history(repo, None, runner, split, seen)
    merged = await read_releases(repo, runner)
    assert len(merged) == (4 if nested else 3)  # light, annotated, side (+ outer)
    targets = await pipeline.read_tag_targets(repo, runner)
    assert (targets is None) == nested  # a tag of a tag is left to --merged
    assert await read_releases(repo, runner, seen, targets) == merged
    if targets is not None:  # each tag's commit, on HEAD's history or not
        assert len(targets) == 4  # light, annotated, side, unmerged (not the tree's)
        assert await read_releases(repo, runner, seen[:0], targets) == ()


async def test_the_slices_print_the_one_pass_byte_for_byte(rich: Repo, runner: GitRunner) -> None:
    repo = clean(rich)
    one = await runner.run([*LOG_ARGS, repo.head or ""], git_dir=repo.git_dir, max_bytes=1 << 24)
    assert b"\t\0keep/f" in one  # renames: "added TAB deleted TAB NUL old NUL new NUL"
    assert b"-\t-\timg/logo" in one  # binary files
    commits = await list_commits(repo, runner, FORCED[1])
    assert commits is not None
    pieces = cut(commits, (0.5, 0.2, 0.1, 0.1, 0.1))
    outputs = [
        await runner.run(list(SLICE_ARGS), git_dir=repo.git_dir, input=p, max_bytes=1 << 24)
        for p in pieces
    ]
    assert b"".join(outputs) == one
    assert len(pieces) == 5
    oldest_first = await runner.run(
        list(SLICE_ARGS), git_dir=repo.git_dir, input=reversed_lines(commits), max_bytes=1 << 24
    )
    records = oldest_first.split(b"\x1e")[1:]  # each commit's record starts with one
    assert b"".join(b"\x1e" + r for r in reversed(records)) == one
    reversed_pass = await runner.run(
        reversed_args(repo.head or ""), git_dir=repo.git_dir, max_bytes=1 << 24
    )
    assert reversed_pass == oldest_first  # the other end of two processes: the same records


@pytest.mark.parametrize("split", [FORCED[0], FORCED[2]])
async def test_mining_with_several_processes_gives_the_same_report(
    rich: Repo, upload: Path, runner: GitRunner, split: Split
) -> None:
    tagged(rich, nested=False)
    [project] = discover(upload)
    identity = Identity.of("zoe@example.com")
    one = await mine_project(project, identity, runner, split=Split(processes=1))
    many = await mine_project(project, identity, runner, split=split)
    assert many == one
    assert one.history is not None
    assert one.history.user is not None
    assert one.history.user.commits > 10
    assert (one.history.tags, len(one.history.tag_dates)) == (3, 3)


async def test_mining_leaves_no_cyclic_garbage(
    rich: Repo, upload: Path, runner: GitRunner, cyclic_garbage: Callable[[], list[object]]
) -> None:
    """Every fold, commit and path of a mined history is freed when the report is made, not
    left in reference cycles for a GC pass (one stops the event loop for ~10 ms a repository)."""
    [project] = discover(upload)
    report = await mine_project(project, Identity.of("zoe@example.com"), runner, split=FORCED[1])
    assert report.history is not None
    ours = [o for o in cyclic_garbage() if type(o).__module__.startswith("mining.")]
    assert ours == []


async def test_an_endless_history_is_read_in_one_pass(
    rich: Repo, runner: GitRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_reader, "LIST_MAX_BYTES", 41 * 10)  # ten commits
    assert await list_commits(clean(rich), runner, FORCED[0]) is None
    assert await list_commits(clean(rich), runner, Split(processes=1)) is None


def test_cut_keeps_whole_lines_in_order() -> None:
    lines = b"".join(b"%040x\n" % n for n in range(10))
    for parts in range(1, 14):
        pieces = cut(lines, (1 / parts,) * parts)
        assert b"".join(pieces) == lines
        assert all(p.endswith(b"\n") and len(p) % 41 == 0 for p in pieces)
        assert len(pieces) == min(parts, 10)
    assert [len(p) // 41 for p in cut(lines, (0.35, 0.35, 0.15, 0.15))] == [4, 3, 2, 1]
    assert cut(b"", (0.5, 0.5)) == []


def hashes(n: int) -> bytes:
    return b"".join(b"%040x\n" % i for i in range(n))


@pytest.mark.parametrize(
    ("split", "commits", "spans"),
    [
        (Split(processes=1), 100_000, []),
        (Split(processes=2), 1_000, []),  # short: one process
        (Split(processes=2), 5_000, [(5_000, True)]),
        (Split(processes=3, min_commits=0), 9, [(6, True), (3, False)]),
        (Split(processes=4, min_commits=0), 10, [(5, True), (5, True)]),
    ],
)
def test_how_a_history_is_cut(split: Split, commits: int, spans: list[tuple[int, bool]]) -> None:
    cut_into = split.spans(hashes(commits))
    assert [(len(s.commits) // 41, s.both) for s in cut_into] == spans
    assert b"".join(s.commits for s in cut_into) == (hashes(commits) if spans else b"")


def test_a_span_is_read_from_both_ends() -> None:
    first, second = Split(processes=4, min_commits=0).spans(hashes(10))
    oldest_first = b"".join(reversed(hashes(10)[: 41 * 5].splitlines(keepends=True)))
    assert first.readers(lead=True) == [(oldest_first, True)]
    assert [backward for _, backward in second.readers(lead=False)] == [False, True]
    assert second.readers(lead=False)[0][0] == hashes(10)[41 * 5 :]


@pytest.mark.parametrize(
    ("histories", "concurrency", "cores", "processes"),
    [
        (1, 4, 2, 2),  # one repository: every core
        (2, 4, 2, 1),  # two at once on two cores: one each
        (2, 1, 2, 2),  # one at a time
        (3, 2, 8, 4),
        (5, 4, 2, 1),
        (0, 4, 2, 2),
    ],
)
def test_the_cores_are_shared_among_the_histories_read_at_once(
    histories: int, concurrency: int, cores: int, processes: int
) -> None:
    assert processes_for(histories, concurrency, cores) == processes


def test_default_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINING_PROCESSES", "3")
    assert log_reader.default_processes() == 3
    monkeypatch.setenv("MINING_PROCESSES", "")
    assert log_reader.default_processes() >= 1


def test_the_lead_and_the_other_end_meet_however_far_the_lead_has_read() -> None:
    commits = hashes(10)
    listed = [line.decode() for line in commits.split()]
    lead = log_reader._Lead()
    assert all(lead.admits(h) for h in listed[:4])  # read before the list was known
    [(stdin, meet, backward)] = lead.cut_after(commits, Split(processes=2, min_commits=0))
    assert backward
    assert stdin.split() == commits[41 * 4 :].split()[::-1]  # what the lead had not read
    assert all(meet.admits(h) for h in listed[9:6:-1])  # the other end takes three
    assert all(lead.admits(h) for h in listed[4:7])  # and the lead as many
    assert not meet.admits(listed[6])
    assert not lead.admits(listed[7])  # met: the other end has it
    assert not lead.out_of_order


@pytest.mark.parametrize("first", range(11))
def test_the_two_ends_meet_wherever_they_are(first: int) -> None:
    """Each end takes commits in turn (the newest end `first` of them first): every commit is
    taken exactly once, each end stops at the other's last, and the ends are as read."""
    listed = [f"{n:040x}" for n in range(10)]
    ends = log_reader._Ends()
    newest, oldest = ends.admits(0), ends.admits(1)
    taken: list[str] = []
    queue, stopped = [list(listed), listed[::-1]], [False, False]
    for end in [0] * first + [1, 0] * 10:
        if stopped[end] or not queue[end]:
            continue
        commit = queue[end].pop(0)
        if (newest if end == 0 else oldest)(commit):
            taken.append(commit)
        else:
            stopped[end] = True
    assert sorted(taken) == listed
    assert all(stopped) or not queue[0] or not queue[1]


def test_an_end_that_has_read_everything_stops_the_other_at_once() -> None:
    listed = [f"{n:040x}" for n in range(5)]
    ends = log_reader._Ends()
    assert all(ends.admits(0)(h) for h in listed)
    assert not ends.admits(1)(listed[-1])  # the oldest: the newest end's last


def test_a_lead_that_meets_the_other_end_elsewhere_is_out_of_order() -> None:
    commits = hashes(10)
    lead = log_reader._Lead()
    [(_, meet, _)] = lead.cut_after(commits, Split(processes=2, min_commits=0))
    assert all(meet.admits("") for _ in range(9))
    assert lead.admits(commits[:40].decode())
    assert not lead.admits(commits[41 * 5 : 41 * 5 + 40].decode())  # git printed another one
    assert lead.out_of_order
    assert log_reader._Lead().cut_after(commits, Split(processes=1)) == []


def test_a_lead_that_reads_all_its_history_before_the_other_end_starts_is_in_order() -> None:
    commits = hashes(10)
    lead = log_reader._Lead()
    lead.cut_after(commits, Split(processes=2, min_commits=0))
    assert all(lead.admits(line.decode()) for line in commits.split())
    assert not lead.out_of_order


def test_a_span_read_by_one_process_alone_is_read_to_its_end() -> None:
    commits = hashes(9)
    readers = log_reader._Lead().cut_after(commits, Split(processes=3, min_commits=0))
    assert [
        (len(stdin) // 41, meet is not None, backward) for stdin, meet, backward in readers
    ] == [
        (6, True, True),  # the lead's span, from its other end: they meet
        (3, False, False),  # nothing to meet: no stop, the large blocks
    ]


class Held(HardenedGitRunner):
    """A runner whose reader of one end of a history waits until the other end's is done: the
    two ends met in their most lopsided ways."""

    def __init__(self, waiting: str, ceiling: Path) -> None:
        super().__init__(ceiling=ceiling)
        self.waiting = waiting  # "--reverse" (the oldest end) or "" (the newest)
        self.done = {end: asyncio.Event() for end in ("--reverse", "")}

    async def consume(self, args: Sequence[str], sink: Any, **options: Any) -> None:
        end = "--reverse" if "--reverse" in args else ""
        if end == self.waiting:
            await self.done["" if end else "--reverse"].wait()
        try:
            await super().consume(args, sink, **options)
        finally:
            self.done[end].set()


@pytest.mark.parametrize("waiting", ["--reverse", ""])
@pytest.mark.parametrize("commits", [1, 2, 3, 90])
async def test_either_end_may_read_the_whole_history_first(
    repos: Factory, upload: Path, runner: GitRunner, waiting: str, commits: int
) -> None:
    repo = repos.repo("short")
    repo.git("fast-import", "--quiet", input=history_stream(commits))
    repo.git("reset", "-q", "--hard", "main")
    once: list[str] = []
    one = await read_history(clean(repo), None, runner, seen=once)
    held = Held(waiting, upload)
    try:
        both: list[str] = []
        many = await read_history(clean(repo), None, held, FORCED[0], both)
        assert running_processes() == 0  # the end that had nothing to read was killed
    finally:
        held.close()
    assert sorted(both) == sorted(once) == sorted(repo.git("rev-list", "HEAD").split())
    assert (many.total, many.history(), many.root_commit) == (
        one.total,
        one.history(),
        one.root_commit,
    )


@pytest.mark.parametrize("failing", ["--reverse", ""])
async def test_an_error_at_an_end_with_commits_to_read_stops_the_other(
    rich: Repo, upload: Path, runner: GitRunner, failing: str
) -> None:
    """The newest end failing fails the read. The oldest end failing before it took anything
    does not: the newest end then reads the whole history, alone."""

    class Failing(Held):  # the other end waits until the failing one is done
        async def consume(self, args: Sequence[str], sink: Any, **options: Any) -> None:
            def fail(block: bytes) -> None:
                raise MiningError("unreadable history", code="CORRUPT")

            end = "--reverse" if "--reverse" in args else ""
            await super().consume(args, fail if end == failing else sink, **options)

    one = await read_history(clean(rich), None, runner)
    failing_runner = Failing("" if failing else "--reverse", upload)
    try:
        if failing:
            many = await read_history(clean(rich), None, failing_runner, FORCED[0])
            assert many.history() == one.history()
        else:
            with pytest.raises(MiningError):
                await read_history(clean(rich), None, failing_runner, FORCED[0])
        assert running_processes() == 0
    finally:
        failing_runner.close()


def test_two_ends_whose_orders_disagree_are_out_of_order() -> None:
    listed = [f"{n:040x}" for n in range(6)]
    ends = log_reader._Ends()
    newest, oldest = ends.admits(0), ends.admits(1)
    assert all(oldest(h) for h in listed[:2])  # "oldest first", but in the newest end's order
    assert newest(listed[0])
    assert not newest(listed[1])  # met the other end's last
    assert all(oldest(h) for h in listed[2:])  # and it read on past the newest end's commit
    assert ends.out_of_order
    agreeing = log_reader._Ends()
    assert all(agreeing.admits(1)(h) for h in listed[::-1])  # read everything first
    assert not agreeing.admits(0)(listed[0])
    assert not agreeing.out_of_order


async def test_the_tags_commits_are_kept_once_they_are_named() -> None:
    named: asyncio.Future[list[tuple[str, bytes]] | None] = asyncio.Future()
    tagged = pipeline._TagCommits(named)
    tagged.extend(["a", "b"])  # before for-each-ref answers: every commit
    named.set_result([("b", b"1"), ("d", b"2")])
    await asyncio.sleep(0)  # the future's callbacks run
    tagged.extend(["c", "d"])
    assert tagged.found() == {"b", "d"}
    unlisted: asyncio.Future[list[tuple[str, bytes]] | None] = asyncio.Future()
    nothing = pipeline._TagCommits(unlisted)
    unlisted.set_result(None)  # a tag of a tag: --merged decides, no commit is kept
    await asyncio.sleep(0)
    nothing.extend(["a"])
    assert nothing.found() == set()


def test_a_spare_core_goes_to_the_first_offer_once_fewer_are_held_than_there_are() -> None:
    cores, taken = Cores(2), list[str]()

    def offer(name: str, *, takes: bool = True) -> Callable[[], None]:
        def take() -> bool:
            taken.append(name)
            return takes

        return cores.offer(take)

    cores.hold("flask")
    cores.hold("requests")
    flask_done = offer("flask")
    requests_done = offer("requests")
    assert taken == []  # both histories are read, one process each: no core is spare
    cores.release("requests")  # its history is read
    cores.release("requests")  # again (its repository is mined): nothing more
    assert taken == ["flask"]  # flask's history takes the core requests held
    requests_done()  # its offer withdrawn, never taken
    flask_done()  # flask's history is read: both its cores are spare
    cores.release("flask")
    offer("late")()
    assert taken == ["flask", "late"]  # nothing held: taken at once
    cores.hold("other")
    declined, wanting = offer("declined", takes=False), offer("wanting")
    assert taken == ["flask", "late", "declined", "wanting"]  # one said no: the next took it
    declined()
    wanting()


class Late(HardenedGitRunner):
    """A runner whose newest end of a history, once it has folded its first block, frees the
    core `other` held and, when `waits`, folds no more until the oldest end (started then)
    has folded one: the second process joins a history read halfway."""

    def __init__(self, ceiling: Path, cores: Cores, *, waits: bool) -> None:
        super().__init__(ceiling=ceiling)
        self.cores, self.waits = cores, waits
        self.joined = asyncio.Event()

    async def consume(self, args: Sequence[str], sink: Any, **options: Any) -> None:
        loop = asyncio.get_running_loop()
        if "--reverse" in args:

            def other(block: bytes) -> None:
                try:
                    sink(block)
                finally:
                    loop.call_soon_threadsafe(self.joined.set)

            return await super().consume(args, other, **options)
        blocks: asyncio.Queue[bytes | None] = asyncio.Queue()

        async def read() -> None:
            try:

                def handed(block: bytes) -> None:
                    loop.call_soon_threadsafe(blocks.put_nowait, block)

                await super(Late, self).consume(args, handed, **options)
            finally:
                blocks.put_nowait(None)

        reading = asyncio.ensure_future(read())
        try:
            first = True
            while (block := await blocks.get()) is not None:
                await asyncio.to_thread(sink, block)
                if first:
                    first = False
                    self.cores.release("other")
                    if self.waits:
                        await asyncio.wait_for(self.joined.wait(), 60)
        finally:
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)


@pytest.mark.parametrize("objects", [10**6, 0])  # most of the history left, or hardly any
async def test_a_history_read_by_one_process_takes_a_spare_core_halfway(
    rich: Repo, upload: Path, runner: GitRunner, monkeypatch: pytest.MonkeyPatch, objects: int
) -> None:
    monkeypatch.setattr(log_reader, "MEETING_BLOCK", 2048)  # many blocks to meet between
    identity = Identity.of("alice@old.example", "bob@x.com")
    repo = CleanRepo(rich.path / ".git", rich.git("rev-parse", "HEAD"), 0, False, objects)
    once: list[str] = []
    one = await read_history(repo, identity, runner, seen=once)
    cores = Cores(2)
    cores.hold("rich")  # this history's core, as mine_each holds it
    cores.hold("other")  # and another repository's, read meanwhile
    late = Late(upload, cores, waits=bool(objects))
    try:
        both: list[str] = []
        split = Split(processes=1, min_commits=0, spare=cores)
        assert split.helped(repo.objects)
        many = await read_history(repo, identity, late, split, both)
        # The oldest end read a block; with hardly any history left, it never started.
        assert late.joined.is_set() == bool(objects)
        assert running_processes() == 0
    finally:
        late.close()
    assert sorted(both) == sorted(once)
    assert (many.total, many.history(), many.root_commit) == (
        one.total,
        one.history(),
        one.root_commit,
    )


async def test_repositories_mined_at_once_give_their_cores_back(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """Mined with a spare core for the last history, the reports are those of one process
    each, and no core stays held."""
    for name, commits in (("long", 90), ("short", 3)):
        repo = repos.repo(name)
        repo.git("fast-import", "--quiet", input=history_stream(commits))
        repo.git("reset", "-q", "--hard", "main")
    projects = sorted(discover(upload), key=lambda p: p.path)
    identity = Identity.of("zoe@example.com")
    cores = Cores(2)
    shared = Split(processes=1, min_commits=0, spare=cores)
    spared = [r async for r in pipeline.mine_all(projects, identity, runner, split=shared)]
    alone = [r async for r in pipeline.mine_all(projects, identity, runner, split=Split(1))]
    assert sorted(spared, key=lambda r: r.path) == sorted(alone, key=lambda r: r.path)
    taken = asyncio.Event()

    def take() -> bool:
        taken.set()
        return True

    cores.offer(take)()
    assert taken.is_set()  # nothing held once they are mined


def _read_whole(printed: bytes, names: pipeline.Names, tools: pipeline.Names) -> pipeline.Diffs:
    """What diffs printed say, fed to the reader at once."""
    reader = pipeline._DiffReader(names, tools)
    reader.feed(printed)
    return reader.end()


async def test_diffs_fed_in_blocks_split_anywhere_say_what_they_say_read_whole(
    repos: Factory, runner: GitRunner
) -> None:
    """_DiffReader parses the diffs as git prints them, in blocks that cut a commit's record,
    a line or a UTF-8 character anywhere: what it finds equals the parse of the whole."""
    repo = repos.repo("declaring")
    jose = ("José Müller", "josé@exämple.org")
    repo.write("pyproject.toml", '[project]\nname = "p"\ndependencies = ["flask>=3"]\n')
    repo.write(".pre-commit-config.yaml", "repos:\n  # ruff, für alle\n      - id: ruff\n")
    repo.commit("start", author=jose, when=1_700_000_000)
    repo.write("pyproject.toml", '[project]\nname = "p"\ndependencies = ["flask", "requests"]\n')
    repo.write(".pre-commit-config.yaml", "repos:\n      - id: ruff\n      - id: black\n")
    repo.commit("more", when=1_700_100_000)
    names: pipeline.Names = {"pyproject.toml": ["Flask", "Requests"]}
    tools: pipeline.Names = {".pre-commit-config.yaml": ["Ruff", "Black"]}
    args = ["log", "-p", "-U0", "--format=%x1e%aE%x00%ae%x00%at", "--", *names, *tools]
    printed = await runner.run(args, git_dir=repo.path / ".git")
    printed = b"before the first commit\n" + printed  # not a commit: skipped, whole or fed
    assert "é".encode() in printed
    whole = _read_whole(printed, names, tools)
    assert len(whole.found or {}) == 3  # Flask twice (two pairs), Requests once
    assert len(whole.configured) == 2
    assert len(whole.entered) == 2
    assert ("josé@exämple.org", "josé@exämple.org") in whole.configured
    for size in (1, 2, 3, 7, 64, len(printed)):
        reader = pipeline._DiffReader(names, tools)
        for start in range(0, len(printed), size):
            reader.feed(printed[start : start + size])
        assert reader.end() == whole, size


async def test_the_diffs_of_commits_as_found_are_those_git_log_prints_of_them(
    rich: Repo, runner: GitRunner
) -> None:
    """diff-tree of the commits handed over as the history is read prints what `git log` of
    those commits prints (.mailmap'd addresses, both roots, renames not detected); a history
    read again leaves them stale."""
    repo = clean(rich)
    tools: pipeline.Names = {"pyproject.toml": ["x"], "src/m1.py": ["y"], "other/x.c": ["z"]}
    commits = rich.git("rev-list", "--no-merges", "HEAD").split()
    args = ["log", "--no-walk=unsorted", "--stdin", "-p", "-U0", "--no-renames",
            "--format=%x1e%aE%x00%ae%x00%at", "--", *tools]  # fmt: skip
    listed = "".join(f"{c}\n" for c in commits).encode()
    logged = await runner.run(args, git_dir=repo.git_dir, input=listed, max_bytes=1 << 24)
    declaring = pipeline._Declaring()
    found = asyncio.ensure_future(pipeline.read_diffs({}, tools, repo, runner, declaring.lines()))
    for i in range(0, len(commits), 7):  # in batches, as reader threads hand them over
        declaring.extend(commits[i : i + 7])
        await asyncio.sleep(0)
    declaring.end()
    assert await found == _read_whole(logged, {}, tools)
    configured = (await found).configured  # each pair's commits on each file
    assert sum(len(dates) for by in configured.values() for dates in by.values()) > 20
    assert ("alice@example.com", "Alice@Old.example") in configured  # .mailmap'd
    assert any("other/x.c" in by for by in configured.values())  # the orphan root's file
    walked = await pipeline.read_diffs({}, tools, repo, runner)  # for a history read twice
    assert walked.configured  # of the commits the walk keeps (side branches simplified away)
    for pair, by in walked.configured.items():
        for path, dates in by.items():
            assert set(dates) <= set(configured[pair][path])
    again = pipeline._Declaring()
    again.extend(commits)
    again.clear()  # read_history starts over: what came is stale
    again.end()
    assert again.stale
    assert [line async for line in again.lines()] == []
