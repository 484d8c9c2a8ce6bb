"""Ranking the projects of a portfolio by a weighted sum of normalised factors.

    score = 100 x sum(w_f x n_f) / sum(w_f)           over the factors f in weights.Factor

    factor         raw value                                normalised n_f in [0, 1]
    contribution   the user's share of commits, percent     raw / 100
    size           bytes of programming code at HEAD        L(raw, 2_000_000)
    complexity     files at HEAD                            L(raw, 1_000)
    recency        days since the last commit               0.5 ** (raw / 365); 0.5 if unknown
    diversity      distinct skills the user shows           min(1, raw / 12)
    health         health score                             raw / 100
    collaboration  authors                                  0 if solo, else
                                                            min(1, log2(raw) / log2(10))

L is the saturating log scale of proficiency.py. Contribution without a user identity is 100 %
for a solo repository and 100 / authors for a shared one; a plain folder counts as the user's.
Each component reports raw, normalised, weight and contribution = 100 x w_f x n_f / sum(w),
so the contributions add up to the score.

Order: projects named in prefs.project_order first, in that order; then projects with a manual
rank (prefs.custom_rankings), by rank; then the rest. Within each group: projects the user
contributed to before repositories where the identity made no commit, then score descending
(a custom score replaces the computed one), last commit descending (unknown last), name, path.

A repository without a commit of the user's is ranked by project facts only: its
contribution and diversity are 0 (no share, no skill of the user's) and its recency is the
repository's last commit, so only size, complexity, recency, health and collaboration score it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from mining.analyze.prefs import RepresentationPrefs
from mining.analyze.proficiency import log_scale
from mining.analyze.weights import Factor
from mining.records import LanguageKind, ProjectReport

SIZE_SATURATION = 2_000_000
FILES_SATURATION = 1_000
DIVERSITY_SATURATION = 12
RECENCY_HALF_LIFE_DAYS = 365.0
COLLABORATION_SATURATION = 10


@dataclass(frozen=True, slots=True)
class RankInput:
    """What ranking needs of one project, after prefs (chronology, hidden skills) applied."""

    path: str
    name: str
    share_percent: float
    code_bytes: int
    files: int
    last_activity: datetime | None
    skills: int
    health: float
    authors: int
    contributed: bool = True  # False: an identity was given and made no commit here


@dataclass(frozen=True, slots=True)
class RankComponent:
    name: Factor
    raw: float | None  # None when unknown (recency of a folder without history)
    normalised: float
    weight: float
    contribution: float  # points of the score, 0..100


@dataclass(frozen=True, slots=True)
class RankedProject:
    path: str
    name: str
    position: int  # 1-based, after prefs
    score: float  # 0..100; the custom score when one is set
    computed_score: float
    components: tuple[RankComponent, ...]
    comparison: tuple[RankComponent, ...]  # the components named in prefs.comparison_attributes
    showcased: bool
    manual_rank: int | None
    order_index: int | None  # position in prefs.project_order
    last_activity: datetime | None
    contributed: bool = True  # False: no commit of the user's (ranked by project facts only)


def rank_input(
    report: ProjectReport, *, health: float, skills: int, last_activity: datetime | None
) -> RankInput:
    code = sum(s.bytes for s in report.languages.shares if s.kind is LanguageKind.PROGRAMMING)
    history = report.history
    authors = len(history.collaboration.authors) if history is not None else 1
    return RankInput(
        path=report.path,
        name=report.name,
        share_percent=_share(report),
        code_bytes=code or sum(s.bytes for s in report.languages.shares),
        files=report.tree.files,
        last_activity=last_activity,
        skills=skills,
        health=health,
        authors=authors,
        contributed=history is None or history.user is None or history.user.commits > 0,
    )


def _share(report: ProjectReport) -> float:
    history = report.history
    if history is None:
        return 100.0
    if history.user is not None:
        return history.user.share_percent
    return 100.0 / max(1, len(history.collaboration.authors))


def normalise(factor: Factor, item: RankInput, now: datetime) -> tuple[float | None, float]:
    """(raw, normalised) of one factor; see the module docstring for each formula."""
    match factor:
        case Factor.CONTRIBUTION:
            return item.share_percent, min(1.0, max(0.0, item.share_percent / 100))
        case Factor.SIZE:
            return float(item.code_bytes), log_scale(item.code_bytes, SIZE_SATURATION)
        case Factor.COMPLEXITY:
            return float(item.files), log_scale(item.files, FILES_SATURATION)
        case Factor.RECENCY:
            if item.last_activity is None:
                return None, 0.5
            days = max(0.0, (now - item.last_activity).total_seconds() / 86_400)
            return round(days, 2), float(0.5 ** (days / RECENCY_HALF_LIFE_DAYS))
        case Factor.DIVERSITY:
            return float(item.skills), min(1.0, item.skills / DIVERSITY_SATURATION)
        case Factor.HEALTH:
            return item.health, item.health / 100
        case Factor.COLLABORATION:
            if item.authors <= 1:  # solo, or no person at all (every commit a bot's)
                return float(item.authors), 0.0
            collab = math.log2(item.authors) / math.log2(COLLABORATION_SATURATION)
            return float(item.authors), min(1.0, collab)


def score(
    item: RankInput, weights: Mapping[Factor, float], now: datetime
) -> tuple[float, tuple[RankComponent, ...]]:
    """The score and its components; the score sums unrounded parts, the components show
    them rounded."""
    total = sum(weights.values())
    components, exact = [], 0.0
    for factor in Factor:
        raw, norm = normalise(factor, item, now)
        weight = weights.get(factor, 0.0)
        part = 100 * weight * norm / total
        exact += part
        components.append(RankComponent(factor, raw, round(norm, 4), weight, round(part, 2)))
    return round(exact, 2), tuple(components)


def rank_projects(
    items: Sequence[RankInput],
    weights: Mapping[Factor, float],
    now: datetime,
    prefs: RepresentationPrefs,
) -> tuple[RankedProject, ...]:
    """Score every project and order them (see the module docstring); `weights` come from
    weights.resolve_weights, so they are already validated."""
    unordered = [_ranked(item, weights, now, prefs) for item in items]
    ordered = sorted(unordered, key=_order_key)
    return tuple(_at(r, i) for i, r in enumerate(ordered, start=1))


def _ranked(
    item: RankInput, weights: Mapping[Factor, float], now: datetime, prefs: RepresentationPrefs
) -> RankedProject:
    computed, components = score(item, weights, now)
    custom = prefs.custom(item.path, item.name)
    return RankedProject(
        path=item.path,
        name=item.name,
        position=0,
        score=computed if custom.score is None else round(custom.score, 2),
        computed_score=computed,
        components=components,
        comparison=tuple(c for c in components if prefs.compares(c.name)),
        showcased=prefs.is_showcased(item.path, item.name),
        manual_rank=custom.rank,
        order_index=prefs.order_index(item.path, item.name),
        last_activity=item.last_activity,
        contributed=item.contributed,
    )


def _order_key(r: RankedProject) -> tuple[object, ...]:
    last = r.last_activity.timestamp() if r.last_activity is not None else -math.inf
    return (
        r.order_index is None,
        r.order_index or 0,
        r.manual_rank is None,
        r.manual_rank or 0,
        not r.contributed,
        -r.score,
        -last,
        r.name,
        r.path,
    )


def _at(ranked: RankedProject, position: int) -> RankedProject:
    return replace(ranked, position=position)
