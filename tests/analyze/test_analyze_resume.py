"""Resume items: real figures, 2-4 bullets, categories, prefs applied, idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mining.analyze import PortfolioAnalysis, RepresentationPrefs, ResumeCategory, analyze_portfolio
from mining.analyze.prefs import ChronologyOverride
from mining.records import ActivityKind, Identity, ProjectReport
from tests.analyze.analyze_factory import (
    NOW,
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


def _team() -> ProjectReport:
    me = user_stats(
        commits=30,
        share=60.0,
        languages={"Python": lang(4210, 0, 30, 12, dt(2021, 3), dt(2023, 1))},
        first=dt(2021, 3, 2),
        last=dt(2023, 1, 15),
    )
    h = history(
        total=50,
        first=dt(2020, 6, 1),  # the repository is older than the user's part in it
        last=dt(2023, 1, 20),
        merges=4,
        tags=2,
        authors=[author(USER, 30, 60.0), author("bob@example.com", 20, 40.0)],
        bus_factor=2,
        user=me,
    )
    return report(
        "api",
        history=h,
        shares=[share("Python", 90_000, 100.0)],
        frameworks=[detection("Flask", "framework"), detection("pytest", "testing")],
        counts={ActivityKind.CODE: 10, ActivityKind.TEST: 4},
        notable=(".github/workflows/ci.yml", "ruff.toml"),
    )


def _solo() -> ProjectReport:
    return report("site", shares=[share("JavaScript", 8_000, 100.0)], files=7)


def _analyse(prefs: RepresentationPrefs | None = None) -> PortfolioAnalysis:
    return analyze_portfolio([_team(), _solo()], Identity.of(USER), now=NOW, prefs=prefs)


def _items(analysis: PortfolioAnalysis, path: str) -> list[tuple[str, str, ResumeCategory]]:
    project = next(p for p in analysis.projects if p.path == path)
    return [(i.title, i.content, i.category) for i in project.resume_items]


def test_bullets_are_filled_with_real_figures() -> None:
    assert _items(_analyse(), "api") == [
        (
            "api: Lead Developer",
            "Lead Developer on api: authored 30 of 46 non-merge commits (60%) from Mar 2021 to "
            "Jan 2023, adding 4,210 lines across 12 files.",
            ResumeCategory.EXPERIENCE,
        ),
        ("api: technology stack", "Developed with Python and Flask.", ResumeCategory.EXPERIENCE),
        # No practices bullet: the user changed no test or configuration lines, so the
        # project's 4 test files, CI and Ruff are the project's, not the user's.
        (
            "api: delivery",
            "Collaborated with 1 other contributor through 4 merges; the project has 2 tagged "
            "releases.",
            ResumeCategory.EXPERIENCE,
        ),
    ]


def test_a_plain_folder_still_gets_two_bullets() -> None:
    assert _items(_analyse(), "site") == [
        (
            "site: project",
            "Developed site, a JavaScript project of 7 files.",
            ResumeCategory.PROJECTS,
        ),
        ("site: technology stack", "Developed with JavaScript.", ResumeCategory.PROJECTS),
    ]


def test_a_minor_contributor_lists_it_under_projects() -> None:
    me = user_stats(commits=2, share=5.0)
    h = history(
        total=40,
        authors=[author("lead@example.com", 38, 95.0), author(USER, 2, 5.0)],
        bus_factor=1,
        user=me,
    )
    analysis = analyze_portfolio([report("lib", history=h)], Identity.of(USER), now=NOW)
    assert {i.category for i in analysis.projects[0].resume_items} == {ResumeCategory.PROJECTS}


def test_regenerating_is_idempotent() -> None:
    assert _analyse() == _analyse()
    assert _items(_analyse(), "api") == _items(_analyse(), "api")


def test_showcase_limits_resume_items() -> None:
    analysis = _analyse(RepresentationPrefs(showcase_projects=("site",)))
    assert _items(analysis, "api") == []
    assert len(_items(analysis, "site")) == 2


def test_hidden_and_highlighted_skills_shape_the_stack() -> None:
    prefs = RepresentationPrefs(highlight_skills=("flask",), hidden_skills=("Python",))
    contents = [content for _, content, _ in _items(_analyse(prefs), "api")]
    assert "Developed with Flask." in contents
    summary = next(p for p in _analyse(prefs).projects if p.path == "api").summary
    assert "Stack: Flask." in summary


def test_chronology_overrides_change_the_period() -> None:
    override = ChronologyOverride(first=date(2020, 9, 1), last=date(2023, 5, 31))
    prefs = RepresentationPrefs(chronology_overrides={"api": override})
    first = _items(_analyse(prefs), "api")[0][1]
    assert "from Sep 2020 to May 2023" in first


def test_template_summary_always_exists() -> None:
    by_path = {p.path: p.summary for p in _analyse().projects}
    assert by_path["site"] == (
        "site is a JavaScript project of 7 files without git history. Stack: JavaScript. "
        "Repository health: 0/100."
    )
    # Each period says whose it is: the repository's history, then the user's own commits.
    assert by_path["api"].startswith(
        "api is a Python project with 50 commits by 2 contributors; the repository's history "
        "runs from Jun 2020 to Jan 2023. The user authored 30 of 46 non-merge commits (60%) as "
        "Lead Developer, from Mar 2021 to Jan 2023. Stack: Python and Flask."
    )


def test_one_release_one_check_per_tool() -> None:
    """ "1 tagged release", not "1 tagged releases"; TypeScript (strict) is TypeScript, named
    once in the checks."""
    h = history(total=3, tags=1, user=None, authors=[author(USER, 3, 100.0)])
    r = report(
        "web",
        history=h,
        shares=[share("TypeScript", 9_000, 100.0)],
        frameworks=[
            detection("TypeScript", "type_checker", "javascript", "tsconfig.json"),
            detection("TypeScript (strict)", "type_checker", "javascript", "tsconfig.json"),
            detection("ESLint", "linter", "javascript", "package.json"),
        ],
    )
    analysis = analyze_portfolio([r], Identity(), now=NOW)
    contents = [i.content for i in analysis.projects[0].resume_items]
    assert "Backed the code with ESLint and TypeScript checks." in contents
    assert "The project has 1 tagged release." in contents


def _bullets(r: ProjectReport) -> list[tuple[str, str]]:
    analysis = analyze_portfolio([r], Identity.of(USER), now=NOW)
    return [(i.title, i.content) for i in analysis.projects[0].resume_items]


def test_a_folders_practices_name_its_tests_ci_and_every_kind_of_check() -> None:
    tools = [
        detection("pytest", "testing"),
        detection("GitHub Actions", "ci", "any", ".github/workflows/ci.yml"),
        detection("Ruff", "linter", "python", "ruff.toml"),
        detection("Black", "formatter", "python", "pyproject.toml"),
        detection("mypy", "type_checker", "python", "pyproject.toml"),
    ]
    r = report("tool", shares=[share("Python", 9_000, 100.0)], frameworks=tools,
               counts={ActivityKind.CODE: 10, ActivityKind.TEST: 1})  # fmt: skip
    assert _bullets(r)[2] == (
        "tool: engineering practices",
        "Backed the code with 1 test file (pytest), continuous integration on GitHub Actions "
        "and Black, mypy and Ruff checks.",
    )


def test_releases_counted_within_the_users_first_to_last_commit() -> None:
    me = user_stats(commits=20, share=50.0, first=dt(2021, 3, 2), last=dt(2023, 1, 15),
                    activity={ActivityKind.CODE: 3_000, ActivityKind.TEST: 1_200})  # fmt: skip
    tagged = [dt(2020, 1), dt(2021, 3, 2), dt(2022, 6), dt(2023, 1, 15), dt(2023, 2)]
    h = history(total=40, tags=5, tag_dates=tagged, bus_factor=2, user=me,
                authors=[author(USER, 20, 50.0), author("bob@example.com", 20, 50.0)])  # fmt: skip
    r = report("api", history=h, shares=[share("Python", 9_000, 100.0)],
               frameworks=[detection("pytest", "testing")])  # fmt: skip
    bullets = _bullets(r)
    # A shared repository: the user's own lines of tests, with the test framework credited.
    assert bullets[2] == (
        "api: engineering practices",
        "Backed the code with 1,200 lines of tests (pytest).",
    )
    # The first and last commit days count; the tags before and after do not.
    assert bullets[3] == (
        "api: delivery",
        "Collaborated with 1 other contributor; the project tagged 3 releases during the "
        "user's commits.",
    )
    outside = replace(h, tag_dates=(dt(2020, 1), dt(2023, 2)))
    assert _bullets(replace(r, history=outside))[3] == (
        "api: delivery",
        "Collaborated with 1 other contributor.",
    )
