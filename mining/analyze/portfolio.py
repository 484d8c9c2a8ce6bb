"""A portfolio analysed: the per-project results and the profile, built in one pass."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mining.analyze.chronology import Chronology, project_chronology
from mining.analyze.evidence import Evidence, project_evidence
from mining.analyze.health import HealthScore, health_score
from mining.analyze.prefs import RepresentationPrefs, override_datetime
from mining.analyze.profile import DeveloperProfile, ProfileInput, build_profile
from mining.analyze.ranking import RankedProject, rank_input, rank_projects
from mining.analyze.resume import ResumeContext, ResumeItem, resume_items, template_summary
from mining.analyze.signals import Signals, signals_of
from mining.analyze.skills import ProjectSkill, UserProjectSkill, project_skills, user_skills
from mining.analyze.weights import resolve_weights
from mining.records import Identity, ProjectKind, ProjectReport


@dataclass(frozen=True, slots=True)
class ProjectAnalysis:
    path: str
    name: str
    kind: ProjectKind
    skills: tuple[ProjectSkill, ...]  # everyone's work; hidden skills removed
    user_skills: tuple[UserProjectSkill, ...]  # the user's work in a collaborative repository
    evidence: tuple[Evidence, ...]
    health: HealthScore
    rank: RankedProject  # score, components, position, showcased
    resume_items: tuple[ResumeItem, ...]  # () unless showcased
    summary: str  # the template summary
    # The user's active months in the project, then per skill of theirs (chronology.py).
    chronology: tuple[Chronology, ...] = ()


@dataclass(frozen=True, slots=True)
class PortfolioAnalysis:
    projects: tuple[ProjectAnalysis, ...]  # in ranking order
    ranking: tuple[str, ...]  # project paths in ranking order
    profile: DeveloperProfile
    weights: Mapping[str, float]  # the weights used, defaults merged with the caller's
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class _Staged:
    report: ProjectReport
    signals: Signals
    skills: tuple[ProjectSkill, ...]
    user_skills: tuple[UserProjectSkill, ...]
    health: HealthScore
    first: datetime | None
    last: datetime | None

    @property
    def owned(self) -> tuple[ProjectSkill, ...] | tuple[UserProjectSkill, ...]:
        """The skills that show the user's own work (see profile.py for whose work counts)."""
        history = self.report.history
        if history is not None and history.user is not None:
            if history.collaboration.is_collaborative:
                return self.user_skills
            if history.user.commits == 0:
                return ()
        return self.skills


def analyze_portfolio(
    reports: Sequence[ProjectReport],
    identity: Identity,
    *,
    now: datetime,
    prefs: RepresentationPrefs | None = None,
    weights: Mapping[str, float] | None = None,
) -> PortfolioAnalysis:
    """Analyse every mined project and the portfolio as a whole.

    `identity` is the one mining used to compute each `History.user`; without emails the
    whole of every repository is taken as the user's. Raises InvalidWeightsError (a
    ValueError) for bad `weights`, before any other work.
    """
    prefs = prefs or RepresentationPrefs()
    resolved = resolve_weights(weights)
    staged = [_stage(report, now, prefs, identity) for report in reports]
    inputs = [
        rank_input(s.report, health=s.health.score, skills=len(s.owned), last_activity=s.last)
        for s in staged
    ]
    ranked = rank_projects(inputs, resolved, now, prefs)
    by_key = {(s.report.path, s.report.name): s for s in staged}
    projects = tuple(_finish(by_key[(r.path, r.name)], r, now, prefs) for r in ranked)
    profile = build_profile(
        [ProfileInput(s.report, s.owned, s.first, s.last) for s in staged], prefs
    )
    return PortfolioAnalysis(
        projects=projects,
        ranking=tuple(r.path for r in ranked),
        profile=profile,
        weights={f.value: w for f, w in resolved.items()},
        generated_at=now,
    )


def _stage(
    report: ProjectReport, now: datetime, prefs: RepresentationPrefs, identity: Identity
) -> _Staged:
    signals = signals_of(report)
    skills = tuple(s for s in project_skills(report, signals, now) if not prefs.is_hidden(s.name))
    found = user_skills(report, signals, now, identity)
    mine = tuple(s for s in found if not prefs.is_hidden(s.name))
    first, last = _period(report)
    chron = prefs.chronology(report.path, report.name)
    return _Staged(
        report,
        signals,
        skills,
        mine,
        health_score(report.history, signals, now),
        override_datetime(chron.first, first),
        override_datetime(chron.last, last),
    )


def _period(report: ProjectReport) -> tuple[datetime | None, datetime | None]:
    history = report.history
    if history is None:
        return None, None
    user = history.user
    if user is not None and user.commits:
        return user.first_commit, user.last_commit
    return history.first_commit, history.last_commit


def _finish(
    s: _Staged, ranked: RankedProject, now: datetime, prefs: RepresentationPrefs
) -> ProjectAnalysis:
    ctx = ResumeContext(s.report, s.owned, s.signals, s.health, prefs)
    return ProjectAnalysis(
        path=s.report.path,
        name=s.report.name,
        kind=s.report.kind,
        skills=s.skills,
        user_skills=s.user_skills,
        evidence=project_evidence(s.report, s.signals, s.health, ranked, now),
        health=s.health,
        rank=ranked,
        resume_items=resume_items(ctx),
        summary=template_summary(ctx),
        chronology=project_chronology(s.report, s.signals, (skill.name for skill in s.owned)),
    )
