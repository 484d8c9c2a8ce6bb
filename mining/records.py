"""Frozen records that mining produces and analysis consumes.

Everything here is plain data: no properties that do I/O, no references to processes or files
that are read later. Timestamps are timezone-aware UTC `datetime`s. Mappings are plain dicts
that nobody mutates after construction (a frozen dataclass freezes the binding, not the dict).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

# The kinds live in a module that imports nothing heavy (see there); they are the records' too.
from mining.kinds import ActivityKind as ActivityKind
from mining.kinds import LanguageKind as LanguageKind
from mining.kinds import ProjectKind as ProjectKind


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose work is "the user's": exact, case-insensitive email matches only.

    `emails` holds the user's addresses and any configured aliases, lower-cased.
    bob@x.com never matches jimbob@x.com.
    """

    emails: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *emails: str) -> Identity:
        return cls(frozenset(e.strip().lower() for e in emails if e.strip()))

    def matches(self, email: str) -> bool:
        return email.strip().lower() in self.emails


@dataclass(frozen=True, slots=True)
class LanguageActivity:
    """Lines one person (or everyone) changed in files of one language, from the history pass."""

    added: int
    deleted: int
    commits: int  # commits that touched at least one file of the language
    files: int  # distinct paths of the language touched
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class AuthorStats:
    """One person after .mailmap and case-insensitive email unification."""

    name: str
    email: str  # canonical, lower-cased
    commits: int
    added: int
    deleted: int
    first_commit: datetime
    last_commit: datetime
    share: (
        float  # percent of `History.share_base` (non-merge commits by people), 0..100; 0 for a bot
    )
    bot: bool = False  # an automation account (mining/history/bots.py)


@dataclass(frozen=True, slots=True)
class Collaboration:
    authors: tuple[AuthorStats, ...]  # people (bots left out), most commits first, then email
    bus_factor: int  # fewest people whose commits add up to more than half of people's commits
    is_collaborative: bool  # more than one person committed (a remote alone does not count)
    bots: tuple[AuthorStats, ...] = ()  # automation accounts (mining/history/bots.py), listed apart


@dataclass(frozen=True, slots=True)
class UserStats:
    """The user's own work in one repository (stored as user_repo_stats)."""

    emails: tuple[str, ...]  # the identities that matched, canonical
    commits: int
    first_commit: datetime | None
    last_commit: datetime | None
    share_percent: float  # commits / History.share_base x 100, rounded to 2 decimals
    commits_per_week: float  # commits / weeks between the user's first and last commit (>= 1 week)
    added: int
    deleted: int
    activity: Mapping[ActivityKind, int]  # lines added + deleted per kind of file
    languages: Mapping[str, LanguageActivity]
    files_touched: int
    modules_touched: int  # distinct top-level directories (a file at the root counts as ".")
    calendar: Mapping[date, int]  # commits per UTC day
    role: str  # from documented rules in mining/history/activity.py
    # The user's first commit changing a file of each kind (tests, docs ...): the date of a
    # practice skill earned by those lines.
    activity_first: Mapping[ActivityKind, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FileTouch:
    """Who changed one manifest, configuration or workflow file, and when (history pass).

    Folded as min/max dates and a sum, so slices of a history merge exactly."""

    first: datetime  # anyone's first commit touching the path (author date)
    last: datetime  # anyone's last
    user_commits: int = 0  # the user's commits touching it
    user_first: datetime | None = None
    user_last: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeclaredEdit:
    """The user's commits that added or changed the lines declaring one dependency in one
    shared manifest (package.json, pyproject.toml, go.mod ...), read from that file's diffs."""

    path: str  # the manifest, relative to the project root
    name: str  # the registry name of what those lines declare ("Flask")
    commits: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class ToolTouch:
    """The user's commits on one configuration file declaring several tools (a
    .pre-commit-config.yaml naming Ruff, a tox.ini naming flake8) at or after one tool entered
    it, read from that file's diffs: a touch before the tool was there is no work with it."""

    path: str  # the configuration file, relative to the project root
    name: str  # the tool ("Ruff")
    introduced: datetime  # the oldest commit adding a line that names it, else the file's first
    user_commits: int = 0  # the user's commits on the file at or after `introduced`
    user_first: datetime | None = None
    user_last: datetime | None = None


@dataclass(frozen=True, slots=True)
class LanguageWork:
    """One author's lines in files of one language (`History.work`); files are indices into
    `History.paths`, so the work of several addresses of one person adds up exactly."""

    added: int
    deleted: int
    commits: int
    files: tuple[int, ...]
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class TouchWork:
    """One author's commits on one manifest, configuration or workflow file."""

    commits: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class AuthorWork:
    """The non-merge commits of one author address pair, folded as the user's would be: what
    makes the user's stats for any identity without running git again
    (mining/history/identities.py).

    Keyed by the address after .mailmap as written (%aE) and the address as recorded (%ae),
    the two an Identity is matched against."""

    email: str  # %aE, as written
    original: str  # %ae
    commits: int
    added: int
    deleted: int
    first: datetime
    last: datetime
    activity: Mapping[ActivityKind, int]
    activity_first: Mapping[ActivityKind, datetime]
    calendar: Mapping[date, int]
    files: tuple[int, ...]  # indices into History.paths
    # Per language tally key (history.py: two more keys than languages, for C/C++ headers).
    languages: Mapping[str, LanguageWork]
    touches: Mapping[str, TouchWork]  # declaring files by path
    # Their declaring lines in shared manifests, and the dates of their commits on each other
    # configuration file declaring tools (pipeline.read_declared).
    declared: tuple[DeclaredEdit, ...] = ()
    configured: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolEntry:
    """When one tool entered one configuration file naming several (pipeline.read_declared):
    the oldest commit adding a line that names it, else the file's first commit."""

    path: str
    name: str
    introduced: datetime


@dataclass(frozen=True, slots=True)
class History:
    """Everything the one streaming history pass yields for a repository.

    Dates are author dates (when the work was done), in UTC.
    """

    total_commits: int
    merges: int
    first_commit: datetime | None
    last_commit: datetime | None
    collaboration: Collaboration
    languages: Mapping[str, LanguageActivity]  # everyone's lines per language
    activity: Mapping[ActivityKind, int]  # everyone's lines per kind of file
    calendar: Mapping[date, int]  # everyone's commits per UTC day
    tags: int  # tags reachable from HEAD (releases of the code mined)
    user: UserStats | None  # None when no identity was given
    # The base of every commit share: non-merge commits by people (bots left out).
    share_base: int = 0
    tag_dates: tuple[datetime, ...] = ()  # dates of the `tags` tags (tagger or commit date)
    # Manifests, configuration and workflow files (frameworks.is_manifest) by path: the
    # evidence of who worked with a declared tool, and since when it is surely declared.
    touches: Mapping[str, FileTouch] = field(default_factory=dict)
    # The user's own lines in shared manifests, per declared dependency (pipeline.py).
    user_declared: tuple[DeclaredEdit, ...] = ()
    # Tools declared in configuration files that are not shared manifests, dated from the
    # file's diffs (pipeline.py): the user's touches at or after each tool entered the file.
    tool_touches: tuple[ToolTouch, ...] = ()
    # Per author address pair, the work the user's stats above are made of (identities.py):
    # the user's stats for another identity come from these, not from git.
    work: tuple[AuthorWork, ...] = ()
    paths: tuple[str, ...] = ()  # the files of `work`, sorted
    headers_cpp: bool = False  # `.h` headers are C++ (history.py)
    # `git check-mailmap` of the history's addresses (and the identity's) that .mailmap maps
    # elsewhere: address -> canonical address, lower-cased.
    aliases: Mapping[str, str] = field(default_factory=dict)
    # Whether the diffs of the declaring files were read (pipeline.read_declared).
    declared_read: bool = False
    tool_entries: tuple[ToolEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class LanguageShare:
    name: str  # "Python", not ".py"
    kind: LanguageKind
    bytes: int
    percent: float  # of the bytes of languages of the same kind, 0..100


@dataclass(frozen=True, slots=True)
class LanguageBreakdown:
    """Bytes per language at HEAD, vendored/generated/minified/lock/binary files left out."""

    shares: tuple[LanguageShare, ...] = ()  # programming languages first, then by bytes
    primary: str | None = None  # the programming language with the most bytes


@dataclass(frozen=True, slots=True)
class Detection:
    """A framework, library or tool found in a manifest or configuration file."""

    name: str  # "React", "Flask", "GitHub Actions", "Ruff"
    category: str  # see mining/tree/frameworks.py: framework, library, database, testing, ci, ...
    ecosystem: str  # "python", "javascript", "java", "go", "rust", "ruby", "php", "dotnet", "any"
    source: str  # the path of the file it was found in, relative to the project root


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Files at HEAD that the language breakdown leaves out for one reason (languages.py)."""

    reason: str  # binary, documentation, generated, lock, vendored
    files: int
    bytes: int
    where: tuple[str, ...]  # up to three directories ("requests/packages/urllib3/") holding most


@dataclass(frozen=True, slots=True)
class TreeFacts:
    """What the file list at HEAD says, without reading history."""

    files: int = 0
    counts: Mapping[ActivityKind, int] = field(default_factory=dict)  # files per kind
    notable: tuple[str, ...] = ()  # paths of README, LICENSE, CHANGELOG, CI files, ... (sorted)
    left_out: tuple[LeftOut, ...] = ()  # what the language shares leave out, per reason


@dataclass(frozen=True, slots=True)
class ProjectReport:
    """One mined project: a git repository or a plain folder."""

    name: str
    path: str  # relative to the upload root, "." for the root itself
    kind: ProjectKind
    root_commit: str | None  # the oldest root commit: a stable identity across uploads
    head_commit: str | None
    history: History | None  # None for plain folders and empty repositories
    languages: LanguageBreakdown
    frameworks: tuple[Detection, ...]
    tree: TreeFacts
    # A shallow clone (or a forged `shallow` file): history stops at its grafted boundary, so
    # first commit, totals and shares describe the part that was uploaded, not the project.
    shallow: bool = False


@dataclass(frozen=True, slots=True)
class ProjectFailure:
    """A project that could not be mined, with a stable code (see mining/errors.py)."""

    name: str
    path: str
    code: str
    message: str
