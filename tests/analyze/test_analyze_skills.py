"""Skills: languages, detections and practices, project-wide and the user's own."""

from __future__ import annotations

from mining.analyze.catalogue import SkillCategory
from mining.analyze.proficiency import Level
from mining.analyze.signals import signals_of
from mining.analyze.skills import project_skills
from mining.records import ActivityKind, Identity, LanguageKind, ProjectReport
from tests.analyze.analyze_factory import (
    NOW,
    USER,
    author,
    detection,
    dt,
    history,
    lang,
    own_skills_by_name,
    report,
    share,
    skills_by_name,
    user_stats,
)

PY = lang(4000, 210, 312, 40, dt(2021, 3, 5), dt(2023, 1, 20))


def test_a_language_skill_with_its_figures() -> None:
    h = history(languages={"Python": PY, "Shell": lang(790, 0, 5, 2)}, total=320)
    skill = skills_by_name(report(history=h))["Python"]
    assert skill.category is SkillCategory.LANGUAGES
    assert skill.weight == 0.842  # 4,210 of 5,000 lines
    assert skill.evidence[0] == (
        "4,000 lines of Python added and 210 deleted by all contributors across 312 commits "
        "in 40 files, 2021-03 to 2023-01 (the first on 2021-03-05)"
    )
    share_sentence = (
        "Python is 84% of the lines all contributors changed in programming and markup languages"
    )
    assert skill.evidence[1] == share_sentence
    assert skill.evidence[2].startswith(f"proficiency {skill.proficiency:.2f} ({skill.level}) = ")
    assert (skill.proficiency, skill.level) == (0.6685, Level.ADVANCED)


def test_data_and_prose_formats_are_not_skills() -> None:
    h = history(languages={"Python": PY, "JSON": lang(50), "Markdown": lang(70)})
    r = report(
        history=h,
        shares=[share("Python", 100, 90.0), share("JSON", 10, 100.0, LanguageKind.DATA)],
    )
    assert "JSON" not in skills_by_name(r)
    assert "Markdown" not in skills_by_name(r)  # not at HEAD, known as prose by name


def test_plain_folder_languages_come_from_bytes() -> None:
    r = report(shares=[share("Go", 40_000, 80.0), share("CSS", 2_000, 100.0, LanguageKind.MARKUP)])
    skills = skills_by_name(r)
    assert skills["Go"].weight == 0.8
    assert skills["Go"].evidence[0] == (
        "40,000 bytes of Go in the folder (80.0% of its programming code), about 1,000 lines at "
        "40 bytes per line; no git history, so duration and recency are unknown"
    )
    assert skills["CSS"].weight == 1.0


def test_a_framework_is_measured_through_its_ecosystem_languages() -> None:
    h = history(languages={"Python": PY, "TypeScript": lang(10)})
    flask = [detection("Flask", "framework"), detection("Flask", "framework", source="setup.py")]
    flask_skill = skills_by_name(report(history=h, frameworks=flask))["Flask"]
    assert flask_skill.category is SkillCategory.FRAMEWORKS
    assert flask_skill.weight == 0.7
    assert flask_skill.evidence[:2] == (
        "Flask (framework) declared in pyproject.toml, setup.py",
        "exercised through 4,210 lines of code (Python) changed by all contributors across "
        "312 commits, 2021-03 to 2023-01; counted at its weight 0.7: 2,947 lines, 218 commits, "
        "28 files",
    )
    # A library (0.4) is credited with less of the same Python than a framework (0.7).
    celery = skills_by_name(report(history=h, frameworks=[detection("Celery", "library")]))[
        "Celery"
    ]
    assert celery.evidence[1].endswith(
        "counted at its weight 0.4: 1,684 lines, 125 commits, 16 files"
    )
    assert celery.proficiency < flask_skill.proficiency


def test_a_container_tool_is_measured_through_configuration_not_all_the_work() -> None:
    docker = detection("Docker", "container", "any", "Dockerfile")
    h = history(activity={ActivityKind.CODE: 1000, ActivityKind.CONFIG: 100})
    skill = skills_by_name(report(history=h, frameworks=[docker], notable=("Dockerfile",)))[
        "Docker"
    ]
    assert skill.category is SkillCategory.CLOUD_DEVOPS
    assert skill.evidence[1] == (
        "measured through the 100 lines of configuration changed by all contributors (about 1 "
        "commits, in proportion to lines) and 1 file(s) of Docker, 2023-01 to 2023-06; "
        "configuration lines are shared by every configured tool, so at most Advanced"
    )
    assert not any("all languages" in e for e in skill.evidence)


def test_one_skill_per_name() -> None:
    h = history(languages={"TypeScript": lang(900)})
    r = report(
        history=h,
        frameworks=[detection("TypeScript", "type_checker", "javascript", "package.json")],
    )
    names = [s.name for s in project_skills(r, signals_of(r), NOW)]
    assert names.count("TypeScript") == 1
    assert skills_by_name(r)["TypeScript"].category is SkillCategory.LANGUAGES
    assert "Type Checking" in names


def test_practices_from_tree_history_and_tools() -> None:
    h = history(merges=7, tags=3, activity={ActivityKind.CODE: 800, ActivityKind.TEST: 200})
    r = report(
        history=h,
        counts={ActivityKind.CODE: 8, ActivityKind.TEST: 4},
        notable=("README.md", ".github/workflows/a.yml", ".github/workflows/b.yml", "mypy.ini"),
        frameworks=[detection("pytest", "testing")],
    )
    skills = skills_by_name(r)
    assert skills["Testing"].evidence[0] == (
        "4 test files at HEAD (pytest); 200 lines of tests changed by all contributors"
    )
    assert skills["CI/CD"].evidence[0] == (
        "CI/CD with GitHub Actions (.github/workflows/a.yml, .github/workflows/b.yml)"
    )
    assert skills["Code Review"].evidence[0] == "7 merge commits in the history"
    assert skills["Release Management"].evidence[0] == "3 tags (releases) in the repository"
    assert skills["Type Checking"].category is SkillCategory.PRACTICES
    assert skills["Documentation"].weight == 0.3


def _shared(**user: object) -> ProjectReport:
    me = user_stats(**({"commits": 6, "share": 60.0} | user))  # type: ignore[arg-type]
    h = history(
        authors=[author(USER, 6, 60.0), author("bob@example.com", 4, 40.0)],
        bus_factor=2,
        merges=2,
        user=me,
    )
    return report(
        history=h,
        counts={ActivityKind.TEST: 3, ActivityKind.CODE: 5},
        frameworks=[detection("pytest", "testing"), detection("Flask", "framework")],
    )


def test_user_skills_cover_the_users_own_work_in_shared_repositories() -> None:
    mine = own_skills_by_name(_shared(emails=("old@example.com", USER)), Identity.of(USER))
    assert {s.user_email for s in mine.values()} == {USER}
    # No tests written (so neither Testing nor pytest is the user's), no merges known.
    assert set(mine) == {"Python", "Flask"}
    assert (
        mine["Python"]
        .evidence[0]
        .startswith("1,000 lines of Python added and 100 deleted by the user")
    )

    with_tests = own_skills_by_name(
        _shared(activity={ActivityKind.CODE: 900, ActivityKind.TEST: 300})
    )
    assert "Testing" in with_tests
    assert "pytest" in with_tests
    assert with_tests["pytest"].evidence[1] == (
        "measured through the 300 lines of tests changed by the user (about 2 commits, in "
        "proportion to lines) and 3 test files at HEAD, 2023-01 to 2023-06"
    )
    assert "Code Review" not in with_tests


def test_no_user_skills_for_solo_or_foreign_repositories() -> None:
    assert own_skills_by_name(report(history=history(user=user_stats()))) == {}
    assert own_skills_by_name(_shared(commits=0)) == {}
    assert own_skills_by_name(report()) == {}
