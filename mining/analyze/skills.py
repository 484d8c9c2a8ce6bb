"""Skills of a project (everyone's work) and of the user in it (UserStats).

A skill comes from
- a language: the lines changed in its files (History.languages, or UserStats.languages for the
  user); for a plain folder, the bytes at HEAD (about 40 bytes per line, `BYTES_PER_LINE`);
- a detection (framework, library, tool): measured only through evidence that relates to it,
  by Detection.category:
    testing (pytest, Jest, ...)        the lines of test files the scope changed
                                       (activity[TEST]) and the test files at HEAD;
    ci, linter, formatter,             the lines of configuration files the scope changed
    type_checker, build, container,    (activity[CONFIG]: shared by every configured tool)
    infrastructure                     and the tool's own files (five workflow files are five);
                                       proficiency at most Advanced (`CONFIG_CEILING`);
    framework, library, database,      the lines of its ecosystem's languages (a Flask project's
    data, cloud, messaging, ...        Python lines), scaled by the skill's weight: a framework
                                       (0.7) is credited with 70 % of them, a library (0.4) with
                                       40 %. An ecosystem of "any" (Redis, PostgreSQL, AWS), or
                                       one whose languages the scope never touched, has no
                                       language of its own to measure: only the declaration
                                       counts (files = the manifests declaring it, over the
                                       scope's period, no lines or commits), at most
                                       Intermediate (`DECLARED_CEILING`).
  In the user's scope a detection is the user's only on evidence of their own work with it
  (analyze/attribution.py: they changed its manifest or configuration files, or wrote code in
  its ecosystem while it was surely declared); the evidence sentence names those files and
  dates. A test-measured or configuration-measured tool also needs the user to have changed
  such lines. Tool practices (CI/CD, linting, ...) list only the tools credited to the user.
  A detection declared only in example/demo/sample/fixture folders (signals.py) weighs
  `EXAMPLE_WEIGHT_FACTOR` of its category's weight and is at most Intermediate;
- a practice: testing, documentation (lines of test/docs files), CI/CD, linting, formatting,
  type checking, containers, infrastructure (configuration lines, since that is where these
  practices live), code review (merge commits) and release management (tags). The last two are
  project-level only: history does not say who merged or tagged.

No detection is ever credited with all of the scope's lines: a CI service or a database is not
exercised by every line of code.

Weight (how central to the project, 0..1): a language's share of the scope's lines in
programming and markup languages (bytes percentage for plain folders); a detection or practice
takes the fixed weight of its category from catalogue.py (times `EXAMPLE_WEIGHT_FACTOR` when
example-only). Proficiency: proficiency.py. Each skill carries sentences with the figures
behind it, ending with the proficiency formula filled in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mining.analyze import catalogue as cat
from mining.analyze.attribution import credit
from mining.analyze.practices import practice_facts, practice_usage
from mining.analyze.proficiency import Level, proficiency
from mining.analyze.scope import Scope, Usage, project_scope, user_scope
from mining.analyze.signals import Signals
from mining.records import ActivityKind, Detection, Identity, LanguageKind, ProjectReport
from mining.tree.languages import LANGUAGES

BYTES_PER_LINE = 40
CONFIG_CEILING = 0.74  # configuration lines never make a tool Expert
DECLARED_CEILING = 0.49  # a declaration alone (or only in examples): Intermediate at most
EXAMPLE_WEIGHT_FACTOR = 0.25
_TEST_MEASURED = frozenset({"testing"})
_CONFIG_MEASURED = frozenset(
    {"ci", "linter", "formatter", "type_checker", "build", "container", "infrastructure"}
)
_SKILL_KINDS = (LanguageKind.PROGRAMMING, LanguageKind.MARKUP)


@dataclass(frozen=True, slots=True)
class ProjectSkill:
    name: str
    category: cat.SkillCategory
    weight: float  # 0..1, how central to the project
    proficiency: float  # 0..1
    level: Level
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UserProjectSkill:
    name: str
    category: cat.SkillCategory
    user_email: str  # the user's canonical email (first matched identity)
    weight: float  # 0..1, how central to the user's own work in the project
    proficiency: float
    level: Level
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Found:
    name: str
    category: cat.SkillCategory
    weight: float
    usage: Usage
    facts: tuple[str, ...]


def project_skills(
    report: ProjectReport, signals: Signals, now: datetime
) -> tuple[ProjectSkill, ...]:
    scope = project_scope(report)
    found = _found_in(report, signals, scope)
    return tuple(
        ProjectSkill(f.name, f.category, f.weight, *_rate(f, now)) for f in _ordered(found)
    )


def user_skills(
    report: ProjectReport, signals: Signals, now: datetime, identity: Identity | None = None
) -> tuple[UserProjectSkill, ...]:
    """The user's skills in a collaborative repository; () for solo or foreign repositories.

    `user_email` is the first of the user's matched emails that `identity` names (mining lists
    the canonical one first), so aliases folded by .mailmap still attribute to the user."""
    history = report.history
    if history is None or history.user is None or not history.collaboration.is_collaborative:
        return ()
    user = history.user
    if user.commits == 0 or not user.emails:
        return ()
    email = next((e for e in user.emails if identity and identity.matches(e)), user.emails[0])
    found = _found_in(report, signals, user_scope(user))
    return tuple(
        UserProjectSkill(f.name, f.category, email, f.weight, *_rate(f, now))
        for f in _ordered(found)
    )


def _rate(found: _Found, now: datetime) -> tuple[float, Level, tuple[str, ...]]:
    inputs = found.usage.inputs(now)
    p = proficiency(inputs)
    formula = (
        f"proficiency {p.value:.2f} ({p.level}) = (0.5 x volume {p.volume:.2f} + 0.3 x duration "
        f"{p.duration:.2f} + 0.2 x breadth {p.breadth:.2f}) x (0.6 + 0.4 x recency {p.recency:.2f})"
    )
    if inputs.ceiling < 1.0:
        formula = formula.replace(" = ", f" = min({inputs.ceiling:.2f}, ", 1) + ")"
    return p.value, p.level, (*found.facts, formula)


def _ordered(found: Iterable[_Found]) -> list[_Found]:
    return sorted(
        found, key=lambda f: (-f.weight, f.category != cat.SkillCategory.LANGUAGES, f.name)
    )


def _found_in(report: ProjectReport, signals: Signals, scope: Scope | None) -> list[_Found]:
    kinds = {s.name: s.kind for s in report.languages.shares}
    found = _plain_languages(report) if scope is None else _history_languages(scope, kinds)
    found += _detections(report, signals, scope)
    found += _practices(report, signals, scope)
    # One skill per name: "TypeScript" the language wins over "TypeScript" the type checker
    # (its practice, Type Checking, is still shown).
    unique: dict[str, _Found] = {}
    for f in found:
        unique.setdefault(f.name.casefold(), f)
    return list(unique.values())


def is_skill_language(name: str, kinds: Mapping[str, LanguageKind]) -> bool:
    """Programming and markup languages are skills; data and prose formats are not. A language
    no longer at HEAD is judged by mining/tree/languages.py's table, else by catalogue.py's list."""
    if name in kinds:
        return kinds[name] in _SKILL_KINDS
    if name in LANGUAGES:
        return LANGUAGES[name].kind in _SKILL_KINDS
    return name.casefold() not in cat.NON_SKILL_LANGUAGES


def _history_languages(scope: Scope, kinds: Mapping[str, LanguageKind]) -> list[_Found]:
    langs = {n: a for n, a in scope.languages.items() if is_skill_language(n, kinds)}
    total = sum(a.added + a.deleted for a in langs.values()) or 1
    found = []
    for name, act in langs.items():
        usage = Usage.of_activity(act)
        fact = (
            f"{act.added:,} lines of {name} added and {act.deleted:,} deleted by {scope.who} "
            f"across {act.commits:,} commits in {act.files:,} files, {usage.period()} "
            f"(the first on {act.first:%Y-%m-%d})"
        )
        weight = round((act.added + act.deleted) / total, 4)
        share = (
            f"{name} is {weight:.0%} of the lines {scope.who} changed in programming and markup "
            "languages"
        )
        found.append(_Found(name, cat.SkillCategory.LANGUAGES, weight, usage, (fact, share)))
    return found


def _plain_languages(report: ProjectReport) -> list[_Found]:
    found = []
    for share in report.languages.shares:
        if share.kind not in _SKILL_KINDS:
            continue
        lines = share.bytes // BYTES_PER_LINE
        fact = (
            f"{share.bytes:,} bytes of {share.name} in the folder ({share.percent:.1f}% of its "
            f"{share.kind} code), about {lines:,} lines at {BYTES_PER_LINE} bytes per line; "
            "no git history, so duration and recency are unknown"
        )
        usage = Usage(lines=lines)
        weight = round(share.percent / 100, 4)
        found.append(_Found(share.name, cat.SkillCategory.LANGUAGES, weight, usage, (fact,)))
    return found


def _unique(detections: Iterable[Detection]) -> dict[str, list[Detection]]:
    by_name: dict[str, list[Detection]] = {}
    for d in detections:
        by_name.setdefault(d.name.casefold(), []).append(d)
    return by_name


def _detections(report: ProjectReport, signals: Signals, scope: Scope | None) -> list[_Found]:
    found = []
    for group in _unique(report.frameworks).values():
        first = group[0]
        sources = sorted({d.source for d in group})
        base = cat.detection_weight(first.category)
        example = signals.is_example_only(first.name)
        weight = round(base * EXAMPLE_WEIGHT_FACTOR if example else base, 4)
        why = _users_own(report, signals, scope, first, sources)
        if why == "":
            continue  # inherited from the project: not the user's skill
        measured = _detection_usage(report, signals, scope, first, sources, weight)
        if measured is None:
            continue
        usage, through = measured
        facts = [f"{first.name} ({first.category}) declared in {', '.join(sources)}"]
        if example:
            usage = usage.capped(DECLARED_CEILING)
            facts.append(
                "declared only in example/demo/sample/fixture folders, not by the project "
                f"itself: weight {base:g} x {EXAMPLE_WEIGHT_FACTOR:g} = {weight:g}, "
                "at most Intermediate"
            )
        facts.append(through)
        if why:
            facts.append(why)
        category = cat.detection_category(first.category)
        found.append(_Found(first.name, category, weight, usage, tuple(facts)))
    return found


def _users_own(
    report: ProjectReport,
    signals: Signals,
    scope: Scope | None,
    detection: Detection,
    sources: list[str],
) -> str | None:
    """None outside the user's scope; else the attribution sentence, "" when there is none."""
    history = report.history
    if scope is None or not scope.is_user or history is None or history.user is None:
        return None
    return credit(history, history.user, signals, detection, sources) or ""


def _detection_usage(
    report: ProjectReport,
    signals: Signals,
    scope: Scope | None,
    detection: Detection,
    sources: list[str],
    weight: float,
) -> tuple[Usage, str] | None:
    """The evidence that measures a detection (see the module docstring); None to leave it out."""
    if detection.category in _TEST_MEASURED:
        files = report.tree.counts.get(ActivityKind.TEST, 0)
        return _kind_usage(scope, ActivityKind.TEST, files, "tests", "test files at HEAD")
    if detection.category in _CONFIG_MEASURED:
        tool = signals.tool(detection.name)
        files = len(tool.sources) if tool is not None else len(sources)
        measured = _kind_usage(
            scope, ActivityKind.CONFIG, files, "configuration", f"file(s) of {detection.name}"
        )
        if measured is None:
            return None
        usage, through = measured
        return usage.capped(CONFIG_CEILING), (
            f"{through}; configuration lines are shared by every configured tool, so at most "
            "Advanced"
        )
    return _code_usage(report, scope, detection, sources, weight)


def _kind_usage(
    scope: Scope | None, kind: ActivityKind, files: int, what: str, files_what: str
) -> tuple[Usage, str] | None:
    if scope is None:
        return Usage(files=files), f"{files:,} {files_what}; no git history, so no lines counted"
    lines = scope.activity.get(kind, 0)
    if scope.is_user and not lines:
        return None
    usage = scope.share_of(kind, files)
    return usage, (
        f"measured through the {lines:,} lines of {what} changed by {scope.who} (about "
        f"{usage.commits:,} commits, in proportion to lines) and {files:,} {files_what}, "
        f"{usage.period()}"
    )


def _code_usage(
    report: ProjectReport,
    scope: Scope | None,
    detection: Detection,
    sources: list[str],
    weight: float,
) -> tuple[Usage, str] | None:
    """Weight x the lines of the detection's ecosystem languages, else the declaration only."""
    names = cat.ECOSYSTEM_LANGUAGES.get(detection.ecosystem, ())
    if scope is None:
        return _folder_code_usage(report, names, detection, sources, weight)
    acts = [a for n, a in scope.languages.items() if n in names]
    if acts:
        full = Usage.combine(acts)
        usage = full.scaled(weight)
        langs = "/".join(n for n in names if n in scope.languages)
        return usage, (
            f"exercised through {full.describe(scope.who, langs)}; counted at its weight "
            f"{weight:g}: {usage.lines:,} lines, {usage.commits:,} commits, {usage.files:,} files"
        )
    if scope.commits == 0:
        return None
    return _declared(detection, sources, scope)


def _folder_code_usage(
    report: ProjectReport,
    names: tuple[str, ...],
    detection: Detection,
    sources: list[str],
    weight: float,
) -> tuple[Usage, str]:
    """A plain folder's: weight x the lines (bytes at HEAD) of the ecosystem's languages."""
    shares = [s for s in report.languages.shares if s.name in names]
    if not shares:
        return _declared(detection, sources, None)
    lines = sum(s.bytes for s in shares) // BYTES_PER_LINE
    usage = Usage(lines=lines).scaled(weight)
    langs = "/".join(s.name for s in shares)
    return usage, (
        f"used in a folder with about {lines:,} lines of {langs}; counted at its weight "
        f"{weight:g}: {usage.lines:,} lines"
    )


def _declared(detection: Detection, sources: list[str], scope: Scope | None) -> tuple[Usage, str]:
    names = cat.ECOSYSTEM_LANGUAGES.get(detection.ecosystem, ())
    if names:
        by = f" by {scope.who}" if scope is not None else ""
        why = f"none of its ecosystem's languages ({'/'.join(names)}) was changed{by}"
    else:
        why = f"no language measures how much code uses {detection.name}"
    if scope is None:
        usage = Usage(files=len(sources), ceiling=DECLARED_CEILING)
        return (
            usage,
            f"{why}: only its {len(sources)} declaring file(s) count, at most Intermediate",
        )
    usage = Usage(
        files=len(sources), first=scope.usage.first, last=scope.usage.last, ceiling=DECLARED_CEILING
    )
    return usage, (
        f"{why}: only the declaration counts ({len(sources)} file(s), no lines or commits, over "
        f"{scope.who}'s period {usage.period()}), at most Intermediate"
    )


def _practices(report: ProjectReport, signals: Signals, scope: Scope | None) -> list[_Found]:
    found: list[_Found] = []
    for practice, facts in practice_facts(report, signals, scope).items():
        usage = practice_usage(practice, report, scope)
        weight = cat.PRACTICE_WEIGHT[practice]
        found.append(_Found(practice.value, cat.SkillCategory.PRACTICES, weight, usage, facts))
    return found


def periods_of_use(
    report: ProjectReport, signals: Signals
) -> dict[str, tuple[datetime | None, datetime | None]]:
    """When each skill was used, first and last, by whoever the project's work is credited to:
    the user's own commits when mining had the user's identity (bots and co-authors left out,
    as in `user_skills`, whether the repository is collaborative or not), else everyone's (a
    repository mined without an identity counts as the user's, as in profile.py)."""
    history = report.history
    if history is None:
        return {}
    user = history.user
    scope = project_scope(report) if user is None else user_scope(user)
    return {f.name: (f.usage.first, f.usage.last) for f in _found_in(report, signals, scope)}
