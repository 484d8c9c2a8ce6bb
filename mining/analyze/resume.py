"""Resume items (2-4 bullets per showcased project) and the template summary paragraph.

Bullets are templates filled with mined figures, in this order, each only when its figures exist:
    role   who the user was and how much they did (commits, share, period, lines)
    stack  languages and frameworks (highlighted skills first, hidden skills never; otherwise
           by weight, only skills of weight >= 0.05 and never a detection declared only in
           example/demo folders - Flask's examples/celery is not Flask's stack)
    craft  tests, CI and code-quality tooling; in a collaborative repository only the tools
           credited to the user (analyze/attribution.py) and the user's own test lines
    impact releases (tags reachable from HEAD, those dated within the user's period when the
           user committed), co-contributors and merges - worded as the project's facts
and a health bullet when fewer than two of those apply, so there are always two to four.

Every share is "N of M non-merge commits (P%)" with P = N / M, where M is
`History.share_base` (non-merge commits by people: merges and bots counted in neither N nor M).

A repository where the identity made no commit gets no bullets at all: nothing in it is the
user's work. Its summary says so ("listed for its project facts only").

The template summary names whose each period is: the repository's history (first to last commit
of anyone) and, when the user committed, the user's own first to last commit.

Category: "experience" for a collaborative repository where the user is a core contributor
(share >= 25 %, or among the `bus_factor` authors with the most commits); otherwise "projects".
Everything is a function of the inputs, so regenerating gives identical items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mining.analyze.catalogue import SkillCategory
from mining.analyze.health import HealthScore
from mining.analyze.prefs import RepresentationPrefs, override_datetime
from mining.analyze.signals import Signals, ToolUse
from mining.analyze.skills import ProjectSkill, UserProjectSkill
from mining.records import ActivityKind, History, ProjectReport, UserStats

CORE_SHARE_PERCENT = 25.0
STACK_SIZE = 6
STACK_MIN_WEIGHT = 0.05  # 5 % of the lines for a language; every catalogue category passes
_STACK_CATEGORIES = (
    SkillCategory.LANGUAGES,
    SkillCategory.FRAMEWORKS,
    SkillCategory.LIBRARIES,
    SkillCategory.DATABASES,
    SkillCategory.DATA,
    SkillCategory.CLOUD_DEVOPS,
)


class ResumeCategory(StrEnum):
    PROJECTS = "projects"
    EXPERIENCE = "experience"


@dataclass(frozen=True, slots=True)
class ResumeItem:
    title: str
    content: str
    category: ResumeCategory


@dataclass(frozen=True, slots=True)
class ResumeContext:
    """Everything a project's bullets and summary are made of."""

    report: ProjectReport
    skills: Sequence[ProjectSkill | UserProjectSkill]  # the skills shown for the user's work
    signals: Signals
    health: HealthScore
    prefs: RepresentationPrefs


def stack(ctx: ResumeContext) -> tuple[str, ...]:
    """Up to six names: highlighted skills first (in the prefs' order), then by weight (the
    skills' order). Left out: hidden skills and, unless highlighted, detections declared only
    in example folders and skills of weight below STACK_MIN_WEIGHT."""
    prefs = ctx.prefs

    def shown(skill: ProjectSkill | UserProjectSkill) -> bool:
        if skill.category not in _STACK_CATEGORIES or prefs.is_hidden(skill.name):
            return False
        if prefs.highlight_rank(skill.name) < len(prefs.highlight_skills):
            return True
        return skill.weight >= STACK_MIN_WEIGHT and not ctx.signals.is_example_only(skill.name)

    names = [s.name for s in ctx.skills if shown(s)]
    ranked = sorted(enumerate(names), key=lambda p: (ctx.prefs.highlight_rank(p[1]), p[0]))
    return tuple(name for _, name in ranked[:STACK_SIZE])


def period(ctx: ResumeContext) -> tuple[datetime, datetime] | None:
    """The user's first/last commit (else the repository's), chronology overrides applied."""
    history = ctx.report.history
    first = last = None
    if history is not None:
        user = history.user
        own = user is not None and user.commits > 0
        first = user.first_commit if own and user else history.first_commit
        last = user.last_commit if own and user else history.last_commit
    chron = ctx.prefs.chronology(ctx.report.path, ctx.report.name)
    first, last = override_datetime(chron.first, first), override_datetime(chron.last, last)
    return (first, last) if first and last else None


def category(history: History | None) -> ResumeCategory:
    if history is None or history.user is None or not history.collaboration.is_collaborative:
        return ResumeCategory.PROJECTS
    user = history.user
    core = {a.email for a in history.collaboration.authors[: history.collaboration.bus_factor]}
    if user.share_percent >= CORE_SHARE_PERCENT or core & set(user.emails):
        return ResumeCategory.EXPERIENCE
    return ResumeCategory.PROJECTS


def resume_items(ctx: ResumeContext) -> tuple[ResumeItem, ...]:
    """Two to four bullets, or () when the project is not showcased."""
    report = ctx.report
    if not ctx.prefs.is_showcased(report.path, report.name) or not contributed(report):
        return ()
    bullets = [b for b in (_role(ctx), _stack(ctx), _craft(ctx), _impact(ctx)) if b]
    if len(bullets) < 2:
        bullets.append(_health(ctx))
    kind = category(report.history)
    return tuple(ResumeItem(f"{report.name}: {title}", text, kind) for title, text in bullets[:4])


def contributed(report: ProjectReport) -> bool:
    """False only when an identity was given and none of the repository's commits is the
    user's: such a project carries no personal claim (bullets, user skills, period)."""
    history = report.history
    return history is None or history.user is None or history.user.commits > 0


def share_text(history: History) -> str:
    """ "804 of 3,806 non-merge commits (21%)": both counted the same way (module docstring)."""
    user = history.user
    assert user is not None
    people = " by people" if history.collaboration.bots else ""
    return (
        f"{user.commits:,} of {history.share_base:,} non-merge commits{people} "
        f"({user.share_percent:.0f}%)"
    )


def plural(count: int, word: str) -> str:
    """ "1 tagged release", "2 tagged releases" (a regular plural is enough for our words)."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _span(ctx: ResumeContext) -> str:
    found = period(ctx)
    return f"{found[0]:%b %Y} to {found[1]:%b %Y}" if found else "an undated period"


def _role(ctx: ResumeContext) -> tuple[str, str]:
    report, history = ctx.report, ctx.report.history
    if history is None:
        primary = report.languages.primary or "software"
        return "project", (
            f"Developed {report.name}, a {primary} project of {report.tree.files:,} files."
        )
    user = history.user
    if user is not None and user.commits and history.collaboration.is_collaborative:
        return user.role, (
            f"{user.role} on {report.name}: authored {share_text(history)} from {_span(ctx)}, "
            f"adding {user.added:,} lines across {plural(user.files_touched, 'file')}."
        )
    added = user.added if user is not None and user.commits else _added(history)
    commits = user.commits if user is not None and user.commits else history.total_commits
    return "author", (
        f"Built {report.name} from {_span(ctx)}: {plural(commits, 'commit')} "
        f"adding {added:,} lines."
    )


def _added(history: History) -> int:
    return sum(a.added for a in history.languages.values())


def _stack(ctx: ResumeContext) -> tuple[str, str] | None:
    names = stack(ctx)
    if not names:
        return None
    return "technology stack", f"Developed with {_join(names)}."


def _craft(ctx: ResumeContext) -> tuple[str, str] | None:
    sig = ctx.signals
    user = _shared_user(ctx)
    mine = {s.name.casefold() for s in ctx.skills}

    def names(tools: Sequence[ToolUse]) -> list[str]:
        shown = [t for t in tools if not ctx.prefs.is_hidden(t.name)]
        if user is not None:  # a shared repository: only the tools credited to the user
            shown = [t for t in shown if t.name.casefold() in mine]
        return _distinct(t.name for t in shown)

    parts = []
    tests = user.activity.get(ActivityKind.TEST, 0) if user is not None else sig.test_files
    if tests:
        fw = "/".join(names(sig.test_frameworks))
        what = f"{tests:,} lines of tests" if user is not None else plural(tests, "test file")
        parts.append(what + (f" ({fw})" if fw else ""))
    if ci := names(sig.of_kind("ci")):
        parts.append(f"continuous integration on {_join(ci)}")
    if quality := names(sig.of_kind("linter", "formatter", "type_checker")):
        parts.append(f"{_join(quality)} checks")
    if not parts:
        return None
    return "engineering practices", f"Backed the code with {_join(parts)}."


def _shared_user(ctx: ResumeContext) -> UserStats | None:
    """The user's stats in a collaborative repository (where project facts are not theirs)."""
    history = ctx.report.history
    if history is None or history.user is None or not history.collaboration.is_collaborative:
        return None
    return history.user


def _impact(ctx: ResumeContext) -> tuple[str, str] | None:
    history = ctx.report.history
    if history is None:
        return None
    parts = []
    others = len(history.collaboration.authors) - 1
    if others > 0:
        merges = f" through {plural(history.merges, 'merge')}" if history.merges else ""
        parts.append(f"collaborated with {plural(others, 'other contributor')}{merges}")
    releases = _releases(ctx)
    if releases:
        parts.append(releases)
    if not parts:
        return None
    text = "; ".join(parts)
    return "delivery", text[0].upper() + text[1:] + "."


def _releases(ctx: ResumeContext) -> str | None:
    """The project's releases (tags reachable from HEAD); with the user's own commits, only
    those dated within the user's first to last commit, worded as the project's."""
    history = ctx.report.history
    assert history is not None
    user = history.user
    if user is None or not user.commits or user.first_commit is None or not history.tag_dates:
        return f"the project has {plural(history.tags, 'tagged release')}" if history.tags else None
    first, last = user.first_commit, user.last_commit or user.first_commit
    during = sum(1 for d in history.tag_dates if first <= d <= last)
    if not during:
        return None
    return f"the project tagged {plural(during, 'release')} during the user's commits"


def _distinct(names: Iterable[str]) -> list[str]:
    """One name per tool: "TypeScript (strict)" is TypeScript already named, not a second tool."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.split(" (", 1)[0].casefold(), name.split(" (", 1)[0])
    return list(seen.values())


def _health(ctx: ResumeContext) -> tuple[str, str]:
    best = sorted(
        (c for c in ctx.health.components if c.points),
        key=lambda c: (-c.points / c.max_points, c.name),
    )[:3]
    strengths = _join([c.name.replace("_", " ") for c in best]) or "no scored components yet"
    return "repository health", (
        f"Maintained a repository health score of {ctx.health.score:g}/100 ({strengths})."
    )


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def template_summary(ctx: ResumeContext) -> str:
    """A paragraph that always exists; the LLM summary (graphql_api/llm/summary.py) may replace it.

    Each period says whose it is: the repository's history runs from its first to its last
    commit (anyone's); the user's period is their own first to last commit (with chronology
    overrides). When the user made no commit, only the repository's period is given, with the
    overrides, since that is then the period shown for the project."""
    report, history = ctx.report, ctx.report.history
    primary = report.languages.primary or "software"
    text = f"{report.name} is a {primary} project"
    if history is not None:
        user = history.user
        own = user is not None and user.commits > 0
        repo_span = _repo_span(history) if own else _span(ctx)
        people = len(history.collaboration.authors)
        text += (
            f" with {plural(history.total_commits, 'commit')} by {plural(people, 'contributor')}"
            f"; the repository's history runs from {repo_span}"
        )
        if user is not None and own:
            text += f". The user authored {share_text(history)} as {user.role}, from {_span(ctx)}"
        elif user is not None:
            text += ". The user made no commit in it: it is listed for its project facts only"
    else:
        text += f" of {report.tree.files:,} files without git history"
    names = stack(ctx)
    if names:
        text += f". Stack: {_join(names)}"
    return text + f". Repository health: {ctx.health.score:g}/100."


def _repo_span(history: History) -> str:
    first, last = history.first_commit, history.last_commit
    return f"{first:%b %Y} to {last:%b %Y}" if first and last else "an undated period"
