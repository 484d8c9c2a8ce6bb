"""Which authors are the user: suggestions from the mined histories, and the portfolio
re-derived for a new set of addresses from the stored reports alone (no git runs: the
per-author work of each history is in its report, mining/identities.py).

Suggestions are addresses (after .mailmap, or as recorded) of people (bots left out), each
with the non-merge commits it would credit: those whose address after .mailmap or as recorded
is it, the same commits `setIdentities` matches. An address is suggested for a reason:
- MAILMAP_ALIAS: .mailmap maps it and one of the portfolio's addresses to the same person;
- SAME_LOCAL_PART: its part before the @ is one of the portfolio's addresses' (case-folded);
- SAME_NAME: its author's name is the name of an author the portfolio's addresses match;
- IN_SEVERAL_PROJECTS, SOLE_AUTHOR: without addresses yet, who committed to more than one of
  the portfolio's repositories, or was the only person committing to one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from graphql_api.db import models
from graphql_api.jobs import persist
from mining.analyze import PortfolioAnalysis, RepresentationPrefs, analyze_portfolio
from mining.history import identities
from mining.records import History, Identity, ProjectReport


class IdentityReason(StrEnum):
    MAILMAP_ALIAS = "mailmap_alias"
    SAME_LOCAL_PART = "same_local_part"
    SAME_NAME = "same_name"
    IN_SEVERAL_PROJECTS = "in_several_projects"
    SOLE_AUTHOR = "sole_author"


@dataclass(frozen=True, slots=True)
class Suggestion:
    email: str  # lower-cased
    name: str  # the name its author is shown with
    commits: int  # non-merge commits with this address, after .mailmap or as recorded
    projects: int  # repositories holding such commits
    reasons: tuple[IdentityReason, ...]
    matched: bool  # the portfolio's addresses already count these commits (.mailmap)


@dataclass(slots=True)
class _Address:
    name: str = ""
    commits: int = 0
    projects: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)  # canonical addresses (after .mailmap)
    matched: bool = False
    sole: bool = False

    def count(self, project: str, person: str, commits: int, *, mine: bool, sole: bool) -> None:
        """Credit this address with one author's commits in one project."""
        self.commits += commits
        self.projects.add(project)
        self.people.add(person)
        self.matched = self.matched or mine
        self.sole = self.sole or sole


class NotRestatable(Exception):
    """Reports stored before the per-author work was kept: only a remine re-derives them."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            f"{len(names)} project(s) were mined before per-author work was kept "
            f"({', '.join(sorted(names)[:3])}): remine the portfolio once"
        )


def suggest(reports: Sequence[ProjectReport], emails: Sequence[str]) -> list[Suggestion]:
    """Addresses in the histories likely to be the user's (module docstring), most reasons
    first, then most commits. Blocking (CPU): run it in a worker thread."""
    identity = Identity.of(*emails)
    seen: dict[str, _Address] = {}
    names_of_user: set[str] = set()
    canon_of_user: set[str] = set()
    for key, report in enumerate(reports):
        if report.history is not None:
            _collect(str(key), report.history, identity, seen, names_of_user, canon_of_user)
    locals_of_user = {e.partition("@")[0] for e in identity.emails}
    found = []
    for email, address in seen.items():
        if email in identity.emails:
            continue
        reasons = _reasons(email, address, locals_of_user, names_of_user, canon_of_user, emails)
        if reasons:
            found.append(_suggestion(email, address, reasons))
    return sorted(found, key=lambda s: (-len(s.reasons), -s.commits, s.email))


def _collect(
    key: str,
    history: History,
    identity: Identity,
    seen: dict[str, _Address],
    names_of_user: set[str],
    canon_of_user: set[str],
) -> None:
    """One history's people into `seen`; the names and canonical addresses of the user's."""
    people = {a.email: a for a in history.collaboration.authors}  # bots are not in it
    widened = identities.widened(identity, history.aliases) if identity.emails else identity
    for work in history.work:
        canonical = work.email.strip().lower()
        person = people.get(canonical)
        if person is None:
            continue
        mine = bool(identity.emails) and (
            widened.matches(work.email) or widened.matches(work.original)
        )
        if mine:
            names_of_user.add(_name(person.name))
            canon_of_user.add(canonical)
        for address in {canonical, work.original.strip().lower()}:
            entry = seen.setdefault(address, _Address(name=person.name))
            entry.count(key, canonical, work.commits, mine=mine, sole=len(people) == 1)


def _reasons(
    email: str,
    address: _Address,
    locals_of_user: set[str],
    names_of_user: set[str],
    canon_of_user: set[str],
    emails: Sequence[str],
) -> tuple[IdentityReason, ...]:
    if not emails:
        return tuple(
            reason
            for reason, holds in (
                (IdentityReason.IN_SEVERAL_PROJECTS, len(address.projects) > 1),
                (IdentityReason.SOLE_AUTHOR, address.sole),
            )
            if holds
        )
    return tuple(
        reason
        for reason, holds in (
            (IdentityReason.MAILMAP_ALIAS, bool(address.people & canon_of_user)),
            (IdentityReason.SAME_LOCAL_PART, email.partition("@")[0] in locals_of_user),
            (IdentityReason.SAME_NAME, _name(address.name) in names_of_user),
        )
        if holds
    )


def _name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _suggestion(email: str, address: _Address, reasons: tuple[IdentityReason, ...]) -> Suggestion:
    return Suggestion(
        email, address.name, address.commits, len(address.projects), reasons, address.matched
    )


@dataclass(frozen=True, slots=True)
class Rederived:
    """A portfolio attributed to new addresses: the projects whose user part changed (to be
    written again), and every live project's analysis (ranking, resume items)."""

    fresh: list[persist.Fresh]
    reports: list[ProjectReport]
    analysis: PortfolioAnalysis


def rederive(
    rows: Iterable[models.RepoStat],
    identity: Identity,
    prefs: RepresentationPrefs,
    weights: dict[str, float],
    now: datetime,
) -> Rederived:
    """Every stored report attributed to `identity` and the portfolio analysed again, as a
    job would, without git. Raises NotRestatable. Blocking (CPU): a worker thread's."""
    restated = _restated(rows, identity)
    live = [new for row, _, new in restated if row.deleted_at is None]
    hidden = [new for row, _, new in restated if row.deleted_at is not None]

    def analysed(reports: list[ProjectReport]) -> PortfolioAnalysis:
        return analyze_portfolio(reports, identity, now=now, prefs=prefs, weights=weights or None)

    analysis = analysed(live)
    by_path = {p.path: p for p in analysis.projects}
    if hidden:  # a soft-deleted project is written again too, but not ranked
        by_path.update({p.path: p for p in analysed(hidden).projects})
    fresh = [  # the projects whose user part changed
        persist.Fresh(new, by_path[new.path], persist.project_values(new, by_path[new.path]))
        for _, report, new in restated
        if new.history != report.history
    ]
    return Rederived(fresh, live, analysis)


def _restated(
    rows: Iterable[models.RepoStat], identity: Identity
) -> list[tuple[models.RepoStat, ProjectReport, ProjectReport]]:
    """Each stored project's row, its report, and the report attributed to `identity`.
    Raises NotRestatable when a report was stored before the per-author work was kept."""
    stored = [(row, persist.load_report(row)) for row in rows if row.report is not None]
    old = [report.name for _, report in stored if not identities.restatable(report)]
    if old:
        raise NotRestatable(old)
    return [(row, report, identities.restate(report, identity)) for row, report in stored]
