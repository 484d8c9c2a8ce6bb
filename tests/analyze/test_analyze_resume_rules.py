"""Resume bullets and summary, rule by rule: whose period, which category, which bullets.

Each case builds the ResumeContext from literal records (a hand-made health score where the
bullet shows one), so every sentence below follows from the templates of resume.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from mining.analyze.catalogue import SkillCategory
from mining.analyze.health import HealthComponent, HealthScore
from mining.analyze.prefs import ChronologyOverride, RepresentationPrefs
from mining.analyze.proficiency import Level
from mining.analyze.resume import (
    ResumeCategory,
    ResumeContext,
    category,
    period,
    resume_items,
    stack,
    template_summary,
)
from mining.analyze.signals import signals_of
from mining.analyze.skills import ProjectSkill
from mining.records import ActivityKind, History, LanguageKind, ProjectReport
from tests.analyze.analyze_factory import (
    USER,
    author,
    detection,
    dt,
    history,
    lang,
    report,
    share,
    user_stats,
)

NO_HEALTH = HealthScore(0.0, ())


def _ctx(
    r: ProjectReport,
    skills: Sequence[ProjectSkill] = (),
    prefs: RepresentationPrefs | None = None,
    health: HealthScore = NO_HEALTH,
) -> ResumeContext:
    return ResumeContext(r, skills, signals_of(r), health, prefs or RepresentationPrefs())


def _bullets(ctx: ResumeContext) -> list[tuple[str, str]]:
    return [(i.title, i.content) for i in resume_items(ctx)]


def _skill(name: str, category: SkillCategory, weight: float) -> ProjectSkill:
    return ProjectSkill(name, category, weight, 0.5, Level.ADVANCED, ())


def test_the_stack_keeps_a_five_percent_language_and_puts_highlights_first() -> None:
    skills = [
        _skill("Python", SkillCategory.LANGUAGES, 0.8),
        _skill("Go", SkillCategory.LANGUAGES, 0.05),
        _skill("Shell", SkillCategory.LANGUAGES, 0.0499),
        _skill("Flask", SkillCategory.FRAMEWORKS, 0.7),
    ]
    r = report(history=history())
    assert stack(_ctx(r, skills)) == ("Python", "Go", "Flask")
    flask_first = RepresentationPrefs(highlight_skills=("Flask",))
    assert stack(_ctx(r, skills, flask_first)) == ("Flask", "Python", "Go")


def test_one_commit_of_the_users_is_their_period() -> None:
    me = user_stats(commits=1, share=10.0, first=dt(2022, 5, 3), last=dt(2022, 5, 3))
    ctx = _ctx(report(history=history(first=dt(2020, 1), last=dt(2023, 6), user=me)))
    assert period(ctx) == (dt(2022, 5, 3), dt(2022, 5, 3))
    assert _bullets(ctx)[0] == (
        "proj: author",
        "Built proj from May 2022 to May 2022: 1 commit adding 1,000 lines.",
    )
    assert template_summary(ctx) == (
        "proj is a software project with 10 commits by 1 contributor; the repository's history "
        "runs from Jan 2020 to Jun 2023. The user authored 1 of 10 non-merge commits (10%) as "
        "Lead Developer, from May 2022 to May 2022. Repository health: 0/100."
    )


def test_the_users_last_commit_ends_their_period() -> None:
    me = user_stats(first=dt(2021, 3, 2), last=dt(2022, 11, 5))
    ctx = _ctx(report(history=history(first=dt(2020, 1), last=dt(2023, 6), user=me)))
    assert period(ctx) == (dt(2021, 3, 2), dt(2022, 11, 5))


def test_a_solo_authors_bullet_counts_their_own_commits_and_lines() -> None:
    # Two of the ten commits are someone else's (a co-author): the user's 8 and 700 lines count.
    me = user_stats(commits=8, languages={"Python": lang(700, 50, 8, 5)})
    ctx = _ctx(report(history=history(total=10, user=me)))
    assert _bullets(ctx)[0] == (
        "proj: author",
        "Built proj from Jan 2023 to Jun 2023: 8 commits adding 700 lines.",
    )


def test_a_chronology_override_is_found_by_path_or_by_name() -> None:
    r = report("api", path="/work/api", history=history())
    moved = ChronologyOverride(first=date(2020, 9, 1))
    for key in ("/work/api", "api"):
        found = period(_ctx(r, prefs=RepresentationPrefs(chronology_overrides={key: moved})))
        assert found is not None
        assert (found[0].date(), found[1]) == (date(2020, 9, 1), dt(2023, 6))


def test_an_undated_history_says_so() -> None:
    undated = replace(history(), first_commit=None)
    ctx = _ctx(report(history=undated))
    assert period(ctx) is None
    assert _bullets(ctx)[0] == (
        "proj: author",
        "Built proj from an undated period: 10 commits adding 1,000 lines.",
    )
    # With the user's own (dated) commits, only the repository's period is unknown.
    mine = _ctx(report(history=replace(undated, user=user_stats())))
    assert template_summary(mine) == (
        "proj is a software project with 10 commits by 1 contributor; the repository's history "
        "runs from an undated period. The user authored 10 of 10 non-merge commits (100%) as "
        "Lead Developer, from Jan 2023 to Jun 2023. Repository health: 0/100."
    )


def test_a_user_without_commits_gets_no_bullets_and_the_repositorys_period() -> None:
    me = replace(user_stats(commits=0), first_commit=None, last_commit=None)
    h = history(authors=[author("bob@example.com", 10, 100.0)], user=me)
    moved = RepresentationPrefs(
        chronology_overrides={"proj": ChronologyOverride(first=date(2020, 9, 1))}
    )
    ctx = _ctx(report(history=h), prefs=moved)
    assert resume_items(ctx) == ()
    # Without an override the repository's own period (the user has none).
    assert period(_ctx(report(history=h))) == (dt(2023, 1), dt(2023, 6))
    assert template_summary(ctx) == (
        "proj is a software project with 10 commits by 1 contributor; the repository's history "
        "runs from Sep 2020 to Jun 2023. The user made no commit in it: it is listed for its "
        "project facts only. Repository health: 0/100."
    )


def _shared(user_share: float, **kwargs: object) -> History:
    me = user_stats(commits=6, share=user_share)
    return history(
        authors=[author("bob@example.com", 12, 60.0), author(USER, 6, user_share)],
        bus_factor=1,
        user=me,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_quarter_of_the_commits_makes_a_core_contributor() -> None:
    assert category(_shared(25.0)) is ResumeCategory.EXPERIENCE
    assert category(_shared(24.9)) is ResumeCategory.PROJECTS
    # Mined without an identity: nobody's experience.
    assert category(replace(_shared(25.0), user=None)) is ResumeCategory.PROJECTS


def test_commits_by_bots_are_left_out_of_the_share() -> None:
    h = _shared(60.0, total=10)
    bots = (author("ci-bot@example.com", 5, 0.0),)
    h = replace(h, collaboration=replace(h.collaboration, bots=bots))
    assert _bullets(_ctx(report("api", history=h)))[0] == (
        "api: Lead Developer",
        "Lead Developer on api: authored 6 of 10 non-merge commits by people (60%) from Jan 2023 "
        "to Jun 2023, adding 1,000 lines across 12 files.",
    )


def test_a_collaborative_repository_mined_without_an_identity_is_everyones() -> None:
    h = history(authors=[author(USER, 6, 60.0), author("bob@example.com", 4, 40.0)])
    r = report(
        history=h,
        frameworks=[detection("pytest", "testing")],
        counts={ActivityKind.TEST: 3},
    )
    assert _bullets(_ctx(r)) == [
        ("proj: author", "Built proj from Jan 2023 to Jun 2023: 10 commits adding 1,000 lines."),
        ("proj: engineering practices", "Backed the code with 3 test files (pytest)."),
        ("proj: delivery", "Collaborated with 1 other contributor."),
    ]


def test_a_solo_repositorys_tests_are_the_projects_files() -> None:
    me = user_stats(activity={ActivityKind.CODE: 900, ActivityKind.TEST: 300})
    r = report(
        history=history(user=me),
        frameworks=[detection("pytest", "testing")],
        counts={ActivityKind.TEST: 3},
    )
    assert _bullets(_ctx(r))[1] == (
        "proj: engineering practices",
        "Backed the code with 3 test files (pytest).",
    )


def test_test_frameworks_and_checks_are_named_once_each() -> None:
    r = report(
        "lib",
        shares=[share("C++", 9_000, 100.0)],
        counts={ActivityKind.TEST: 2},
        frameworks=[
            detection("Google Benchmark", "testing", "any", "CMakeLists.txt"),
            detection("Google Test", "testing", "any", "CMakeLists.txt"),
            detection("TypeScript (strict)", "type_checker", "javascript", "tsconfig.json"),
        ],
    )
    assert _bullets(_ctx(r))[1] == (
        "lib: engineering practices",
        "Backed the code with 2 test files (Google Benchmark/Google Test) and TypeScript checks.",
    )
    untested = report("lib", counts={ActivityKind.TEST: 3})
    assert _bullets(_ctx(untested))[1] == (
        "lib: engineering practices",
        "Backed the code with 3 test files.",
    )


def test_a_bare_repository_is_shown_by_its_health() -> None:
    health = HealthScore(
        28.0,
        (
            HealthComponent("tests", 10, 20, ""),
            HealthComponent("ci", 5, 10, ""),
            HealthComponent("commit_activity", 8, 10, ""),
            HealthComponent("licence", 5, 5, ""),
            HealthComponent("documentation", 0, 20, ""),
        ),
    )
    # No stack (no skills), no tests or tools, no one else and no tags: role and health only.
    ctx = _ctx(report(history=history()), health=health)
    assert _bullets(ctx) == [
        ("proj: author", "Built proj from Jan 2023 to Jun 2023: 10 commits adding 1,000 lines."),
        (
            "proj: repository health",
            "Maintained a repository health score of 28/100 (licence, commit activity and ci).",
        ),
    ]
    unscored = HealthScore(0.0, (HealthComponent("ci", 0, 10, ""),))
    assert _bullets(_ctx(report(history=history()), health=unscored))[1] == (
        "proj: repository health",
        "Maintained a repository health score of 0/100 (no scored components yet).",
    )


def test_a_folder_of_data_is_a_software_project() -> None:
    notes = report("notes", shares=[share("JSON", 400, 100.0, LanguageKind.DATA)], files=3)
    ctx = _ctx(notes)
    assert _bullets(ctx)[0] == ("notes: project", "Developed notes, a software project of 3 files.")
    assert template_summary(ctx) == (
        "notes is a software project of 3 files without git history. Repository health: 0/100."
    )


def test_showcased_by_path_or_by_name() -> None:
    r = report("api", path="/work/api", history=history())
    for chosen in ("/work/api", "api"):
        assert resume_items(_ctx(r, prefs=RepresentationPrefs(showcase_projects=(chosen,))))
    assert resume_items(_ctx(r, prefs=RepresentationPrefs(showcase_projects=("web",)))) == ()
