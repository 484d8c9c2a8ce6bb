"""Attribution on a Flask-like repository (literal figures from pallets/flask, davidism's share):
tools and databases are not credited with every line, example folders are not the stack, top
skills follow proficiency x centrality, and each period says whose it is."""

from __future__ import annotations

import itertools

import pytest

from mining.analyze import PortfolioAnalysis, ProjectAnalysis, analyze_portfolio
from mining.analyze.catalogue import SkillCategory
from mining.analyze.prefs import RepresentationPrefs
from mining.analyze.proficiency import Level
from mining.analyze.profile import ProfileInput, build_profile
from mining.analyze.signals import is_example_path, signals_of
from mining.analyze.skills import ProjectSkill, UserProjectSkill, project_skills
from mining.records import ActivityKind, Identity, LanguageKind, ProjectReport
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

WORKFLOWS = (".github/workflows/publish.yaml", ".github/workflows/tests.yaml")


def _flask() -> ProjectReport:
    me = user_stats(
        commits=804,
        share=21.12,
        languages={
            "Python": lang(15_653, 16_860, 475, 140, dt(2016, 1), dt(2023, 12)),
            "HTML": lang(364, 361, 8, 32, dt(2016, 7), dt(2023, 2)),
        },
        activity={
            ActivityKind.CODE: 22_720,
            ActivityKind.CONFIG: 5_100,
            ActivityKind.DOCS: 31_910,
            ActivityKind.TEST: 8_456,
        },
        first=dt(2015, 10, 31),
        last=dt(2023, 12, 15),
        role="Core Contributor",
    )
    h = history(
        total=5_531,
        merges=1_725,
        tags=69,
        first=dt(2010, 4, 6),
        last=dt(2023, 12, 20),
        authors=[
            author("armin@example.com", 975, 25.62),
            author(USER, 804, 21.12),
            author("markus@example.com", 133, 3.49),
        ],
        bus_factor=3,
        languages={"Python": lang(62_959, 44_645, 2_008, 257, dt(2010, 4), dt(2023, 12))},
        activity={ActivityKind.CODE: 70_000, ActivityKind.CONFIG: 12_000},
        user=me,
    )
    return report(
        "flask.git",
        history=h,
        shares=[
            share("Python", 590_220, 99.59),
            share("HTML", 10_474, 85.94, LanguageKind.MARKUP),
        ],
        frameworks=[
            detection("GitHub Actions", "ci", "any", WORKFLOWS[0]),
            detection("Redis", "database", "any", "examples/celery/requirements.txt"),
            detection("Flask", "framework", "python", "examples/celery/pyproject.toml"),
            detection("Celery", "library", "python", "examples/celery/pyproject.toml"),
            detection("Click", "library", "python", "examples/celery/requirements.txt"),
            detection("pre-commit", "linter", "any", ".pre-commit-config.yaml"),
            detection("Ruff", "linter", "python", ".pre-commit-config.yaml"),
            detection("tox", "testing", "python", "pyproject.toml"),
            detection("mypy", "type_checker", "python", "pyproject.toml"),
        ],
        counts={
            ActivityKind.CODE: 47,
            ActivityKind.TEST: 69,
            ActivityKind.CONFIG: 20,
            ActivityKind.DOCS: 90,
        },
        notable=(
            *WORKFLOWS,
            ".pre-commit-config.yaml",
            ".gitignore",
            "LICENSE.txt",
            "README.md",
            "docs/",
            "pyproject.toml",
            "examples/celery/pyproject.toml",
        ),
    )


def _analysis() -> PortfolioAnalysis:
    return analyze_portfolio([_flask()], Identity.of(USER), now=NOW)


def _project() -> ProjectAnalysis:
    return _analysis().projects[0]


def _mine() -> dict[str, UserProjectSkill]:
    return {s.name: s for s in _project().user_skills}


def test_tools_and_databases_are_not_credited_with_every_line_of_code() -> None:
    mine = _mine()
    python = mine["Python"]
    assert (python.proficiency, python.level) == (0.9523, Level.EXPERT)
    for name in ("GitHub Actions", "pre-commit", "Redis", "Ruff", "mypy", "Celery", "Click"):
        assert mine[name].proficiency < python.proficiency, name
    assert not any("all languages" in e for s in mine.values() for e in s.evidence)

    # CI: the user's configuration lines and the CI files, never Expert.
    actions = mine["GitHub Actions"]
    assert actions.evidence[1] == (
        "measured through the 5,100 lines of configuration changed by the user (about 60 "
        "commits, in proportion to lines) and 2 file(s) of GitHub Actions, 2015-10 to 2023-12; "
        "configuration lines are shared by every configured tool, so at most Advanced"
    )
    assert actions.evidence[-1].startswith(f"proficiency {actions.proficiency:.2f} (Advanced) = ")
    assert mine["pre-commit"].proficiency <= 0.74

    # A database of ecosystem "any": the declaration only, at most Intermediate.
    redis = mine["Redis"]
    assert redis.proficiency <= 0.49
    assert redis.level in (Level.BEGINNER, Level.INTERMEDIATE)
    assert redis.evidence[2] == (
        "no language measures how much code uses Redis: only the declaration counts (1 file(s), "
        "no lines or commits, over the user's period 2015-10 to 2023-12), at most Intermediate"
    )
    assert redis.evidence[-1].startswith(f"proficiency {redis.proficiency:.2f} (")
    assert "= min(0.49, (0.5 x volume 0.00" in redis.evidence[-1]

    # A testing tool: the user's test lines and the test files at HEAD.
    assert mine["tox"].evidence[1].startswith("measured through the 8,456 lines of tests")


def test_a_framework_is_credited_with_its_weight_of_the_ecosystem_lines() -> None:
    flask = _mine()["Flask"]
    assert flask.evidence[1] == (
        "exercised through 32,513 lines of code (Python) changed by the user across 475 commits, "
        "2016-01 to 2023-12; counted at its weight 0.7: 22,759 lines, 332 commits, 98 files"
    )
    assert flask.proficiency < _mine()["Python"].proficiency


def test_detections_only_in_example_folders_are_down_weighted() -> None:
    skills = {s.name: s for s in _project().skills}
    for name, weight in (("Redis", 0.125), ("Celery", 0.1), ("Click", 0.1)):
        assert skills[name].weight == weight, name
        assert skills[name].proficiency <= 0.49, name
        assert (
            skills[name]
            .evidence[1]
            .startswith(
                "declared only in example/demo/sample/fixture folders, not by the project itself"
            )
        )
    # Flask's own examples use Flask: the project's subject, not a foreign example stack.
    assert skills["Flask"].weight == 0.7
    assert not any("example" in e for e in skills["Flask"].evidence[1:])
    assert skills["tox"].weight == 0.4  # declared in the root pyproject.toml


def test_the_stack_and_the_summary_leave_examples_and_stray_languages_out() -> None:
    project = _project()
    stack = next(i for i in project.resume_items if i.title.endswith("technology stack"))
    assert stack.content == "Developed with Python, Flask and GitHub Actions."
    assert project.summary == (
        "flask.git is a Python project with 5,531 commits by 3 contributors; the repository's "
        "history runs from Apr 2010 to Dec 2023. The user authored 804 of 3,806 non-merge "
        "commits (21%) as Core Contributor, from Oct 2015 to Dec 2023. Stack: Python, Flask and "
        "GitHub Actions. "
        f"Repository health: {project.health.score:g}/100."
    )


def test_dependencies_cite_the_shallowest_manifest() -> None:
    signals = signals_of(_flask())
    assert signals.manifests[0] == "pyproject.toml"
    dependencies = next(c for c in _project().health.components if c.name == "dependencies")
    assert dependencies.reason == "manifest: pyproject.toml"


def test_top_skills_rank_by_proficiency_times_centrality() -> None:
    top = _analysis().profile.top_skills
    assert [s.name for s in top[:3]] == ["Python", "Flask", "Testing"]
    python = top[0]
    assert (python.weight, python.score) == (0.9782, round(python.proficiency * 0.9782, 4))
    assert all(a.score >= b.score for a, b in itertools.pairwise(top))
    names = [s.name for s in top]
    for tool in ("GitHub Actions", "pre-commit", "Redis"):
        assert tool not in names or names.index(tool) > names.index("Python")


def _skill(name: str, weight: float, p: float) -> ProjectSkill:
    return ProjectSkill(name, SkillCategory.TOOLS, weight, p, Level.ADVANCED, ())


def test_top_skill_ties_are_broken_by_name() -> None:
    skills = [_skill("b-tool", 0.4, 0.5), _skill("A-tool", 0.5, 0.4), _skill("Go", 0.8, 0.6)]
    item = ProfileInput(report("solo"), skills, None, None)
    profile = build_profile([item], RepresentationPrefs())
    assert [(s.name, s.score) for s in profile.top_skills] == [
        ("Go", 0.48),
        ("A-tool", 0.2),
        ("b-tool", 0.2),
    ]


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("examples/celery/pyproject.toml", True),
        ("docs/Demo/package.json", True),
        ("tests/fixtures/app/requirements.txt", True),
        ("pkg/testdata/go.mod", True),
        ("pyproject.toml", False),
        ("example.py", False),  # a file name, not a folder
        ("src/examples_lib/pyproject.toml", False),
    ],
)
def test_example_paths(path: str, example: bool) -> None:
    assert is_example_path(path) is example


def test_a_language_gone_from_head_is_judged_by_the_language_table() -> None:
    h = history(
        languages={
            "Python": lang(900, 0, 9, 9),
            "Git Attributes": lang(4),  # data, deleted before HEAD: not counted below
            "TeX": lang(100),  # markup, deleted before HEAD
        }
    )
    r = report(history=h, shares=[share("Python", 36_000, 100.0)])
    skills = {s.name: s for s in project_skills(r, signals_of(r), NOW)}
    assert "Git Attributes" not in skills
    assert skills["Python"].evidence[1] == (
        "Python is 90% of the lines all contributors changed in programming and markup languages"
    )
    assert (skills["Python"].weight, skills["TeX"].weight) == (0.9, 0.1)
