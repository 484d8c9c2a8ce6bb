"""Mines projects: a git repository in one streaming history pass, or a plain folder.

For a repository (all git through one GitRunner, on the clean copy built by sanitize.py):
1. `git log -z --numstat --find-renames --format=LOG_FORMAT <head>` streamed through
   parse.LogParser into history.HistoryFold; nothing holds the whole history. A long history is
   read by several git processes from both ends at once (mining/history/log_reader.py).
   Alongside, `git for-each-ref` names the tags' commits, and the releases are the tags among
   the commits the history read (no second walk of the history; read_releases).
2. concurrently, `git ls-tree -r -l -z <head>` gives the files and sizes at HEAD (no checkout,
   works on the bare copy): languages.breakdown, TreeFacts and the manifests to read;
3. then ONE `git cat-file --batch` process reads the chosen manifests for frameworks.detect_all,
   and the few files whose language only their content tells (languages.content_candidates:
   C/C++ headers, scripts by their shebang, minified JavaScript/CSS).

History is HEAD's only (not `--all`): the code as the project presents it, consistent with the
tree at HEAD; remote-tracking refs in an upload are stale copies and stray branches are
unfinished work. Renames are detected (`--find-renames`, 50 % similarity, git-diff(1)) so a moved
file does not count as all its lines deleted and added again. The root commit is the last
parentless commit the same walk prints, which is what `git rev-list --max-parents=0 HEAD | tail
-1` prints, without a second walk of the history.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import logging
import os
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Collection,
    Container,
    Iterable,
    Mapping,
)
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mining.errors import MiningError
from mining.git.discover import (
    SKIP_DIRS,
    DiscoveredProject,
    discover,
    is_bare_repository,
    upload_root,
)
from mining.git.runner import GitRunner, HardenedGitRunner
from mining.git.sanitize import CleanRepo, clean_copy, inspect
from mining.history import identities
from mining.history.log_reader import LOG_ARGS, Split, default_processes, read_history
from mining.parse import BatchParser, LsTreeParser, TreeEntry
from mining.parse.mailmap import mailmap_addresses, parse_check_mailmap
from mining.parse.refs import TAG_TARGETS, parse_tag_dates, parse_tag_targets
from mining.records import (
    AuthorWork,
    DeclaredEdit,
    Detection,
    History,
    Identity,
    LanguageBreakdown,
    ProjectFailure,
    ProjectKind,
    ProjectReport,
    ToolEntry,
    TreeFacts,
)
from mining.text import MAX_EMAIL, MAX_PATH, cap

if TYPE_CHECKING:
    from mining.history.fold import HistoryFold
    from mining.tree.languages import Overrides

log = logging.getLogger(__name__)

# Files at HEAD kept in memory at most; a tree of millions of entries fits in a ZIP of kB.
MAX_TREE_FILES = 1_000_000

MANIFEST_MAX_BYTES = 512 * 1024  # a bigger "manifest" is generated or not a manifest
MANIFESTS_MAX = 200
__all__ = ["LOG_ARGS", "Split", "default_processes", "mine_all", "mine_project", "mine_tree"]


async def mine_project(
    project: DiscoveredProject,
    identity: Identity | None,
    runner: GitRunner,
    *,
    scratch: Path | None = None,
    split: Split | None = None,
    copy: CleanRepo | None = None,
) -> ProjectReport:
    """Mine one discovered project; raises MiningError (RepoUnsafeError, GitCommandError).

    `split` says how many git processes read a long history (default: MINING_PROCESSES, else
    the number of cores; see mining/history/log_reader.py). `copy` is the project's clean copy
    when its caller made it already (and removes it): `artifact-miner mine` makes the first one
    before the event loop runs (mining/launch.py)."""
    if project.kind is ProjectKind.PLAIN:
        return await asyncio.to_thread(mine_plain, project)
    if copy is not None:
        return await mine_clean(project, copy, identity, runner, split)
    work = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="am-mine-", dir=scratch))
    try:
        root = upload_root(project)
        bare = project.kind is ProjectKind.BARE
        repo = await clean_copy(project.abs_path, root, work, bare=bare)
        return await mine_clean(project, repo, identity, runner, split)
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)


def probe_head(project: DiscoveredProject) -> tuple[str | None, bool]:
    """The commit a repository's HEAD resolves to (None: empty) and whether it is shallow, read
    in Python by the checks the clean copy starts with (sanitize.inspect: no git runs), so that
    a repository whose HEAD is a stored project's need not be mined again. Raises
    RepoUnsafeError. Blocking: run it in a worker thread."""
    bare = project.kind is ProjectKind.BARE
    plan = inspect(project.abs_path, upload_root(project), bare=bare)
    return plan.head_sha, bool(plan.shallow)


async def mine_clean(
    project: DiscoveredProject,
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    split: Split | None = None,
) -> ProjectReport:
    """Mine a clean copy: history, tree and manifests concurrently, and, once the tree has
    named the declaring files, their diffs of the commits the history finds changing them, as
    it finds them; once the history is read, beside building its record, the .mailmap's
    addresses."""
    if repo.head is None:  # an empty repository: nothing committed yet
        return _report(project, None, None, None, LanguageBreakdown(), (), TreeFacts())
    tree = asyncio.ensure_future(read_tree(repo, runner))
    mapped = asyncio.ensure_future(_mailmap_once_read(tree, identity, repo, runner))
    declaring = _Declaring()
    diffs = asyncio.ensure_future(_diffs_as_found(tree, declaring, repo, runner))
    split = split or Split(default_processes())
    reading = asyncio.ensure_future(_history(repo, identity, runner, split, declaring))
    if (spare := split.spare) is not None:  # read: its core is spare for another (mine_each)
        reading.add_done_callback(lambda _: spare.release(project))
    try:
        (fold, releases), (langs, detections, facts, _) = await asyncio.gather(reading, tree)
        history, aliases, declared = await asyncio.gather(
            asyncio.to_thread(fold.history, tags=len(releases), tag_dates=releases),  # CPU
            read_aliases(fold.addresses(), identity, repo, runner, mapped),
            read_declared(diffs, declaring, fold, detections, repo, runner),
        )
    finally:
        # On an error (the tree too large, say), every one's git processes are killed: gather
        # does not cancel the history when the tree fails.
        for task in (reading, tree, mapped, diffs):
            task.cancel()
        await asyncio.gather(reading, tree, mapped, diffs, return_exceptions=True)
    history = await asyncio.to_thread(
        _attributed, replace(history, aliases=aliases), declared, identity, detections
    )
    report = _report(project, fold.root_commit, repo.head, history, langs, detections, facts)
    return dataclasses.replace(report, shallow=repo.shallow) if repo.shallow else report


DECLARED_MAX_BYTES = 64 * 1024 * 1024  # the diffs of the shared manifests the user changed
# The diffs are parsed a block at a time as git prints them: at the end only the last one is.
DIFF_BLOCK = 16 * 1024

Pair = tuple[str, str]
Names = dict[str, list[str]]  # a declaring file -> the dependencies or tools it names


@dataclasses.dataclass(frozen=True, slots=True)
class Diffs:
    """What the diffs of some declaring files say (read_diffs), before they meet a history:
    each pair's commits adding a line that names a dependency of a shared manifest (`found`),
    when each tool entered its file (`entered`), each pair's commits per configuration file
    (`configured`). `names` and `tools` are the files read (_declaring); `found` is None when
    the diffs were too large to read."""

    names: Names
    tools: Names
    found: dict[tuple[Pair, str, str], list[datetime]] | None = None
    entered: dict[tuple[str, str], datetime] = dataclasses.field(default_factory=dict)
    configured: dict[Pair, dict[str, list[datetime]]] = dataclasses.field(default_factory=dict)


def _declaring(
    detections: Iterable[Detection], touched: Container[str] | None = None
) -> tuple[Names, Names]:
    """The shared manifests at HEAD (frameworks.is_shared_manifest) and the dependencies each
    declares, and the other declaring files and the tools each names; of those in `touched`
    only, when given."""
    from mining.tree import frameworks  # see choose_manifests

    names: Names = {}
    tools: Names = {}
    for d in detections:
        if touched is None or d.source in touched:
            shared = frameworks.is_shared_manifest(d.source)
            (names if shared else tools).setdefault(d.source, []).append(d.name)
    return names, tools


class _Declaring:
    """The commits of a history changing a declaring file, as its readers fold them (their
    threads call `extend`: HistoryFold's `declaring`), on their way to `git diff-tree --stdin`
    (`lines`), which reads each as it comes: their diffs are read with the history, not after
    it. A history read again (log_reader: git's walks disagreed) is `clear`ed: its commits
    would come twice, so its diffs are read by a walk of the whole history (`stale`)."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._found: asyncio.Queue[list[str] | None] = asyncio.Queue()
        self.stale = False

    def extend(self, commits: Iterable[str]) -> None:  # in a reader thread
        # A reader still folding as its read is cancelled may outlive the loop: none reads then.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._found.put_nowait, list(commits))

    def clear(self) -> None:
        self.stale = True

    def end(self) -> None:
        """The history is read: after what its readers handed over (call_soon keeps order)."""
        self._loop.call_soon(self._found.put_nowait, None)

    async def lines(self) -> AsyncIterator[bytes]:
        """The commits, a hash a line, as they are found (those found meanwhile at once),
        until the history is read."""
        while (found := await self._found.get()) is not None:
            batch = found
            while not self._found.empty() and (found := self._found.get_nowait()) is not None:
                batch += found
            if batch and not self.stale:
                yield "".join(f"{c}\n" for c in batch).encode()
            if found is None:  # the history was read meanwhile
                return


async def _diffs_as_found(
    tree: asyncio.Future[Tree], declaring: _Declaring, repo: CleanRepo, runner: GitRunner
) -> Diffs:
    """read_diffs of every declaring file at HEAD (named by the tree), of the commits of the
    history changing any, as the history is read."""
    names, tools = _declaring((await tree).detections)
    return await read_diffs(names, tools, repo, runner, declaring.lines())


async def read_declared(
    streamed: Awaitable[Diffs],
    declaring: _Declaring,
    fold: HistoryFold,
    detections: tuple[Detection, ...],
    repo: CleanRepo,
    runner: GitRunner,
) -> Diffs:
    """The diffs of the declaring files at HEAD that the history changed at all: the shared
    manifests and which declared dependencies each pair's added or changed lines name, the
    other configuration files declaring tools (.pre-commit-config.yaml) and each pair's commits
    on them. Those `streamed` beside the history (of every declaring file at HEAD: only those
    it changed appear in them), or, when its commits came twice, of a walk of the history."""
    names, tools = _declaring(detections, fold.touched())
    if not names and not tools:
        return Diffs(names, tools, {})
    diffs = await (read_diffs(names, tools, repo, runner) if declaring.stale else streamed)
    return dataclasses.replace(diffs, names=names, tools=tools)


def _attributed(
    history: History, diffs: Diffs, identity: Identity | None, detections: tuple[Detection, ...]
) -> History:
    """The history with what the diffs say per pair (`AuthorWork.declared`, `.configured`) and
    when each tool entered its file (`History.tool_entries`), attributed to the identity
    (identities.attribute says which of it is the user's, for any identity)."""
    if diffs.found is not None and (diffs.names or diffs.tools):
        history = _with_declared(history, diffs)
    return identities.attribute(history, identity, detections)


async def read_diffs(
    names: Names,
    tools: Names,
    repo: CleanRepo,
    runner: GitRunner,
    commits: AsyncIterable[bytes] | None = None,
) -> Diffs:
    """The diffs (`-p -U0`) of the declaring files only (small text files; the history pass
    gives paths, not lines), parsed as git prints them (_DiffReader): of `commits` when given
    (a hash a line, to `git diff-tree --stdin`: a few hundred commits of thousands, ~5x less of
    git's time than a walk of the whole history with the files as its pathspec, which compares
    every commit's tree with them), else of that walk (`git log`)."""
    if not names and not tools:
        return Diffs(names, tools, {})
    reader = _DiffReader(names, tools)
    args = _diff_args(names, tools, repo, listed=commits is not None)
    try:
        await runner.consume(
            args, reader.feed, git_dir=repo.git_dir, input=commits, block_size=DIFF_BLOCK
        )
    except _TooLarge:
        log.info("manifest diffs over %d bytes: dependency lines not read", DECLARED_MAX_BYTES)
        return Diffs(names, tools)
    return await asyncio.to_thread(reader.end)


def _diff_args(names: Names, tools: Names, repo: CleanRepo, *, listed: bool) -> list[str]:
    """The diffs of the declaring files: of the commits on stdin (`listed`: diff-tree prints
    each as `git log` does, a root commit's too with --root), else of the whole history."""
    options = [
        "-p", "-U0", "--no-renames", "--no-color", "--no-ext-diff", "--no-textconv",
        "--format=%x1e%aE%x00%ae%x00%at",
    ]  # fmt: skip
    if listed:
        command = ["diff-tree", "--stdin", "--root", *options]
    else:
        command = ["log", "--no-merges", *options, "--end-of-options", repo.head or "HEAD"]
    return [*command, "--", *(f":(literal){p}" for p in sorted({*names, *tools}))]


class _TooLarge(Exception):
    """The diffs ran past DECLARED_MAX_BYTES (git is stopped)."""


class _DiffReader:
    """Each pair's declaring lines in shared manifests and commits on the other configuration
    files, and when each tool entered its file (the oldest commit, anyone's, adding a line
    naming it; else the file's first commit), parsed as git prints the diffs: `feed` takes
    them in blocks split anywhere (in the runner's reader thread, while the history is still
    read), each commit once it is whole (the next one's \\x1e ends it); `end` the last one."""

    def __init__(self, names: Names, tools: Names) -> None:
        self.diffs = Diffs(names, tools, {})
        self._last: list[bytes] = []  # the commit printed last, whole once the next begins
        self._read = 0
        self._begun = False  # whatever comes before the first commit is not one

    def feed(self, block: bytes) -> None:
        self._read += len(block)
        if self._read > DECLARED_MAX_BYTES:
            raise _TooLarge
        ended, *whole = block.split(b"\x1e")
        self._last.append(ended)
        if not whole:  # joined once whole: a long patch comes in many blocks
            return
        whole[:0] = [b"".join(self._last)] if self._begun else []
        self._begun, self._last = True, [whole.pop()]
        for commit in whole:
            self._commit(commit.decode("utf-8", "replace"))

    def end(self) -> Diffs:
        if self._begun:
            self._commit(b"".join(self._last).decode("utf-8", "replace"))
        self._last = []
        return self.diffs

    def _commit(self, printed: str) -> None:
        header, _, patch = printed.partition("\n")
        email, _, rest = header.partition("\0")
        original, _, stamp = rest.partition("\0")
        if not stamp.isdigit():
            return
        when = datetime.fromtimestamp(int(stamp), UTC)
        pair = (cap(email, MAX_EMAIL), cap(original, MAX_EMAIL))  # as the log parser has them
        diffs = self.diffs
        seen, paths = _patch_lines(patch, diffs.names, diffs.tools, when, diffs.entered)
        assert diffs.found is not None
        for path, name in seen:
            diffs.found.setdefault((pair, path, name), []).append(when)
        for p in paths & diffs.tools.keys():
            diffs.configured.setdefault(pair, {}).setdefault(p, []).append(when)


def _patch_lines(
    patch: str,
    names: dict[str, list[str]],
    tools: dict[str, list[str]],
    when: datetime,
    entered: dict[tuple[str, str], datetime],
) -> tuple[set[tuple[str, str]], set[str]]:
    """One commit's patch: the (manifest, dependency) its added lines name, the paths it
    changed; a tool an added line names has entered its file by `when` at the latest."""
    from mining.tree import frameworks  # see choose_manifests

    path, seen, paths = "", set[tuple[str, str]](), set[str]()
    for line in patch.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else ""
            paths.add(path)
        elif line.startswith("+") and path in names:
            seen.update((path, n) for n in frameworks.declared(names[path], line[1:]))
        elif line.startswith("+") and path in tools:
            _entered_by(path, line[1:], tools[path], when, entered)
    return seen, paths


def _entered_by(
    path: str,
    added: str,
    tools: list[str],
    when: datetime,
    entered: dict[tuple[str, str], datetime],
) -> None:
    """Each of the file's tools that the added line names has entered it by `when`."""
    from mining.tree import frameworks  # see choose_manifests

    for name in frameworks.declared(tools, added):
        entered[path, name] = min(when, entered.get((path, name), when))


def _with_declared(history: History, diffs: Diffs) -> History:
    """The diffs' findings in each pair's work, and when each tool entered its file."""
    entered, configured = diffs.entered, diffs.configured
    declared: dict[Pair, list[DeclaredEdit]] = {}
    for (pair, path, name), dates in sorted((diffs.found or {}).items()):
        edit = DeclaredEdit(path, name, len(dates), min(dates), max(dates))
        declared.setdefault(pair, []).append(edit)
    work = tuple(_declared_work(w, declared, configured) for w in history.work)
    entries = tuple(
        ToolEntry(path, name, entered.get((path, name), history.touches[path].first))
        for path, tool_names in sorted(diffs.tools.items())
        for name in sorted(set(tool_names))
    )
    return replace(history, work=work, tool_entries=entries, declared_read=True)


def _declared_work(
    work: AuthorWork,
    declared: dict[Pair, list[DeclaredEdit]],
    configured: dict[Pair, dict[str, list[datetime]]],
) -> AuthorWork:
    """One pair's work with its declaring lines and configuration commits. Most pairs have
    neither and keep their record as it is: dataclasses.replace costs ~9 us a pair (~8 ms for
    flask's 870 pairs)."""
    pair = (work.email, work.original)
    edits = tuple(declared.get(pair, ()))
    dates = {p: tuple(sorted(d)) for p, d in sorted(configured.get(pair, {}).items())}
    if edits == work.declared and dates == work.configured:
        return work
    return replace(work, declared=edits, configured=dates)


def _report(
    project: DiscoveredProject,
    root_commit: str | None,
    head: str | None,
    history: History | None,
    langs: LanguageBreakdown,
    detections: tuple[Detection, ...],
    tree: TreeFacts,
) -> ProjectReport:
    return ProjectReport(
        project.name,
        project.path,
        project.kind,
        root_commit,
        head,
        history,
        langs,
        detections,
        tree,
    )


async def _history(
    repo: CleanRepo,
    identity: Identity | None,
    runner: GitRunner,
    split: Split,
    declaring: _Declaring,
) -> tuple[HistoryFold, tuple[datetime, ...]]:
    """The history and the releases: the tags' commits are named while the history is read,
    and the releases are the tags among the commits it read. `declaring` is handed the
    commits changing a declaring file as they are read."""
    targets = asyncio.ensure_future(read_tag_targets(repo, runner))
    tagged = _TagCommits(targets) if repo.tags else None
    try:
        try:
            fold = await read_history(repo, identity, runner, split, tagged, declaring)
        finally:
            declaring.end()
        commits = None if tagged is None else tagged.found()
        return fold, await read_releases(repo, runner, commits, await targets)
    finally:
        targets.cancel()
        await asyncio.gather(targets, return_exceptions=True)


class _TagCommits:
    """The commits tags name, as a history's readers meet them (read_history's `seen`, from
    their threads): every commit until the tags' commits are known (`git for-each-ref` names
    them in milliseconds, while the history takes seconds), then only those. Every hash of a
    long history would hold ~100 MB a million commits."""

    def __init__(self, targets: asyncio.Future[list[tuple[str, bytes]] | None]) -> None:
        self._lock = threading.Lock()
        self._wanted: set[str] | None = None
        self._found: list[str] = []
        targets.add_done_callback(self._named)

    def _named(self, targets: asyncio.Future[list[tuple[str, bytes]] | None]) -> None:
        named = None if targets.cancelled() or targets.exception() else targets.result()
        with self._lock:  # none wanted when there is no list: read_releases asks --merged
            self._wanted = {commit for commit, _ in named or ()}
            self._found = [commit for commit in self._found if commit in self._wanted]

    def extend(self, commits: Iterable[str]) -> None:
        with self._lock:
            wanted = self._wanted
            self._found.extend(commits if wanted is None else (c for c in commits if c in wanted))

    def clear(self) -> None:
        with self._lock:
            self._found.clear()

    def found(self) -> set[str]:
        with self._lock:
            return set(self._found)


async def read_aliases(
    addresses: Iterable[str],
    identity: Identity | None,
    repo: CleanRepo,
    runner: GitRunner,
    early: Awaitable[dict[str, str] | None] | None = None,
) -> dict[str, str]:
    """What .mailmap maps the history's `addresses` (HistoryFold.addresses) and the identity's
    to, where it maps them elsewhere, so that every commit of the same person is the user's,
    for this identity or a later one. From the `early` mapping of every address the .mailmap
    names (_mailmap_once_read) when it is known: no other address can be mapped."""
    emails = sorted(
        {e.strip().lower() for e in addresses} | set(identity.emails if identity else ())
    )
    known = None if early is None else await early
    if known is None:
        known = await check_mailmap(emails, repo, runner)
    return {e: m for e in emails if (m := known.get(e, e)) and m != e}


async def _mailmap_once_read(
    tree: asyncio.Future[Tree], identity: Identity | None, repo: CleanRepo, runner: GitRunner
) -> dict[str, str] | None:
    """check_mailmap of every address the .mailmap at HEAD names and the identity's, as soon as
    the tree is read (None: the .mailmap could not be read). git matches an address against
    the .mailmap's case-insensitively (gitmailmap(5)), so any address it maps is one of these
    lower-cased: mailmap_addresses. No .mailmap, no git."""
    text = (await tree).mailmap
    if text is None:
        return None
    named = mailmap_addresses(text) if text else set()
    emails = sorted(named | set(identity.emails if identity else ())) if named else []
    return await check_mailmap(emails, repo, runner)


ALIASES_PER_CALL = 1_000  # addresses per `git check-mailmap` (its argv stays small)


async def check_mailmap(emails: list[str], repo: CleanRepo, runner: GitRunner) -> dict[str, str]:
    """What `git check-mailmap <email>...` maps each address to (its output, one contact a
    line, is in order)."""
    mapped: dict[str, str] = {}
    for start in range(0, len(emails), ALIASES_PER_CALL):
        batch = emails[start : start + ALIASES_PER_CALL]
        contacts = [f"<{email}>" for email in batch]
        out = await runner.run(["check-mailmap", "--", *contacts], git_dir=repo.git_dir)
        mapped.update(zip(batch, parse_check_mailmap(out), strict=False))
    return mapped


async def read_releases(
    repo: CleanRepo,
    runner: GitRunner,
    commits: Collection[str] | None = None,
    targets: list[tuple[str, bytes]] | None = None,
) -> tuple[datetime, ...]:
    """Dates of the tags reachable from HEAD, from `git for-each-ref --merged=<head>
    --format=%(creatordate:unix) refs/tags/`: a tag on an unmerged branch (or on another
    project's history in the same repository) is not a release of the code mined.

    Given HEAD's commits (every hash read_history read) and the tags' `targets`
    (read_tag_targets), the same tags are found without the walk of the whole history --merged
    makes: those whose commit is among them."""
    if not repo.tags:
        return ()
    if commits is not None and targets is not None:
        reachable = {commit for commit, _ in targets}.intersection(commits)
        return parse_tag_dates(b"\n".join(date for commit, date in targets if commit in reachable))
    args = [
        "for-each-ref",
        f"--merged={repo.head or 'HEAD'}",
        "--format=%(creatordate:unix)",
        "refs/tags/",
    ]
    return parse_tag_dates(await runner.run(args, git_dir=repo.git_dir))


async def read_tag_targets(repo: CleanRepo, runner: GitRunner) -> list[tuple[str, bytes]] | None:
    """The commit each tag names and its date (`git for-each-ref --format=TAG_TARGETS`; a tag of
    a tree or a blob is no release); None when there is no tag, or a tag of a tag (which
    --merged peels all the way: read_releases leaves it to --merged)."""
    if not repo.tags:
        return None
    args = ["for-each-ref", f"--format={TAG_TARGETS}", "refs/tags/"]
    targets = parse_tag_targets(await runner.run(args, git_dir=repo.git_dir, max_bytes=64 << 20))
    if any(kind == "tag" for kind, _, _ in targets):
        return None
    return [(name, date) for kind, name, date in targets if kind == "commit"]


class Tree(NamedTuple):
    """What read_tree reads at HEAD: the languages, the detected tools and frameworks, the
    file facts, and the .mailmap git applies (`mailmap.blob=HEAD:.mailmap`, runner.py): b""
    when there is none, None when it is not a regular file or over MAILMAP_MAX_BYTES."""

    languages: LanguageBreakdown
    detections: tuple[Detection, ...]
    facts: TreeFacts
    mailmap: bytes | None


MAILMAP = ".mailmap"
MAILMAP_MAX_BYTES = 1 << 20


async def read_tree(repo: CleanRepo, runner: GitRunner) -> Tree:
    """Parse `git ls-tree -r -l -z <head>`, then read the manifests and the .mailmap with
    `git cat-file --batch`."""
    parser = LsTreeParser()
    entries: list[TreeEntry] = []
    odd: list[TreeEntry] = []  # a .mailmap that is a symlink or a submodule

    def take(found: list[TreeEntry]) -> None:
        entries.extend(e for e in found if e.is_file)
        odd.extend(e for e in found if e.path == MAILMAP and not e.is_file)

    def keep(block: bytes) -> None:  # in the runner's reader thread
        take(parser.feed(block))
        if len(entries) > MAX_TREE_FILES:  # a crafted tree, not a real project
            raise MiningError(f"more than {MAX_TREE_FILES:,} files at HEAD", code="TOO_LARGE")

    args = ["ls-tree", "-r", "-l", "-z", "--end-of-options", repo.head or "HEAD"]
    await runner.consume(args, keep, git_dir=repo.git_dir)
    take(parser.flush())
    files = [(e.path, e.size or 0) for e in entries]
    manifests, sniffed = await asyncio.to_thread(_to_read, files)
    by_path = {e.path: e.sha for e in entries}
    mailmap = None if odd else _mailmap_blobs(entries)
    read = [by_path[p] for p in (*manifests, *sniffed)]
    contents = await read_blobs([*read, *(mailmap or ())], repo, runner)
    # CPU work over every file (linguist rules per path): off the event loop.
    results = await asyncio.to_thread(
        _tree_results,
        files,
        dict(zip(manifests, contents[: len(manifests)], strict=True)),
        dict(zip(sniffed, contents[len(manifests) : len(read)], strict=True)),
    )
    return Tree(*results, None if mailmap is None else b"".join(contents[len(read) :]))


def _mailmap_blobs(entries: list[TreeEntry]) -> list[str] | None:
    """The .mailmap's blob to read ([] when there is none), None when too large to read."""
    found = [e for e in entries if e.path == MAILMAP]
    if any((e.size or 0) > MAILMAP_MAX_BYTES for e in found):
        return None
    return [e.sha for e in found]


def _to_read(files: list[tuple[str, int]]) -> tuple[list[str], list[str]]:
    """The manifests, and the files whose language only their content tells (languages.py)."""
    from mining.tree import languages  # see choose_manifests

    return choose_manifests(files), languages.content_candidates(files)


def _tree_results(
    files: list[tuple[str, int]], manifests: dict[str, bytes], sniffed: dict[str, bytes]
) -> tuple[LanguageBreakdown, tuple[Detection, ...], TreeFacts]:
    from mining.tree import frameworks, languages  # see choose_manifests

    overrides = languages.content_overrides(sniffed)
    return (
        languages.breakdown(files, overrides),
        frameworks.detect_all(manifests),
        _tree_facts(files, overrides),
    )


async def read_blobs(shas: list[str], repo: CleanRepo, runner: GitRunner) -> list[bytes]:
    """Contents of blobs, in order, from one `git cat-file --batch` process."""
    if not shas:
        return []
    parser, found = BatchParser(), []
    request = "".join(f"{sha}\n" for sha in shas).encode("ascii")
    stream = runner.stream(["cat-file", "--batch"], git_dir=repo.git_dir, input=request)
    async with contextlib.aclosing(stream) as chunks:
        async for chunk in chunks:
            found += parser.feed(chunk)
    found += parser.flush()
    return [obj.content or b"" for obj in found]


def choose_manifests(files: Iterable[tuple[str, int]]) -> list[str]:
    """Manifests worth reading: not vendored, at most MANIFEST_MAX_BYTES, shallowest first."""
    # The rules (linguist's tables, the framework registry) are imported where they are used,
    # in worker threads: `mine` starts its first git before loading them (bench/).
    from mining.tree import frameworks, languages

    chosen = [
        path
        for path, size in files
        if size <= MANIFEST_MAX_BYTES
        and frameworks.is_manifest(path)
        and not languages.is_excluded(path)
    ]
    return sorted(chosen, key=lambda p: (p.count("/"), p))[:MANIFESTS_MAX]


def tree_facts(paths: Iterable[str]) -> TreeFacts:
    """All files at HEAD, files per kind of work (vendored/generated left out), notable files."""
    from mining.history import activity  # see choose_manifests

    every = list(paths)
    counts = Counter(k for p in every if not activity.left_out(p, k := activity.classify(p)))
    return TreeFacts(len(every), dict(sorted(counts.items())), activity.notable(every))


def _tree_facts(files: list[tuple[str, int]], overrides: Overrides | None = None) -> TreeFacts:
    """`tree_facts` with the per-reason summary of what the language breakdown leaves out."""
    from mining.tree import languages  # see choose_manifests

    facts = tree_facts(p for p, _ in files)
    return replace(facts, left_out=languages.left_out_summary(files, overrides))


def mine_plain(project: DiscoveredProject) -> ProjectReport:
    """A folder without git, from the file system (blocking: run in a worker thread)."""
    from mining.tree import frameworks, languages  # see choose_manifests

    files = walk_files(project.abs_path)
    manifests = choose_manifests(files)
    # Read by their names on disk; shown (sources, notable files) as git paths are: capped.
    contents = {cap(p, MAX_PATH): _read_capped(project.abs_path / p) for p in manifests}
    detections = frameworks.detect_all(contents)
    sniffed = {p: _read_capped(project.abs_path / p) for p in languages.content_candidates(files)}
    overrides = languages.content_overrides(sniffed)
    langs = languages.breakdown(files, overrides)
    capped = {cap(p, MAX_PATH): language for p, language in overrides.items()}
    tree = _tree_facts([(cap(p, MAX_PATH), size) for p, size in files], capped)
    return _report(project, None, None, None, langs, detections, tree)


def walk_files(top: Path) -> list[tuple[str, int]]:
    """(relative path, size) of regular files, symlinks not followed, nested repositories and
    SKIP_DIRS left out; sorted."""
    found: list[tuple[str, int]] = []
    pending = [top]
    while pending:
        directory = pending.pop()
        for entry in _walked_entries(directory, top):
            if entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS:
                pending.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                rel = Path(entry.path).relative_to(top).as_posix()
                found.append((rel, entry.stat(follow_symlinks=False).st_size))
    return sorted(found)


def _walked_entries(directory: Path, top: Path) -> list[os.DirEntry[str]]:
    """What walk_files reads of `directory`: nothing when it cannot be read, or when it is a
    repository of its own below `top` (mined separately)."""
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except OSError:
        return []
    names = {e.name: e for e in entries}
    if directory != top and (".git" in names or is_bare_repository(names)):
        return []
    return entries


def _read_capped(path: Path) -> bytes:
    """A manifest's bytes; O_NOFOLLOW so a symlink swapped in after the walk is not read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return b""
    with os.fdopen(fd, "rb") as f:
        return f.read(MANIFEST_MAX_BYTES)


async def mine_all(
    projects: Iterable[DiscoveredProject],
    identity: Identity | None,
    runner: GitRunner,
    *,
    concurrency: int = 4,
    scratch: Path | None = None,
    split: Split | None = None,
    copies: Mapping[DiscoveredProject, CleanRepo] | None = None,
) -> AsyncGenerator[ProjectReport | ProjectFailure, None]:
    """Mine projects, at most `concurrency` at once, yielding each result as it completes
    (`copies`: clean copies made already, see mine_project).

    Use inside `contextlib.aclosing(...)`: closing (or cancelling) the consumer cancels every
    task, and the runner kills their git processes.
    """
    mined = mine_each(
        projects,
        identity,
        runner,
        concurrency=concurrency,
        scratch=scratch,
        split=split,
        copies=copies,
    )
    async with contextlib.aclosing(mined) as results:
        async for _, result in results:
            yield result


async def mine_each(
    projects: Iterable[DiscoveredProject],
    identity: Identity | None,
    runner: GitRunner,
    *,
    concurrency: int = 4,
    scratch: Path | None = None,
    split: Split | None = None,
    copies: Mapping[DiscoveredProject, CleanRepo] | None = None,
) -> AsyncGenerator[tuple[DiscoveredProject, ProjectReport | ProjectFailure], None]:
    """As `mine_all`, each result paired with the project it came from."""
    slots = asyncio.Semaphore(max(1, concurrency))
    copies = copies or {}
    spare = split.spare if split is not None else None

    async def one(
        project: DiscoveredProject,
    ) -> tuple[DiscoveredProject, ProjectReport | ProjectFailure]:
        try:
            async with slots:
                return project, await _mined(project, identity, runner, scratch, split, copies)
        finally:
            if spare is not None:  # its history was not read (a failure, a plain folder)
                spare.release(project)

    tasks = []
    for project in projects:
        if spare is not None and project.kind is not ProjectKind.PLAIN:
            spare.hold(project)  # from now: a repository waiting for a slot leaves no core spare
        tasks.append(asyncio.create_task(one(project)))
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


_UNEXPECTED = "an unexpected error stopped the mining of this project (see the server log)"


async def _mined(
    project: DiscoveredProject,
    identity: Identity | None,
    runner: GitRunner,
    scratch: Path | None,
    split: Split | None,
    copies: Mapping[DiscoveredProject, CleanRepo],
) -> ProjectReport | ProjectFailure:
    """mine_project's report, or the failure it met (a bug among them: the other projects of
    the upload are mined all the same)."""
    try:
        copy = copies.get(project)
        return await mine_project(
            project, identity, runner, scratch=scratch, split=split, copy=copy
        )
    except MiningError as exc:  # the detail in the log, the public message in the report
        log.info("%s not mined: %s", project.path, exc)
        message = exc.public(upload_root(project))
        return ProjectFailure(project.name, project.path, exc.code, message)
    except OSError as exc:
        return _os_failure(project, exc)
    except Exception:  # a bug must not sink the other projects of the upload
        log.exception("mining %s failed unexpectedly", project.path)
        return ProjectFailure(project.name, project.path, "INTERNAL", _UNEXPECTED)


def _os_failure(project: DiscoveredProject, exc: OSError) -> ProjectFailure:
    """A full disk is DISK_FULL (the scratch copy could not be written); anything else the
    file system refused is a bug of ours, logged in full and INTERNAL to the client."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        log.warning("%s not mined: %s", project.path, exc)
        message = "no space left on the server to mine this project"
        return ProjectFailure(project.name, project.path, "DISK_FULL", message)
    log.exception("mining %s failed unexpectedly", project.path)
    return ProjectFailure(project.name, project.path, "INTERNAL", _UNEXPECTED)


async def mine_tree(
    root: Path,
    identity: Identity | None,
    *,
    concurrency: int = 4,
    runner: GitRunner | None = None,
    scratch: Path | None = None,
    split: Split | None = None,
) -> AsyncGenerator[ProjectReport | ProjectFailure, None]:
    """Discover the projects under `root` (in a worker thread) and mine them concurrently,
    yielding reports in completion order. Use inside `contextlib.aclosing(...)`."""
    own = runner is None
    runner = runner or HardenedGitRunner(ceiling=await asyncio.to_thread(root.resolve))
    try:
        projects = await asyncio.to_thread(discover, root)
        mined = mine_all(
            projects, identity, runner, concurrency=concurrency, scratch=scratch, split=split
        )
        async with contextlib.aclosing(mined) as results:
            async for result in results:
                yield result
    finally:
        if own:
            runner.close()
