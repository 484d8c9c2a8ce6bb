"""Resume items (2-4 bullets per showcased project) and the template summary paragraph.

Bullets are templates filled with mined figures, in this order, each only when its figures exist:
    role   who the user was and how much they did (commits, share, period, lines)
    stack  languages and frameworks (highlighted skills first, hidden skills never; otherwise
           by weight, only skills of weight >= 0.05 and never a detection declared only in
           example/demo folders - Flask's examples/celery is not Flask's stack)
    craft  tests, CI and code-quality tooling
    impact tags/releases, co-contributors and merges
and a health bullet when fewer than two of those apply, so there are always two to four.

The template summary names whose each period is: the repository's history (first to last commit
of anyone) and, when the user committed, the user's own first to last commit.

Category: "experience" for a collaborative repository where the user is a core contributor
(share >= 25 %, or among the `bus_factor` authors with the most commits); otherwise "projects".
Everything is a function of the inputs, so regenerating gives identical items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mining.analyze.catalogue import SkillCategory
from mining.analyze.health import HealthScore
from mining.analyze.prefs import RepresentationPrefs, override_datetime
from mining.analyze.signals import Signals, ToolUse
from mining.analyze.skills import ProjectSkill, UserProjectSkill
from mining.records import History, ProjectReport

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
    if not ctx.prefs.is_showcased(report.path, report.name):
        return ()
    bullets = [b for b in (_role(ctx), _stack(ctx), _craft(ctx), _impact(ctx)) if b]
    if len(bullets) < 2:
        bullets.append(_health(ctx))
    kind = category(report.history)
    return tuple(ResumeItem(f"{report.name}: {title}", text, kind) for title, text in bullets[:4])


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
            f"{user.role} on {report.name}: authored {user.commits:,} of "
            f"{history.total_commits:,} commits ({user.share_percent:.0f}%) from {_span(ctx)}, "
            f"adding {user.added:,} lines across {user.files_touched:,} files."
        )
    added = user.added if user is not None and user.commits else _added(history)
    return "author", (
        f"Built {report.name} from {_span(ctx)}: {history.total_commits:,} commits "
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

    def names(tools: Sequence[ToolUse]) -> list[str]:
        return [t.name for t in tools if not ctx.prefs.is_hidden(t.name)]

    parts = []
    if sig.test_files:
        fw = "/".join(names(sig.test_frameworks))
        parts.append(f"{sig.test_files:,} test files" + (f" ({fw})" if fw else ""))
    if ci := names(sig.of_kind("ci")):
        parts.append(f"continuous integration on {_join(ci)}")
    if quality := names(sig.of_kind("linter", "formatter", "type_checker")):
        parts.append(f"{_join(quality)} checks")
    if not parts:
        return None
    return "engineering practices", f"Backed the code with {_join(parts)}."


def _impact(ctx: ResumeContext) -> tuple[str, str] | None:
    history = ctx.report.history
    if history is None:
        return None
    parts = []
    if history.tags:
        parts.append(f"shipped {history.tags:,} tagged releases")
    others = len(history.collaboration.authors) - 1
    if others > 0:
        merges = f" through {history.merges:,} merges" if history.merges else ""
        parts.append(f"collaborated with {others} other contributor(s){merges}")
    if not parts:
        return None
    text = _join(parts)
    return "delivery", text[0].upper() + text[1:] + "."


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
    """A paragraph that always exists; the LLM summary (mining/summary.py) may replace it.

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
        text += (
            f" with {history.total_commits:,} commits by "
            f"{len(history.collaboration.authors)} contributor(s); the repository's history "
            f"runs from {repo_span}"
        )
        if user is not None and own:
            text += (
                f". The user authored {user.share_percent:.0f}% of the commits as {user.role}, "
                f"from {_span(ctx)}"
            )
    else:
        text += f" of {report.tree.files:,} files without git history"
    names = stack(ctx)
    if names:
        text += f". Stack: {_join(names)}"
    return text + f". Repository health: {ctx.health.score:g}/100."


def _repo_span(history: History) -> str:
    first, last = history.first_commit, history.last_commit
    return f"{first:%b %Y} to {last:%b %Y}" if first and last else "an undated period"
