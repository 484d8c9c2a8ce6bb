"""Folds parsed commits, one at a time, into `records.History` and the user's `UserStats`.

Nothing keeps a list of commits: memory grows with the number of authors, distinct paths and
days, never with the length of history (the commits changing a declaring file are handed to
`declaring` as they are folded: the pipeline reads their diffs meanwhile). Rules:

* Authors are unified by .mailmap (git already applied it: %aN/%aE) and then by the
  case-insensitive email. The name shown is the one on the newest commit (git log prints newest
  first).
* Shares, bus factor and the user's commits count non-merge commits only: a merge records no work
  of its own (git log prints no numstat for it). `total_commits` and the calendars count all.
* Bots (mining/history/bots.py) are listed apart (`Collaboration.bots`): the base of every share
  (`History.share_base`) is the non-merge commits of people, and bus factor, roles and
  "is collaborative" count people only. A share is N / share_base, both counted the same way.
* Dates are author dates (when the work was done) in UTC; a calendar day is a UTC day.
* Lines: numstat added + deleted. A binary change counts one line in `activity`, so design work
  (images) shows up. Files left out (activity.left_out: vendored, generated, lock, binary) count
  nowhere: not in an author's added/deleted, the user's, languages or activity, so the author
  list and the user's stats give one line total per person; images count as design work.
* Manifests, configuration and workflow files (frameworks.is_manifest) get a `FileTouch`:
  anyone's first/last commit date touching the path, and the user's commits and first/last
  date on it - the evidence of the user's own work with a declared tool (analyze/attribution).
* Everything folded is a sum, a set union or a min/max date per key, so slices of a history
  folded apart merge exactly.
* The user is any commit whose mailmapped or recorded email matches the Identity exactly.
  Every author address pair (%aE, %ae) is folded apart (`History.work`), and the user's stats
  are the matched pairs' added up (mining/history/identities.py): the same for the identity
  mining was given as for one set later from the stored report, without git.

A history read in slices (mining/history/log_reader.py) is folded slice by slice and the folds
merged newest first with `absorb`; the two figures that depend on order (an author's shown name, the
root commit) come out as the single pass gives them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, KeysView
from dataclasses import dataclass, field
from datetime import date, datetime

from mining.errors import MiningError
from mining.history import activity, bots
from mining.history.identities import C_SOURCES, CPP_OR_HEADER, attribute, percent, resolve_headers
from mining.history.identities import per_week as _per_week
from mining.parse.log import Commit
from mining.records import (
    ActivityKind,
    AuthorStats,
    AuthorWork,
    Collaboration,
    FileTouch,
    History,
    Identity,
    LanguageActivity,
    LanguageWork,
    TouchWork,
)
from mining.tree import frameworks, languages

__all__ = ["HistoryFold", "PathCache", "bus_factor", "fold", "per_week", "percent"]

Pair = tuple[str, str]  # an author's address after .mailmap as written (%aE), and as recorded


# Every distinct path of the history is remembered (its language and kind); far beyond any
# real repository, this bounds the memory a crafted one can take.
MAX_PATHS = 1_000_000


@dataclass(slots=True)
class _Span:
    first: datetime | None = None
    last: datetime | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """Both ends of a span that saw at least one date."""
        assert self.first is not None
        assert self.last is not None
        return self.first, self.last

    def see(self, when: datetime) -> None:
        first, last = self.first, self.last
        if first is None or last is None:  # both or neither: only `see` sets them
            self.first = self.last = when
        elif when < first:  # the common case: git log prints newest first
            self.first = when
        elif when > last:
            self.last = when

    def absorb(self, other: _Span) -> None:
        for when in (other.first, other.last):
            if when is not None:
                self.see(when)


@dataclass(slots=True)
class _Author:
    name: str
    email: str
    commits: int = 0
    added: int = 0
    deleted: int = 0
    span: _Span = field(default_factory=_Span)

    def absorb(self, older: _Author) -> None:
        """The same person in an older slice; the name stays the newest one (ours)."""
        self.commits += older.commits
        self.added += older.added
        self.deleted += older.deleted
        self.span.absorb(older.span)


@dataclass(slots=True)
class _Lang:
    added: int = 0
    deleted: int = 0
    commits: int = 0
    files: set[str] = field(default_factory=set)
    span: _Span = field(default_factory=_Span)

    def absorb(self, other: _Lang) -> None:
        self.added += other.added
        self.deleted += other.deleted
        self.commits += other.commits
        self.files |= other.files
        self.span.absorb(other.span)

    def record(self) -> LanguageActivity:
        first, last = self.span.bounds()
        return LanguageActivity(
            self.added, self.deleted, self.commits, len(self.files), first, last
        )

    def work(self, index: dict[str, int]) -> LanguageWork:
        span = self.span
        assert span.first is not None
        assert span.last is not None
        files = tuple(sorted(map(index.__getitem__, self.files)))
        return LanguageWork(self.added, self.deleted, self.commits, files, span.first, span.last)


@dataclass(slots=True)
class _Tally:
    """Work of a group of commits (one author address pair's, or everyone's)."""

    commits: int = 0
    added: int = 0
    deleted: int = 0
    span: _Span = field(default_factory=_Span)
    languages: defaultdict[str, _Lang] = field(default_factory=lambda: defaultdict(_Lang))
    activity: Counter[ActivityKind] = field(default_factory=Counter)
    calendar: Counter[date] = field(default_factory=Counter)
    files: set[str] = field(default_factory=set)
    kinds: dict[ActivityKind, _Span] = field(default_factory=dict)  # a pair's only

    def absorb(self, other: _Tally) -> None:
        self.commits += other.commits
        self.span.absorb(other.span)
        self.calendar.update(other.calendar)
        for kind, span in other.kinds.items():
            self.kinds.setdefault(kind, _Span()).absorb(span)
        self.add_changes(other)

    def add_changes(self, other: _Tally) -> None:
        """The lines, languages, kinds of work and files of `other`."""
        self.added += other.added
        self.deleted += other.deleted
        for name, lang in other.languages.items():
            self.languages[name].absorb(lang)
        # update(), not +=: Counter addition drops zero counts, which the single pass keeps.
        self.activity.update(other.activity)
        self.files |= other.files

    def languages_record(self, headers_cpp: bool = False) -> dict[str, LanguageActivity]:
        """Per language; `.h` headers are C++ when `headers_cpp` (C_HEADERS_CPP below)."""
        langs = resolve_headers(self.languages, headers_cpp)
        return {name: lang.record() for name, lang in langs.items()}

    def work(self, pair: Pair, index: dict[str, int], touches: dict[str, TouchWork]) -> AuthorWork:
        """The pair's record (history() makes ~10^3 of them at the end: the files' indices
        looked up by map, no helper call per key)."""
        first, last = self.span.bounds()
        kinds = self.kinds
        return AuthorWork(
            email=pair[0],
            original=pair[1],
            commits=self.commits,
            added=self.added,
            deleted=self.deleted,
            first=first,
            last=last,
            activity=dict(sorted(self.activity.items())),
            activity_first={k: kinds[k].bounds()[0] for k in sorted(kinds)},
            calendar=dict(sorted(self.calendar.items())),
            files=tuple(sorted(map(index.__getitem__, self.files))),
            languages={k: lang.work(index) for k, lang in sorted(self.languages.items())},
            touches=touches,
        )


@dataclass(slots=True)
class _Touch:
    """One author address pair's commits on one declaring file."""

    span: _Span = field(default_factory=_Span)
    commits: int = 0

    def absorb(self, other: _Touch) -> None:
        self.span.absorb(other.span)
        self.commits += other.commits

    def work(self) -> TouchWork:
        return TouchWork(self.commits, *self.span.bounds())


# A `.h` header is C or C++: linguist tells by its content, history has its path only. Folded
# under two more keys besides the languages, so either reading is exact at the end: C sources
# alone (.c), and C++ sources with the headers. The headers are C++ when the history changed
# more lines of C++ sources than of C sources (`HistoryFold.headers_cpp`), as linguist reads
# the headers of a C++ project.
_C_SOURCES = C_SOURCES
_CPP_OR_HEADER = CPP_OR_HEADER


@dataclass(frozen=True, slots=True)
class _PathInfo:
    language: str | None
    kind: ActivityKind
    excluded: bool
    declaring: bool  # a manifest, configuration or workflow file: its touches are kept
    also: str | None = None  # one of the two keys above, for C and C++ paths
    tallied: tuple[str, ...] = ()  # the language tallies a change of it counts in

    def __post_init__(self) -> None:
        keys = tuple(key for key in (self.language, self.also) if key is not None)
        object.__setattr__(self, "tallied", keys)


class PathCache:
    """Language and kind of each distinct path, shared by the folds of one history's slices."""

    def __init__(self) -> None:
        self._paths: dict[str, _PathInfo] = {}
        # The info of a path seen before, else None (then `info`): the fold's hot loop calls
        # the dict's own get.
        self.known = self._paths.get

    def info(self, path: str) -> _PathInfo:
        info = self._paths.get(path)
        if info is None:
            if len(self._paths) >= MAX_PATHS:  # a crafted history, not a real project
                raise MiningError(
                    f"more than {MAX_PATHS:,} distinct paths in the history", code="TOO_LARGE"
                )
            kind = activity.classify(path)
            # Documentation (docs/, examples/, README) is documentation work, not a language.
            lang = None if kind is ActivityKind.DOCS else languages.language_of(path)
            name = None if lang is None else lang.name
            also = None
            if name == "C++" or (name == "C" and path.endswith((".h", ".H"))):
                also = _CPP_OR_HEADER
            elif name == "C":
                also = _C_SOURCES
            info = _PathInfo(
                name, kind, activity.left_out(path, kind), frameworks.is_manifest(path), also
            )
            self._paths[path] = info
        return info


def _seen_kinds(tally: _Tally, kinds: set[ActivityKind], when: datetime) -> None:
    """A commit of `tally`'s on each of these kinds of work, at `when`."""
    for kind in kinds:
        span = tally.kinds.get(kind)
        if span is None:
            span = tally.kinds[kind] = _Span()
        span.see(when)


@dataclass(frozen=True, slots=True)
class _People:
    """The authors, each with whether it is a bot, and the share base: people's commits."""

    flagged: list[tuple[_Author, bool]]
    base: int


class HistoryFold:
    """Feed commits newest first with `add()`; read the result with `history()`."""

    def __init__(
        self,
        identity: Identity | None,
        paths: PathCache | None = None,
        declaring: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.identity = identity if identity and identity.emails else None
        self.total = 0
        self.merges = 0
        self.root_commit: str | None = None  # the last root seen = oldest (rev-list order)
        self.everyone = _Tally()  # every commit's day and date; non-merge commits counted
        self._work: dict[Pair, _Tally] = {}  # each author address pair's non-merge commits
        self._authors: dict[str, _Author] = {}  # by lower-cased email
        self._by_address: dict[str, _Author] = {}  # by the address as written
        self._paths = paths or PathCache()
        self._touches: dict[str, dict[Pair, _Touch]] = {}  # declaring file -> pair -> touch
        self._declaring = declaring  # given each non-merge commit changing a declaring file

    def add(self, commit: Commit) -> None:
        self.total += 1
        when = commit.author_date
        day = when.date()
        everyone = self.everyone
        calendar = everyone.calendar
        calendar[day] = calendar.get(day, 0) + 1  # a Counter's missing key costs a call
        everyone.span.see(when)
        parents = commit.parents
        if not parents:
            self.root_commit = commit.hash
        elif len(parents) > 1:  # a merge
            self.merges += 1
            return
        author = self._author(commit)
        everyone.commits += 1
        pair = (commit.author_email, commit.original_email)
        tally = self._work.get(pair)
        if tally is None:
            tally = self._work[pair] = _Tally()
        tally.commits += 1
        calendar = tally.calendar
        calendar[day] = calendar.get(day, 0) + 1
        tally.span.see(when)
        declaring = self._changes(commit, author, tally)
        if declaring:
            self._touch(declaring, when, pair)
            if self._declaring is not None:
                self._declaring([commit.hash])

    def _touch(self, paths: list[str], when: datetime, pair: Pair) -> None:
        """A commit's changes of declaring files (_changes names them), by `pair`."""
        for path in paths:
            by_pair = self._touches.get(path)
            if by_pair is None:
                by_pair = self._touches[path] = {}
            touch = by_pair.get(pair)
            if touch is None:
                touch = by_pair[pair] = _Touch()
            touch.span.see(when)
            touch.commits += 1

    def _author(self, commit: Commit) -> _Author:
        author = self._by_address.get(commit.author_email)
        if author is None:
            email = commit.author_email.strip().lower()
            author = self._authors.get(email)
            if author is None:
                author = self._authors[email] = _Author(commit.author_name, email)
            self._by_address[commit.author_email] = author
        author.commits += 1
        author.span.see(commit.author_date)
        return author

    def _changes(self, commit: Commit, author: _Author, tally: _Tally) -> list[str]:
        """The commit's changed files into the author's lines and their pair's tally (the
        first and last commit per kind of file too; left-out files count nowhere); the
        declaring files among them, left out or not (for _touch).

        The hottest loop of mining, hence locals and no helper calls per file."""
        known, info_of = self._paths.known, self._paths.info
        when = commit.author_date
        seen_languages: set[str] = set()
        kinds: set[ActivityKind] = set()
        declaring: list[str] = []
        languages, counts, files = tally.languages, tally.activity, tally.files
        author_added = author_deleted = 0
        for path, _, added_lines, deleted_lines, _ in commit.modified_files:
            info = known(path) or info_of(path)
            if info.declaring:
                declaring.append(path)
            if info.excluded:
                continue
            added, deleted = added_lines or 0, deleted_lines or 0
            author_added += added
            author_deleted += deleted
            kind = info.kind
            counts[kind] += 1 if added_lines is None else added + deleted  # binary: one line
            kinds.add(kind)
            files.add(path)
            for key in info.tallied:
                lang = languages[key]
                lang.added += added
                lang.deleted += deleted
                lang.files.add(path)
                if key not in seen_languages:  # a commit counts once per language
                    seen_languages.add(key)
                    lang.commits += 1
                    lang.span.see(when)
        tally.added += author_added
        tally.deleted += author_deleted
        author.added += author_added
        author.deleted += author_deleted
        _seen_kinds(tally, kinds, when)
        return declaring

    def absorb(self, older: HistoryFold) -> None:
        """Add the fold of the slice of history right after (older than) ours."""
        self.total += older.total
        self.merges += older.merges
        self.root_commit = older.root_commit or self.root_commit  # the oldest root wins
        self.everyone.absorb(older.everyone)
        for pair, tally in older._work.items():
            kept = self._work.get(pair)
            if kept is None:
                self._work[pair] = tally
            else:
                kept.absorb(tally)
        for email, author in older._authors.items():
            mine = self._authors.get(email)
            if mine is None:
                self._authors[email] = author
            else:
                mine.absorb(author)
        for path, by_pair in older._touches.items():
            kept_pairs = self._touches.setdefault(path, {})
            for pair, touch in by_pair.items():
                if pair in kept_pairs:
                    kept_pairs[pair].absorb(touch)
                else:
                    kept_pairs[pair] = touch

    def touched(self) -> KeysView[str]:
        """The declaring files the history changed: those of `History.touches`."""
        return self._touches.keys()

    def addresses(self) -> set[str]:
        """Every author address, after .mailmap and as recorded: those of `History.work`."""
        return {email for pair in self._work for email in pair}

    def history(self, tags: int = 0, tag_dates: tuple[datetime, ...] = ()) -> History:
        people = self._people()
        every = self._author_stats(people)
        authors = tuple(a for a in every if not a.bot)
        whole = self._whole()
        headers_cpp = self.headers_cpp(whole)
        paths, work = self._work_records()
        history = History(
            total_commits=self.total,
            merges=self.merges,
            first_commit=self.everyone.span.first,
            last_commit=self.everyone.span.last,
            collaboration=Collaboration(
                authors,
                bus_factor(authors),
                len(authors) > 1,
                tuple(a for a in every if a.bot),
            ),
            languages=whole.languages_record(headers_cpp),
            activity=dict(sorted(whole.activity.items())),
            calendar=dict(sorted(self.everyone.calendar.items())),
            tags=tags,
            user=None,
            share_base=people.base,
            tag_dates=tag_dates,
            touches={p: self._touched(pairs) for p, pairs in sorted(self._touches.items())},
            work=work,
            paths=paths,
            headers_cpp=headers_cpp,
        )
        return attribute(history, self.identity)

    def _whole(self) -> _Tally:
        """Everyone's lines, languages and kinds of work: every pair's, added up (not their
        files: nothing reads everyone's)."""
        whole = _Tally()
        languages, counts = whole.languages, whole.activity
        for tally in self._work.values():
            whole.added += tally.added
            whole.deleted += tally.deleted
            for name, lang in tally.languages.items():
                languages[name].absorb(lang)
            counts.update(tally.activity)  # not +=: see add_changes
        return whole

    @staticmethod
    def _touched(by_pair: dict[Pair, _Touch]) -> FileTouch:
        span = _Span()
        for touch in by_pair.values():
            span.absorb(touch.span)
        first, last = span.bounds()
        return FileTouch(first, last)

    def _work_records(self) -> tuple[tuple[str, ...], tuple[AuthorWork, ...]]:
        """Each pair's work, its files as indices into the sorted paths of all of them."""
        paths = tuple(sorted({p for tally in self._work.values() for p in tally.files}))
        index = {p: i for i, p in enumerate(paths)}
        touches: dict[Pair, dict[str, TouchWork]] = {}
        for path, by_pair in sorted(self._touches.items()):
            for pair, touch in by_pair.items():
                touches.setdefault(pair, {})[path] = touch.work()
        work = tuple(
            tally.work(pair, index, touches.get(pair, {}))
            for pair, tally in sorted(self._work.items())
        )
        return paths, work

    def headers_cpp(self, whole: _Tally | None = None) -> bool:
        """Whether `.h` headers count as C++: everyone changed more lines of C++ sources than
        of C sources (see _CPP_OR_HEADER)."""
        langs = (whole or self._whole()).languages
        cpp, c = langs.get("C++"), langs.get(_C_SOURCES)
        if cpp is None:
            return False
        return cpp.added + cpp.deleted > (0 if c is None else c.added + c.deleted)

    def _people(self) -> _People:
        """Each author and whether it is a bot, told once (bots.is_bot: ~3 us an author)."""
        flagged = [(a, bots.is_bot(a.name, a.email)) for a in self._authors.values()]
        return _People(flagged, sum(a.commits for a, bot in flagged if not bot))

    @staticmethod
    def _author_stats(people: _People) -> tuple[AuthorStats, ...]:
        """Everyone who committed (people and bots), most commits first; `share` is of the
        share base, and 0 for a bot."""
        whole = people.base
        stats = []
        for a, bot in people.flagged:
            share = 0.0 if bot else percent(a.commits, whole)
            first, last = a.span.bounds()
            stats.append(
                AuthorStats(a.name, a.email, a.commits, a.added, a.deleted, first, last, share, bot)
            )
        return tuple(sorted(stats, key=lambda a: (-a.commits, a.email)))


def per_week(commits: int, span: _Span) -> float:
    """Commits per week between the first and the last commit, the span counted as >= 1 week."""
    return _per_week(commits, span.first, span.last)


def bus_factor(authors: tuple[AuthorStats, ...]) -> int:
    """The fewest authors (most commits first) whose commits are more than half of all."""
    total = sum(a.commits for a in authors)
    running = 0
    for count, author in enumerate(authors, start=1):
        running += author.commits
        if running * 2 > total:
            return count
    return 0


def fold(commits: Iterable[Commit], identity: Identity | None, tags: int = 0) -> History:
    """Fold an iterable of commits (newest first, as `git log` prints them)."""
    folder = HistoryFold(identity)
    for commit in commits:
        folder.add(commit)
    return folder.history(tags)
