"""When the user used each skill, and worked on each project: the months of a project's
history with the user's commits, per skill and for the project as a whole.

Whose commits: the user's own (History.user: their identities, bots and co-authors left out)
when mining had an identity; else every commit (a repository mined without an identity counts
as the user's, as in profile.py). A plain folder has no history and no chronology.

A skill's period is its first and last use (skills.periods_of_use: for a language the user's
first and last commit changing its files, vendored and generated files left out; for a
framework or tool the evidence its skill was credited on). History counts commits per day,
not per skill and day, so a skill's active months are the months of that period in which the
user committed to the project: `commits` is the user's commits in the month, not only those
touching the skill. The first and last day of the first and last month are the skill's first
and last use, exactly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate

from mining.analyze.signals import Signals
from mining.analyze.skills import periods_of_use
from mining.records import History, ProjectReport


@dataclass(frozen=True, slots=True)
class ActiveMonth:
    """A month with the user's commits in a project (within a skill's period of use)."""

    month: date  # its first day
    commits: int
    first_day: date  # the first day of the month with a commit
    last_day: date


@dataclass(frozen=True, slots=True)
class Chronology:
    """The active months of one skill in one project; `skill` None: the whole project."""

    skill: str | None
    months: tuple[ActiveMonth, ...]


def project_chronology(
    report: ProjectReport, signals: Signals, skills: Iterable[str]
) -> tuple[Chronology, ...]:
    """The project's own chronology first, then one per named skill that has a dated use."""
    history = report.history
    if history is None:
        return ()
    calendar, first, last = _credited_span(history)
    if first is None or last is None:
        return ()
    periods = periods_of_use(report, signals)
    months = ActiveMonths(calendar)
    found = [Chronology(None, months.between(first, last))]
    for name in skills:
        start, end = periods.get(name, (None, None))
        if start is not None and end is not None:
            found.append(Chronology(name, months.between(start, end)))
    return tuple(c for c in found if c.months)


def _credited_span(history: History) -> tuple[Mapping[date, int], datetime | None, datetime | None]:
    """The calendar and first and last commit of whoever the work is credited to: the user,
    else (mined without an identity) everyone."""
    user = history.user
    if user is None:
        return history.calendar, history.first_commit, history.last_commit
    return user.calendar, user.first_commit, user.last_commit


class ActiveMonths:
    """A calendar (commits per UTC day) sorted and grouped by month once, for the periods of
    many skills: each period costs two bisections and a look-up per month it spans (a month's
    record, made once, serves every period that spans the same days of it)."""

    __slots__ = ("_days", "_made", "_next_month", "_totals")

    def __init__(self, calendar: Mapping[date, int]) -> None:
        days = sorted(d for d, n in calendar.items() if n > 0)
        self._days = days
        self._totals = list(accumulate((calendar[d] for d in days), initial=0))
        # For each day, the index of the first day of a later month (len(days) for the last).
        self._next_month = [0] * len(days)
        end = len(days)
        for i in range(len(days) - 1, -1, -1):
            self._next_month[i] = end
            if i == 0 or (days[i - 1].year, days[i - 1].month) != (days[i].year, days[i].month):
                end = i
        self._made: dict[tuple[int, int], ActiveMonth] = {}  # by (first day, past its last)

    def between(self, first: datetime, last: datetime) -> tuple[ActiveMonth, ...]:
        """The months with commits from `first` to `last` (both days included)."""
        days, totals, next_month, made = self._days, self._totals, self._next_month, self._made
        i, end = bisect_left(days, first.date()), bisect_right(days, last.date())
        months = []
        while i < end:
            j = min(next_month[i], end)
            month = made.get((i, j))
            if month is None:
                day = days[i]
                month = ActiveMonth(day.replace(day=1), totals[j] - totals[i], day, days[j - 1])
                made[i, j] = month
            months.append(month)
            i = j
        return tuple(months)


def active_months(
    calendar: Mapping[date, int], first: datetime, last: datetime
) -> tuple[ActiveMonth, ...]:
    """The months of `calendar` (commits per UTC day) with commits from `first` to `last`."""
    return ActiveMonths(calendar).between(first, last)
