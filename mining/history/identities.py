"""The user's part of a history, for any identity, from the per-author work alone (no git).

The history pass folds every author address pair's non-merge commits apart (`History.work`:
lines, languages, files, calendar, kinds of work, declaring files touched) and the diffs of the
declaring files per pair (`AuthorWork.declared`, `.configured`). The user's stats are those of
the pairs the identity matches, added up: sums, min/max dates and unions of file indices, which
is exactly what folding the matched commits alone gives, since each commit has one pair. So
`attribute(history, identity)` is how mining computes `History.user` and the user's part of
`touches`, `user_declared` and `tool_touches` in the first place, and how a new identity
(setIdentities) gets them later from the stored report.

An identity matches a pair when it names the address after .mailmap (%aE) or as recorded
(%ae), both compared lower-cased; it is first widened by what .mailmap maps its addresses to
(`History.aliases`, from `git check-mailmap` of the history's addresses and the mining
identity's). An address that appears in no commit and was not in the mining identity is taken
as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from mining.history import activity
from mining.records import (
    ActivityKind,
    AuthorWork,
    DeclaredEdit,
    Detection,
    FileTouch,
    History,
    Identity,
    LanguageActivity,
    LanguageWork,
    ProjectReport,
    ToolTouch,
    UserStats,
)

_WEEK_SECONDS = 7 * 24 * 3600

# A `.h` header is C or C++: see history.py. Tallied under two more keys besides the languages.
C_SOURCES = "\0C sources"
CPP_OR_HEADER = "\0C++ or header"

T = TypeVar("T")


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def per_week(commits: int, first: datetime | None, last: datetime | None) -> float:
    """Commits per week between the first and the last commit, the span counted as >= 1 week."""
    if first is None or last is None:
        return 0.0
    weeks = max(1.0, (last - first).total_seconds() / _WEEK_SECONDS)
    return round(commits / weeks, 2)


def resolve_headers(tallies: Mapping[str, T], headers_cpp: bool) -> dict[str, T]:
    """Per language, from the tallies with the two header keys: `.h` headers are C++ when
    `headers_cpp` (C++ then takes the C++-or-header tally; C keeps its .c sources)."""
    langs = dict(tallies)
    c_sources, cpp_or_header = langs.pop(C_SOURCES, None), langs.pop(CPP_OR_HEADER, None)
    if headers_cpp and cpp_or_header is not None:
        langs["C++"] = cpp_or_header
        if c_sources is None:
            langs.pop("C", None)
        else:
            langs["C"] = c_sources
    return dict(sorted(langs.items()))


def widened(identity: Identity, aliases: Mapping[str, str]) -> Identity:
    """The identity with the addresses .mailmap maps its addresses to."""
    return Identity(identity.emails | {aliases[e] for e in identity.emails if e in aliases})


def matched(history: History, identity: Identity) -> list[AuthorWork]:
    """The author address pairs of the identity (`widened` first)."""
    return [w for w in history.work if identity.matches(w.email) or identity.matches(w.original)]


def attribute(
    history: History, identity: Identity | None, detections: Sequence[Detection] = ()
) -> History:
    """`history` with the user's stats, touches, declaring lines and tool touches of
    `identity` (None or no emails: no user, as mining without an identity)."""
    if identity is None or not identity.emails:
        touches = {p: _touch(t, []) for p, t in history.touches.items()}
        return dataclasses.replace(
            history, user=None, touches=touches, user_declared=(), tool_touches=()
        )
    mine = matched(history, widened(identity, history.aliases))
    user = user_stats(history, mine)
    touches = {path: _touch(t, mine, path) for path, t in history.touches.items()}
    edits, tools = _declared(history, mine, touches, detections) if user.commits else ((), ())
    return dataclasses.replace(
        history, user=user, touches=touches, user_declared=edits, tool_touches=tools
    )


def user_stats(history: History, mine: Sequence[AuthorWork]) -> UserStats:
    """The stats of the matched pairs' commits, as folding those commits alone gives them."""
    commits = sum(w.commits for w in mine)
    first, last = _span(mine)
    share = percent(commits, history.share_base)
    kinds = dict(sorted(_summed(w.activity for w in mine).items()))
    files = _file_indices(mine)
    authors = len(history.collaboration.authors)
    return UserStats(
        emails=tuple(sorted({w.email.strip().lower() for w in mine})),
        commits=commits,
        first_commit=first,
        last_commit=last,
        share_percent=share,
        commits_per_week=per_week(commits, first, last),
        added=sum(w.added for w in mine),
        deleted=sum(w.deleted for w in mine),
        activity=kinds,
        languages=_languages(history, mine),
        files_touched=len(files),
        modules_touched=len({activity.module_of(history.paths[i]) for i in files}),
        calendar=dict(sorted(_summed(w.calendar for w in mine).items())),
        role=activity.role(commits, authors, share, kinds),
        activity_first=_first_of_each(mine),
    )


def _span(mine: Sequence[AuthorWork]) -> tuple[datetime | None, datetime | None]:
    """The first and last of the matched pairs' commits."""
    return min((w.first for w in mine), default=None), max((w.last for w in mine), default=None)


def _file_indices(mine: Sequence[AuthorWork]) -> set[int]:
    return {i for w in mine for i in w.files}


def _summed(counts: Iterable[Mapping[T, int]]) -> dict[T, int]:
    total: dict[T, int] = {}
    for each in counts:
        for key, n in each.items():
            total[key] = total.get(key, 0) + n
    return total


def _first_of_each(mine: Sequence[AuthorWork]) -> dict[ActivityKind, datetime]:
    first: dict[ActivityKind, datetime] = {}
    for w in mine:
        for kind, when in w.activity_first.items():
            first[kind] = min(when, first.get(kind, when))
    return dict(sorted(first.items()))


def _languages(history: History, mine: Sequence[AuthorWork]) -> dict[str, LanguageActivity]:
    keys = sorted({key for w in mine for key in w.languages})
    merged = {
        key: _merged_language([w.languages[key] for w in mine if key in w.languages])
        for key in keys
    }
    return resolve_headers(merged, history.headers_cpp)


def _merged_language(parts: Sequence[LanguageWork]) -> LanguageActivity:
    """One language's work of several pairs, as one author's."""
    return LanguageActivity(
        sum(p.added for p in parts),
        sum(p.deleted for p in parts),
        sum(p.commits for p in parts),
        len({i for p in parts for i in p.files}),
        min(p.first for p in parts),
        max(p.last for p in parts),
    )


def _touch(everyone: FileTouch, mine: Sequence[AuthorWork], path: str = "") -> FileTouch:
    parts = [w.touches[path] for w in mine if path in w.touches]
    return FileTouch(
        everyone.first,
        everyone.last,
        sum(p.commits for p in parts),
        min((p.first for p in parts), default=None),
        max((p.last for p in parts), default=None),
    )


def _declared(
    history: History,
    mine: Sequence[AuthorWork],
    touches: Mapping[str, FileTouch],
    detections: Sequence[Detection],
) -> tuple[tuple[DeclaredEdit, ...], tuple[ToolTouch, ...]]:
    """In the shared manifests at HEAD the user changed, the user's declaring lines per
    dependency; in the other configuration files the user changed, the user's commits at or
    after each tool entered the file (pipeline.read_declared read them per pair)."""
    from mining.tree import frameworks  # the registry: loaded where it is used (pipeline.py)

    if not history.declared_read:
        return (), ()
    names: dict[str, list[str]] = {}
    tools: dict[str, list[str]] = {}
    for d in detections:
        touch = touches.get(d.source)
        if touch is not None and touch.user_commits:
            shared = frameworks.is_shared_manifest(d.source)
            (names if shared else tools).setdefault(d.source, []).append(d.name)
    if not names and not tools:
        return (), ()
    return _edits(mine, names), _tool_touches(history, mine, tools)


def _edits(mine: Sequence[AuthorWork], names: Mapping[str, list[str]]) -> tuple[DeclaredEdit, ...]:
    found: dict[tuple[str, str], list[DeclaredEdit]] = {}
    for w in mine:
        for e in w.declared:
            if e.name in names.get(e.path, ()):
                found.setdefault((e.path, e.name), []).append(e)
    return tuple(
        DeclaredEdit(
            path,
            name,
            sum(e.commits for e in parts),
            min(e.first for e in parts),
            max(e.last for e in parts),
        )
        for (path, name), parts in sorted(found.items())
    )


def _tool_touches(
    history: History, mine: Sequence[AuthorWork], tools: Mapping[str, list[str]]
) -> tuple[ToolTouch, ...]:
    entered = {(t.path, t.name): t.introduced for t in history.tool_entries}
    touches = []
    for path, tool_names in sorted(tools.items()):
        dates = [d for w in mine for d in w.configured.get(path, ())]
        for name in sorted(tool_names):
            since = entered.get((path, name), history.touches[path].first)
            after = [d for d in dates if d >= since]
            first, last = (min(after), max(after)) if after else (None, None)
            touches.append(ToolTouch(path, name, since, len(after), first, last))
    return tuple(touches)


def restatable(report: ProjectReport) -> bool:
    """Whether the report holds the per-author work its user is attributed from: a report
    stored before it was kept has commits of people but no work."""
    history = report.history
    return history is None or bool(history.work) or history.total_commits == history.merges


def restate(report: ProjectReport, identity: Identity) -> ProjectReport:
    """A stored report attributed to another identity: no git runs."""
    if report.history is None:
        return report
    history = attribute(report.history, identity, report.frameworks)
    return dataclasses.replace(report, history=history)
