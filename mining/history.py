"""Folds parsed commits, one at a time, into `records.History` and the user's `UserStats`.

Nothing keeps a list of commits: memory grows with the number of authors, distinct paths and
days, never with the length of history. Rules:

* Authors are unified by .mailmap (git already applied it: %aN/%aE) and then by the
  case-insensitive email. The name shown is the one on the newest commit (git log prints newest
  first).
* Shares, bus factor and the user's commits count non-merge commits only: a merge records no work
  of its own (git log prints no numstat for it). `total_commits` and the calendars count all.
* Bots (mining/bots.py) are listed apart (`Collaboration.bots`): the base of every share
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

A history read in slices (mining/log_reader.py) is folded slice by slice and the folds merged
newest first with `absorb`; the two figures that depend on order (an author's shown name, the
root commit) come out as the single pass gives them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from mining import activity, bots, frameworks, languages
from mining.errors import MiningError
from mining.parse.log import Commit
from mining.records import (
    ActivityKind,
    AuthorStats,
    Collaboration,
    FileTouch,
    History,
    Identity,
    LanguageActivity,
    UserStats,
)

_WEEK_SECONDS = 7 * 24 * 3600


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
        if self.first is None or when < self.first:
            self.first = when
        if self.last is None or when > self.last:
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


@dataclass(slots=True)
class _Tally:
    """Work of a group of commits (everyone's, or the user's)."""

    commits: int = 0
    added: int = 0
    deleted: int = 0
    span: _Span = field(default_factory=_Span)
    languages: defaultdict[str, _Lang] = field(default_factory=lambda: defaultdict(_Lang))
    activity: Counter[ActivityKind] = field(default_factory=Counter)
    calendar: Counter[date] = field(default_factory=Counter)
    files: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    kinds: dict[ActivityKind, _Span] = field(default_factory=dict)  # the user's only

    def absorb(self, other: _Tally) -> None:
        self.commits += other.commits
        self.added += other.added
        self.deleted += other.deleted
        self.span.absorb(other.span)
        for name, lang in other.languages.items():
            self.languages[name].absorb(lang)
        # update(), not +=: Counter addition drops zero counts, which the single pass keeps.
        self.activity.update(other.activity)
        self.calendar.update(other.calendar)
        self.files |= other.files
        self.emails |= other.emails
        for kind, span in other.kinds.items():
            self.kinds.setdefault(kind, _Span()).absorb(span)

    def languages_record(self, headers_cpp: bool = False) -> dict[str, LanguageActivity]:
        """Per language; `.h` headers are C++ when `headers_cpp` (C_HEADERS_CPP below)."""
        langs = dict(self.languages)
        c_sources, cpp_or_header = langs.pop(_C_SOURCES, None), langs.pop(_CPP_OR_HEADER, None)
        if headers_cpp and cpp_or_header is not None:
            langs["C++"] = cpp_or_header
            if c_sources is None:
                langs.pop("C", None)
            else:
                langs["C"] = c_sources
        return {name: lang.record() for name, lang in sorted(langs.items())}


@dataclass(slots=True)
class _Touch:
    everyone: _Span = field(default_factory=_Span)
    user: _Span = field(default_factory=_Span)
    user_commits: int = 0

    def absorb(self, other: _Touch) -> None:
        self.everyone.absorb(other.everyone)
        self.user.absorb(other.user)
        self.user_commits += other.user_commits

    def record(self) -> FileTouch:
        first, last = self.everyone.bounds()
        return FileTouch(first, last, self.user_commits, self.user.first, self.user.last)


# A `.h` header is C or C++: linguist tells by its content, history has its path only. Folded
# under two more keys besides the languages, so either reading is exact at the end: C sources
# alone (.c), and C++ sources with the headers. The headers are C++ when the history changed
# more lines of C++ sources than of C sources (`HistoryFold.headers_cpp`), as linguist reads
# the headers of a C++ project.
_C_SOURCES = "\0C sources"
_CPP_OR_HEADER = "\0C++ or header"


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


class HistoryFold:
    """Feed commits newest first with `add()`; read the result with `history()`."""

    def __init__(self, identity: Identity | None, paths: PathCache | None = None) -> None:
        self.identity = identity if identity and identity.emails else None
        self.total = 0
        self.merges = 0
        self.root_commit: str | None = None  # the last root seen = oldest (rev-list order)
        self.everyone = _Tally()
        self.user = _Tally()
        self._authors: dict[str, _Author] = {}  # by lower-cased email
        self._by_address: dict[str, _Author] = {}  # by the address as written
        self._mine_by_emails: dict[tuple[str, str], bool] = {}
        self._paths = paths or PathCache()
        self._touches: dict[str, _Touch] = {}

    def add(self, commit: Commit) -> None:
        self.total += 1
        when = commit.author_date
        day = when.date()
        everyone = self.everyone
        everyone.calendar[day] += 1
        everyone.span.see(when)
        if not commit.parents:
            self.root_commit = commit.hash
        if len(commit.parents) > 1:  # a merge
            self.merges += 1
            return
        author = self._author(commit)
        everyone.commits += 1
        if self._mine(commit.author_email, commit.original_email):
            user = self.user
            user.commits += 1
            user.calendar[day] += 1
            user.span.see(when)
            user.emails.add(author.email)
            self._changes(commit, author, (everyone, user))
            self._kinds(commit, user)
            self._touch(commit, True)
        else:
            self._changes(commit, author, (everyone,))
            self._touch(commit, False)

    def _kinds(self, commit: Commit, user: _Tally) -> None:
        """The user's first and last commit per kind of file (left-out files count nowhere)."""
        info_of = self._paths.info
        kinds = {i.kind for c in commit.modified_files if not (i := info_of(c.new_path)).excluded}
        for kind in kinds:
            span = user.kinds.get(kind)
            if span is None:
                span = user.kinds[kind] = _Span()
            span.see(commit.author_date)

    def _touch(self, commit: Commit, mine: bool) -> None:
        info_of = self._paths.info
        for change in commit.modified_files:
            if not info_of(change.new_path).declaring:
                continue
            touch = self._touches.get(change.new_path)
            if touch is None:
                touch = self._touches[change.new_path] = _Touch()
            touch.everyone.see(commit.author_date)
            if mine:
                touch.user.see(commit.author_date)
                touch.user_commits += 1

    def _mine(self, email: str, original: str) -> bool:
        """Whether the user made a commit with these addresses (remembered: few distinct pairs)."""
        key = (email, original)
        mine = self._mine_by_emails.get(key)
        if mine is None:
            identity = self.identity
            mine = identity is not None and (identity.matches(email) or identity.matches(original))
            self._mine_by_emails[key] = mine
        return mine

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

    def _changes(self, commit: Commit, author: _Author, tallies: tuple[_Tally, ...]) -> None:
        """The commit's changed files into the author's lines and each tally.

        The hottest loop of mining, hence locals and no helper calls per file."""
        info_of = self._paths.info
        when = commit.author_date
        seen_languages: set[str] = set()
        author_added = author_deleted = 0
        for path, _, added_lines, deleted_lines, _ in commit.modified_files:
            info = info_of(path)
            if info.excluded:
                continue
            binary = added_lines is None
            added, deleted = added_lines or 0, deleted_lines or 0
            author_added += added
            author_deleted += deleted
            weight = 1 if binary else added + deleted
            kind = info.kind
            # (key, is this commit's first change in it): a commit counts once per language.
            keys = [(key, key not in seen_languages) for key in info.tallied]
            seen_languages.update(info.tallied)
            for tally in tallies:
                tally.added += added
                tally.deleted += deleted
                tally.activity[kind] += weight
                tally.files.add(path)
                for key, first in keys:
                    lang = tally.languages[key]
                    lang.added += added
                    lang.deleted += deleted
                    lang.files.add(path)
                    if first:
                        lang.commits += 1
                        lang.span.see(when)
        author.added += author_added
        author.deleted += author_deleted

    def absorb(self, older: HistoryFold) -> None:
        """Add the fold of the slice of history right after (older than) ours."""
        self.total += older.total
        self.merges += older.merges
        self.root_commit = older.root_commit or self.root_commit  # the oldest root wins
        self.everyone.absorb(older.everyone)
        self.user.absorb(older.user)
        for email, author in older._authors.items():
            mine = self._authors.get(email)
            if mine is None:
                self._authors[email] = author
            else:
                mine.absorb(author)
        for path, touch in older._touches.items():
            kept = self._touches.get(path)
            if kept is None:
                self._touches[path] = touch
            else:
                kept.absorb(touch)

    def history(self, tags: int = 0, tag_dates: tuple[datetime, ...] = ()) -> History:
        every = self.authors()
        authors = tuple(a for a in every if not a.bot)
        return History(
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
            languages=self.everyone.languages_record(self.headers_cpp()),
            activity=dict(sorted(self.everyone.activity.items())),
            calendar=dict(sorted(self.everyone.calendar.items())),
            tags=tags,
            user=None if self.identity is None else self.user_stats(len(authors)),
            share_base=self.share_base(),
            tag_dates=tag_dates,
            touches={p: t.record() for p, t in sorted(self._touches.items())},
        )

    def headers_cpp(self) -> bool:
        """Whether `.h` headers count as C++: everyone changed more lines of C++ sources than
        of C sources (see _CPP_OR_HEADER)."""
        langs = self.everyone.languages
        cpp, c = langs.get("C++"), langs.get(_C_SOURCES)
        if cpp is None:
            return False
        return cpp.added + cpp.deleted > (0 if c is None else c.added + c.deleted)

    def share_base(self) -> int:
        """Non-merge commits by people: the one denominator of every share."""
        return sum(a.commits for a in self._authors.values() if not bots.is_bot(a.name, a.email))

    def authors(self) -> tuple[AuthorStats, ...]:
        """Everyone who committed (people and bots), most commits first; `share` is of
        `share_base`, and 0 for a bot."""
        whole = self.share_base()
        stats = []
        for a in self._authors.values():
            bot = bots.is_bot(a.name, a.email)
            share = 0.0 if bot else percent(a.commits, whole)
            first, last = a.span.bounds()
            stats.append(
                AuthorStats(a.name, a.email, a.commits, a.added, a.deleted, first, last, share, bot)
            )
        return tuple(sorted(stats, key=lambda a: (-a.commits, a.email)))

    def user_stats(self, authors: int) -> UserStats:
        user = self.user
        share = percent(user.commits, self.share_base())
        kinds = dict(sorted(user.activity.items()))
        return UserStats(
            emails=tuple(sorted(user.emails)),
            commits=user.commits,
            first_commit=user.span.first,
            last_commit=user.span.last,
            share_percent=share,
            commits_per_week=per_week(user.commits, user.span),
            added=user.added,
            deleted=user.deleted,
            activity=kinds,
            languages=user.languages_record(self.headers_cpp()),
            files_touched=len(user.files),
            modules_touched=len({activity.module_of(p) for p in user.files}),
            calendar=dict(sorted(user.calendar.items())),
            role=activity.role(user.commits, authors, share, kinds),
            activity_first={
                k: s.first for k, s in sorted(user.kinds.items()) if s.first is not None
            },
        )


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def per_week(commits: int, span: _Span) -> float:
    """Commits per week between the first and the last commit, the span counted as >= 1 week."""
    if span.first is None or span.last is None:
        return 0.0
    weeks = max(1.0, (span.last - span.first).total_seconds() / _WEEK_SECONDS)
    return round(commits / weeks, 2)


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
