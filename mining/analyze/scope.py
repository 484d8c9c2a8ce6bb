"""Whose work a skill is measured on (everyone's, or the user's) and how much of it there is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from mining.analyze.proficiency import ProficiencyInputs, age_days, months_between
from mining.records import ActivityKind, LanguageActivity, ProjectReport, UserStats


@dataclass(frozen=True, slots=True)
class Usage:
    """Volume, breadth and period of use of one skill; becomes ProficiencyInputs at `now`."""

    lines: int = 0
    commits: int = 0
    files: int = 0
    first: datetime | None = None
    last: datetime | None = None
    ceiling: float = 1.0  # the highest proficiency this evidence supports (proficiency.py)

    @classmethod
    def of_activity(cls, act: LanguageActivity) -> Usage:
        return cls(act.added + act.deleted, act.commits, act.files, act.first, act.last)

    @classmethod
    def combine(cls, acts: Iterable[LanguageActivity]) -> Usage:
        """Lines and files add up; commits take the maximum, because one commit that touches
        both a .js and a .ts file is counted under each language."""
        items = list(acts)
        return cls(
            lines=sum(a.added + a.deleted for a in items),
            commits=max((a.commits for a in items), default=0),
            files=sum(a.files for a in items),
            first=min((a.first for a in items), default=None),
            last=max((a.last for a in items), default=None),
        )

    def with_volume(self, *, lines: int, commits: int, files: int) -> Usage:
        return replace(self, lines=lines, commits=commits, files=files)

    def scaled(self, factor: float) -> Usage:
        """Lines, commits and files times `factor` (0..1), rounded; the period is kept. Each
        is a non-decreasing function of the unscaled figure, so proficiency stays monotone."""
        return self.with_volume(
            lines=round(self.lines * factor),
            commits=round(self.commits * factor),
            files=round(self.files * factor),
        )

    def capped(self, ceiling: float) -> Usage:
        return replace(self, ceiling=min(self.ceiling, ceiling))

    def inputs(self, now: datetime) -> ProficiencyInputs:
        months = months_between(self.first, self.last) if self.first and self.last else 0
        return ProficiencyInputs(
            self.lines, self.commits, months, self.files, age_days(self.last, now), self.ceiling
        )

    def period(self) -> str:
        if self.first is None or self.last is None:
            return "dates unknown"
        return f"{self.first:%Y-%m} to {self.last:%Y-%m}"

    def describe(self, who: str, what: str) -> str:
        return (
            f"{self.lines:,} lines of code ({what}) changed by {who} across {self.commits:,} "
            f"commits, {self.period()}"
        )


@dataclass(frozen=True, slots=True)
class Scope:
    who: str  # "all contributors" or "the user", used in evidence sentences
    is_user: bool
    languages: Mapping[str, LanguageActivity]
    activity: Mapping[ActivityKind, int]
    commits: int
    usage: Usage  # all of the scope's work

    def share_of(self, kind: ActivityKind, files: int) -> Usage:
        """Usage of one kind of file. History counts commits per language, not per kind, so the
        commits are estimated in proportion to lines: commits x lines(kind) / lines(all kinds)."""
        lines = self.activity.get(kind, 0)
        total = sum(self.activity.values())
        commits = round(self.commits * lines / total) if total else 0
        return self.usage.with_volume(lines=lines, commits=commits, files=files)


def project_scope(report: ProjectReport) -> Scope | None:
    history = report.history
    if history is None:
        return None
    usage = Usage(
        lines=sum(a.added + a.deleted for a in history.languages.values()),
        commits=history.total_commits,
        files=report.tree.files,
        first=history.first_commit,
        last=history.last_commit,
    )
    return Scope(
        "all contributors", False, history.languages, history.activity, history.total_commits, usage
    )


def user_scope(user: UserStats) -> Scope:
    usage = Usage(
        lines=user.added + user.deleted,
        commits=user.commits,
        files=user.files_touched,
        first=user.first_commit,
        last=user.last_commit,
    )
    return Scope("the user", True, user.languages, user.activity, user.commits, usage)
