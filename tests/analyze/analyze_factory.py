"""Hand-built mining records for the analysis tests: every figure is a literal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from mining.analyze.ranking import RankInput
from mining.analyze.signals import signals_of
from mining.analyze.skills import ProjectSkill, UserProjectSkill, project_skills, user_skills
from mining.records import (
    ActivityKind,
    AuthorStats,
    Collaboration,
    DeclaredEdit,
    Detection,
    FileTouch,
    History,
    Identity,
    LanguageActivity,
    LanguageBreakdown,
    LanguageKind,
    LanguageShare,
    ProjectKind,
    ProjectReport,
    TreeFacts,
    UserStats,
)

NOW = datetime(2024, 1, 1, tzinfo=UTC)
USER = "me@example.com"
# A ranking input with every factor away from its edges (tests/analyze/test_analyze_rank*.py).
RANK_INPUT = RankInput(
    path="a",
    name="a",
    share_percent=50.0,
    code_bytes=0,
    files=0,
    last_activity=NOW - timedelta(days=365),
    skills=6,
    health=80.0,
    authors=10,
)


def dt(year: int, month: int, day: int = 1) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def lang(
    added: int,
    deleted: int = 0,
    commits: int = 1,
    files: int = 1,
    first: datetime | None = None,
    last: datetime | None = None,
) -> LanguageActivity:
    return LanguageActivity(
        added, deleted, commits, files, first or dt(2023, 1), last or dt(2023, 6)
    )


def author(email: str, commits: int, share: float) -> AuthorStats:
    return AuthorStats(
        email.split("@")[0], email, commits, 100 * commits, 0, dt(2023, 1), dt(2023, 6), share
    )


def user_stats(
    *,
    commits: int = 10,
    share: float = 100.0,
    languages: Mapping[str, LanguageActivity] | None = None,
    activity: Mapping[ActivityKind, int] | None = None,
    calendar: Mapping[date, int] | None = None,
    first: datetime | None = None,
    last: datetime | None = None,
    role: str = "Lead Developer",
    emails: tuple[str, ...] = (USER,),
) -> UserStats:
    langs = languages if languages is not None else {"Python": lang(1000, 100, commits, 10)}
    kinds = activity if activity is not None else {ActivityKind.CODE: 1100}
    return UserStats(
        emails=emails,
        commits=commits,
        first_commit=first or dt(2023, 1),
        last_commit=last or dt(2023, 6),
        share_percent=share,
        commits_per_week=1.5,
        added=sum(a.added for a in langs.values()),
        deleted=sum(a.deleted for a in langs.values()),
        activity=kinds,
        languages=langs,
        files_touched=12,
        modules_touched=3,
        calendar=calendar if calendar is not None else {date(2023, 1, 2): commits},
        role=role,
        # Each kind of file the user changed, first changed on the user's first commit.
        activity_first={k: first or dt(2023, 1) for k, lines in kinds.items() if lines},
    )


def history(
    *,
    total: int = 10,
    merges: int = 0,
    tags: int = 0,
    first: datetime | None = None,
    last: datetime | None = None,
    authors: Sequence[AuthorStats] | None = None,
    bus_factor: int = 1,
    languages: Mapping[str, LanguageActivity] | None = None,
    activity: Mapping[ActivityKind, int] | None = None,
    calendar: Mapping[date, int] | None = None,
    user: UserStats | None = None,
    share_base: int | None = None,
    tag_dates: Sequence[datetime] = (),
) -> History:
    people = tuple(authors) if authors is not None else (author(USER, total, 100.0),)
    return History(
        total_commits=total,
        merges=merges,
        first_commit=first or dt(2023, 1),
        last_commit=last or dt(2023, 6),
        collaboration=Collaboration(people, bus_factor, len(people) > 1),
        languages=languages if languages is not None else {"Python": lang(1000, 100, total, 10)},
        activity=activity if activity is not None else {ActivityKind.CODE: 1100},
        calendar=calendar if calendar is not None else {date(2023, 1, 2): total},
        tags=tags,
        user=user,
        share_base=total - merges if share_base is None else share_base,
        tag_dates=tuple(tag_dates),
    )


def share(
    name: str, size: int, percent: float, kind: LanguageKind = LanguageKind.PROGRAMMING
) -> LanguageShare:
    return LanguageShare(name, kind, size, percent)


def detection(
    name: str, category: str, ecosystem: str = "python", source: str = "pyproject.toml"
) -> Detection:
    return Detection(name, category, ecosystem, source)


def report(
    name: str = "proj",
    *,
    path: str | None = None,
    history: History | None = None,
    shares: Sequence[LanguageShare] = (),
    frameworks: Sequence[Detection] = (),
    files: int = 20,
    counts: Mapping[ActivityKind, int] | None = None,
    notable: Sequence[str] = (),
    user_touched: bool = True,
) -> ProjectReport:
    """`user_touched`: unless the history names its touches, the user changed every declaring
    file (manifests and notable files) once, at their first commit, writing the lines that
    declare each detection: the user's own work."""
    primary = next((s.name for s in shares if s.kind is LanguageKind.PROGRAMMING), None)
    if history is not None and history.user is not None and user_touched and not history.touches:
        when = history.user.first_commit or dt(2023, 1)
        paths = {d.source for d in frameworks} | set(notable)
        touches = {p: FileTouch(when, when, 1, when, when) for p in sorted(paths)}
        declared = tuple(DeclaredEdit(d.source, d.name, 1, when, when) for d in frameworks)
        history = replace(history, touches=touches, user_declared=declared)
    return ProjectReport(
        name=name,
        path=path if path is not None else name,
        kind=ProjectKind.WORKTREE if history is not None else ProjectKind.PLAIN,
        root_commit="a" * 40 if history is not None else None,
        head_commit="b" * 40 if history is not None else None,
        history=history,
        languages=LanguageBreakdown(tuple(shares), primary),
        frameworks=tuple(frameworks),
        tree=TreeFacts(files, dict(counts or {}), tuple(sorted(notable))),
    )


def skills_by_name(r: ProjectReport) -> dict[str, ProjectSkill]:
    """The project's skills, by name, as of NOW."""
    return {s.name: s for s in project_skills(r, signals_of(r), NOW)}


def own_skills_by_name(
    r: ProjectReport, identity: Identity | None = None
) -> dict[str, UserProjectSkill]:
    """The user's own skills in the project, by name, as of NOW."""
    return {s.name: s for s in user_skills(r, signals_of(r), NOW, identity)}
