"""Skills, rule by rule: how each kind of evidence is measured and the sentences that show it.

Every figure below follows from the literal inputs by the formulas of skills.py and
proficiency.py (worked out in the comments)."""

from __future__ import annotations

from dataclasses import replace

from mining.analyze.catalogue import SkillCategory
from mining.analyze.proficiency import Level
from mining.analyze.signals import signals_of
from mining.analyze.skills import (
    is_skill_language,
    project_skills,
)
from mining.records import ActivityKind, FileTouch, Identity, LanguageKind, ProjectReport
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


def test_a_folders_framework_is_measured_through_the_bytes_of_its_languages() -> None:
    r = report(
        shares=[share("Python", 80_000, 80.0), share("Go", 20_000, 20.0)],
        frameworks=[detection("Flask", "framework")],
    )
    # 80,000 bytes / 40 = 2,000 lines of Python, 70 % of them Flask's.
    assert skills_by_name(r)["Flask"].evidence[1] == (
        "used in a folder with about 2,000 lines of Python; counted at its weight 0.7: 1,400 lines"
    )
    web = report(
        shares=[share("JavaScript", 40_000, 50.0), share("TypeScript", 40_000, 50.0)],
        frameworks=[detection("React", "framework", "javascript", "package.json")],
    )
    assert skills_by_name(web)["React"].evidence[1] == (
        "used in a folder with about 2,000 lines of JavaScript/TypeScript; counted at its weight "
        "0.7: 1,400 lines"
    )


def test_a_framework_of_two_languages_names_both() -> None:
    h = history(languages={"JavaScript": lang(600), "TypeScript": lang(400)})
    r = report(
        history=h, frameworks=[detection("React", "framework", "javascript", "package.json")]
    )
    # Lines and files add up (1,000 and 2), commits take the larger count (1); 70 % of each.
    assert skills_by_name(r)["React"].evidence[1] == (
        "exercised through 1,000 lines of code (JavaScript/TypeScript) changed by all "
        "contributors across 1 commits, 2023-01 to 2023-06; counted at its weight 0.7: 700 "
        "lines, 1 commits, 1 files"
    )


def test_a_folders_declaration_alone_counts_its_files_at_most_intermediate() -> None:
    flask = [detection("Flask", "framework"), detection("Flask", "framework", source="setup.py")]
    redis = detection("Redis", "database", "any", "docker-compose.yml")
    skills = skills_by_name(report(shares=[share("Go", 4_000, 100.0)], frameworks=[*flask, redis]))
    assert skills["Flask"].evidence[1] == (
        "none of its ecosystem's languages (Python/Cython/Jupyter Notebook) was changed: only "
        "its 2 declaring file(s) count, at most Intermediate"
    )
    assert skills["Redis"].evidence[1] == (
        "no language measures how much code uses Redis: only its 1 declaring file(s) count, at "
        "most Intermediate"
    )
    # Two files and nothing else: breadth ln 3 / ln 201 = 0.2071, no dates so recency 0.5:
    # 0.2 x 0.2071 x (0.6 + 0.4 x 0.5) = 0.0331.
    assert (skills["Flask"].proficiency, skills["Flask"].level) == (0.0331, Level.BEGINNER)
    assert skills["Flask"].evidence[-1] == (
        "proficiency 0.03 (Beginner) = min(0.49, (0.5 x volume 0.00 + 0.3 x duration 0.00 + "
        "0.2 x breadth 0.21) x (0.6 + 0.4 x recency 0.50))"
    )


def test_a_declaration_without_its_languages_in_the_history_spans_the_scopes_period() -> None:
    h = history(total=1, languages={"Go": lang(500)})
    flask = skills_by_name(report(history=h, frameworks=[detection("Flask", "framework")]))["Flask"]
    assert flask.evidence[1] == (
        "none of its ecosystem's languages (Python/Cython/Jupyter Notebook) was changed by all "
        "contributors: only the declaration counts (1 file(s), no lines or commits, over all "
        "contributors's period 2023-01 to 2023-06), at most Intermediate"
    )
    # 1 file, 6 months (Jan to Jun 2023), last 214 days before NOW: duration ln 7 / ln 37 =
    # 0.5389, breadth ln 2 / ln 201 = 0.1307, recency 0.5 ** (214 / 365) = 0.6661:
    # (0.3 x 0.5389 + 0.2 x 0.1307) x (0.6 + 0.4 x 0.6661) = 0.1627.
    assert flask.proficiency == 0.1627
    assert flask.evidence[-1] == (
        "proficiency 0.16 (Beginner) = min(0.49, (0.5 x volume 0.00 + 0.3 x duration 0.54 + "
        "0.2 x breadth 0.13) x (0.6 + 0.4 x recency 0.67))"
    )


def test_a_languages_formula_has_no_ceiling() -> None:
    python = skills_by_name(report(history=history(languages={"Python": lang(0)})))["Python"]
    # No lines, 1 commit, 1 file, Jan to Jun 2023: volume 0.5 x ln 2 / ln 501 = 0.0558.
    assert python.evidence[-1] == (
        f"proficiency {python.proficiency:.2f} ({python.level}) = (0.5 x volume 0.06 + 0.3 x "
        "duration 0.54 + 0.2 x breadth 0.13) x (0.6 + 0.4 x recency 0.67)"
    )


def test_weights_keep_four_decimals() -> None:
    h = history(languages={"Python": lang(1), "Go": lang(2)})
    skills = skills_by_name(report(history=h))
    assert (skills["Python"].weight, skills["Go"].weight) == (0.3333, 0.6667)
    # A data format before a language at HEAD is skipped, not the end of the list.
    folder = report(
        shares=[share("JSON", 100, 100.0, LanguageKind.DATA), share("Go", 3_000, 66.66666)]
    )
    assert skills_by_name(folder)["Go"].weight == 0.6667


def test_a_language_ranks_before_anything_of_the_same_weight() -> None:
    h = history(languages={"Python": lang(700), "Go": lang(300)})
    r = report(history=h, frameworks=[detection("Flask", "framework")])
    names = [s.name for s in project_skills(r, signals_of(r), NOW)]
    # Python is 70 % of the lines, Flask weighs 0.7: the language first, though "F" < "P".
    assert names[:3] == ["Python", "Flask", "Go"]


def test_a_language_neither_at_head_nor_known_is_judged_by_name() -> None:
    assert is_skill_language("Zork", {})
    assert not is_skill_language("lock", {})
    assert is_skill_language("JSON", {"JSON": LanguageKind.PROGRAMMING})


def test_an_example_only_detection_is_down_weighted_and_says_so() -> None:
    celery = detection("Celery", "library", source="examples/celery/pyproject.toml")
    skill = skills_by_name(report(history=history(), frameworks=[celery]))["Celery"]
    assert skill.weight == 0.1
    assert skill.evidence[1] == (
        "declared only in example/demo/sample/fixture folders, not by the project itself: "
        "weight 0.4 x 0.25 = 0.1, at most Intermediate"
    )
    assert skill.evidence[-1].startswith(f"proficiency {skill.proficiency:.2f} (")
    assert " = min(0.49, " in skill.evidence[-1]


def test_a_test_framework_without_test_files_at_head_counts_none() -> None:
    h = history(activity={ActivityKind.CODE: 800, ActivityKind.TEST: 200})
    pytest_skill = skills_by_name(report(history=h, frameworks=[detection("pytest", "testing")]))[
        "pytest"
    ]
    # 10 commits x 200 / 1,000 lines = about 2 commits.
    assert pytest_skill.evidence[1] == (
        "measured through the 200 lines of tests changed by all contributors (about 2 commits, "
        "in proportion to lines) and 0 test files at HEAD, 2023-01 to 2023-06"
    )


def test_a_build_tool_known_only_from_its_manifest_counts_that_file() -> None:
    webpack = detection("Webpack", "build", "javascript", "package.json")
    skill = skills_by_name(report(shares=[share("JavaScript", 4_000, 100.0)], frameworks=[webpack]))
    assert skill["Webpack"].evidence[1] == (
        "1 file(s) of Webpack; no git history, so no lines counted; configuration lines are "
        "shared by every configured tool, so at most Advanced"
    )


def test_code_review_is_measured_through_merges() -> None:
    review = skills_by_name(report(history=history(merges=7)))["Code Review"]
    # 7 merge commits, no lines: volume 0.5 x ln 8 / ln 501 = 0.1672.
    assert "(0.5 x volume 0.17 + " in review.evidence[-1]


def _team(**kwargs: object) -> ProjectReport:
    me = user_stats(
        commits=6,
        share=60.0,
        activity={ActivityKind.CODE: 900, ActivityKind.CONFIG: 100},
        **kwargs,  # type: ignore[arg-type]
    )
    h = history(
        authors=[author(USER, 6, 60.0), author("bob@example.com", 4, 40.0)],
        bus_factor=2,
        user=me,
    )
    return report(
        history=h,
        frameworks=[
            detection("Ruff", "linter", "python", "ruff.toml"),
            detection("Flask", "framework"),
        ],
        user_touched=False,
    )


def test_a_tool_only_others_configured_is_not_the_users_but_their_framework_is() -> None:
    r = _team()
    assert r.history is not None
    touches = {
        "ruff.toml": FileTouch(dt(2023, 1), dt(2023, 1)),  # bob's only
        "pyproject.toml": FileTouch(dt(2023, 1), dt(2023, 2, 3)),
    }
    r = replace(r, history=replace(r.history, touches=touches))
    mine = own_skills_by_name(r)
    # The user changed configuration lines, but never ruff.toml: Ruff is the project's.
    assert "Ruff" not in mine
    # The user wrote Python (last on 2023-06-01) after the manifest's last change.
    assert mine["Flask"].evidence[2] == (
        "the user changed Python code while Flask was declared (pyproject.toml declares it, "
        "unchanged since 2023-02-03; the user's last such commit 2023-06-01)"
    )


def test_the_users_email_is_their_first_without_an_identity() -> None:
    r = _team(emails=("old@example.com", USER))
    assert {s.user_email for s in own_skills_by_name(r).values()} == {"old@example.com"}
    assert {s.user_email for s in own_skills_by_name(r, Identity.of(USER)).values()} == {USER}
    assert SkillCategory.LANGUAGES in {s.category for s in own_skills_by_name(r).values()}
