"""Every figure said about the user is the one git gives, counted the same way everywhere:
literal repositories mined for real, then analysed."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from pathlib import Path

from mining.analyze import PortfolioAnalysis, analyze_portfolio
from mining.git.runner import GitRunner
from mining.pipeline import mine_tree
from mining.records import ActivityKind, Identity, ProjectReport
from tests.mining.repo_builder import ALICE, BOB, Factory

T0 = 1_700_000_000
DAY = 86_400
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
CI = ("pre-commit-ci", "66853113+pre-commit-ci@users.noreply.github.com")
NOW = datetime(2024, 6, 1, tzinfo=UTC)


async def _mine(upload: Path, runner: GitRunner, email: str) -> list[ProjectReport]:
    found = []
    mined = mine_tree(upload, Identity.of(email), runner=runner)
    async with contextlib.aclosing(mined) as results:
        async for result in results:
            assert isinstance(result, ProjectReport), result
            found.append(result)
    return sorted(found, key=lambda r: r.path)


def _team(repos: Factory) -> None:
    """alice: 3 commits (one adds a vendored folder, a lock file and a CA bundle), bob 1,
    two bots 3, one merge; two tags reachable from HEAD (one after alice's last commit) and
    one on a branch never merged."""
    repo = repos.repo("team")
    repo.write("app.py", "print(1)\n" * 10)
    repo.commit("init", author=ALICE, when=T0)
    repo.write("app.py", "print(1)\n" * 12)
    repo.write("node_modules/left/index.js", "x\n" * 500)
    repo.write("package-lock.json", "{}\n" * 300)
    repo.write("certs/cacert.pem", "-----BEGIN CERTIFICATE-----\n" * 200)
    repo.commit("vendor things", author=ALICE, when=T0 + DAY)
    repo.write("requirements.txt", "flask==3.0\n")
    repo.commit("bump", author=BOT, when=T0 + 2 * DAY)
    repo.write("requirements.txt", "flask==3.1\n")
    repo.commit("bump", author=BOT, when=T0 + 3 * DAY)
    repo.write(".pre-commit-config.yaml", "repos: []\n")
    repo.commit("autofix", author=CI, when=T0 + 4 * DAY)
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side.py", "y = 2\n")
    repo.commit("side", author=BOB, when=T0 + 5 * DAY)
    repo.git("checkout", "-q", "main")
    repo.write("lib.py", "z = 3\n" * 4)
    repo.commit("lib", author=ALICE, when=T0 + 6 * DAY)
    repo.git("tag", "v0.9")  # dated by its commit, within alice's first to last commit
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", env=_as(ALICE, T0 + 7 * DAY))
    repo.git("tag", "v1.0")
    repo.git("checkout", "-q", "-b", "abandoned")
    repo.write("abandoned.py", "w = 4\n")
    repo.commit("never merged", author=ALICE, when=T0 + 8 * DAY)
    repo.git("tag", "v2.0-rc")
    repo.git("checkout", "-q", "main")


def _as(who: tuple[str, str], when: int) -> dict[str, str]:
    name, email = who
    stamp = f"@{when} +0000"
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


def _analysis(reports: list[ProjectReport], email: str) -> PortfolioAnalysis:
    return analyze_portfolio(reports, Identity.of(email), now=NOW)


async def test_one_share_base_bots_apart_one_line_total(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    _team(repos)
    [report] = await _mine(upload, runner, ALICE[1])
    history = report.history
    assert history is not None
    assert history.user is not None
    # 8 commits on HEAD: 1 merge, 3 by bots, 3 by alice, 1 by bob -> shares of 4.
    assert (history.total_commits, history.merges, history.share_base) == (8, 1, 4)
    people = history.collaboration
    assert [(a.email, a.commits, a.share) for a in people.authors] == [
        (ALICE[1], 3, 75.0),
        (BOB[1], 1, 25.0),
    ]
    assert [(b.name, b.commits, b.bot) for b in people.bots] == [
        ("dependabot[bot]", 2, True),
        ("pre-commit-ci", 1, True),
    ]
    assert (people.bus_factor, history.user.share_percent) == (1, 75.0)
    # One line total per person: the vendored folder, the lock file and the CA bundle count
    # in neither the author list nor the user's stats.
    alice = people.authors[0]
    assert (alice.added, alice.deleted) == (history.user.added, history.user.deleted) == (16, 0)
    assert ActivityKind.CODE in history.user.activity
    assert history.user.activity[ActivityKind.CODE] == 16
    # The tag on a branch never merged is not a release of the code mined.
    assert history.tags == 2
    assert len(history.tag_dates) == 2

    project = _analysis([report], ALICE[1]).projects[0]
    bullets = {i.title: i.content for i in project.resume_items}
    assert bullets["team: Lead Developer"] == (
        "Lead Developer on team: authored 3 of 4 non-merge commits by people (75%) from Nov 2023 "
        "to Nov 2023, adding 16 lines across 2 files."
    )
    assert "3 of 4 non-merge commits by people (75%)" in project.summary
    evidence = [e.content for e in project.evidence]
    assert (
        "3 of 4 non-merge commits by people are the user's (75.0%), 2023-11-14 to 2023-11-20"
        in (evidence)
    )
    assert (
        "bot commits, left out of shares and the bus factor: dependabot[bot] (2), "
        + ("pre-commit-ci (1)")
        in evidence
    )
    assert "2 tags reachable from HEAD (releases of the project)" in evidence
    assert bullets["team: delivery"] == (
        "Collaborated with 1 other contributor through 1 merge; the project tagged 1 release "
        "during the user's commits."
    )


async def test_a_repository_without_the_users_commits_makes_no_claim(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    theirs = repos.repo("theirs")
    theirs.write("big.py", "a = 1\n" * 500)
    theirs.commit("init", author=BOB, when=T0)
    mine = repos.repo("mine")
    mine.write("small.py", "b = 1\n")
    mine.commit("init", author=ALICE, when=T0 - 400 * DAY)
    analysis = _analysis(await _mine(upload, runner, ALICE[1]), ALICE[1])
    # Ranked after every project the user contributed to, however it scores on its own.
    assert [p.name for p in analysis.projects] == ["mine", "theirs"]
    theirs_analysis = analysis.projects[1]
    assert theirs_analysis.rank.contributed is False
    assert theirs_analysis.resume_items == ()
    assert theirs_analysis.user_skills == ()
    assert "The user made no commit in it: it is listed for its project facts only" in (
        theirs_analysis.summary
    )
    assert "Stack:" not in theirs_analysis.summary
    assert "no commit by the user: the project is listed for its project facts only" in [
        e.content for e in theirs_analysis.evidence
    ]


async def test_vendored_generated_and_documentation_files_are_not_the_users_code(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    repo = repos.repo("lib")
    repo.write("lib/api.py", "def get():\n    return 1\n" * 5)  # 10 lines, the user's code
    repo.write("lib/packages/urllib3/pool.py", "x = 1\n" * 400)  # a vendored copy
    repo.write("gradlew", "#!/bin/sh\n" * 50)
    repo.write("mvnw.cmd", "@echo off\n" * 30)
    repo.write("build.gradle", "plugins { id 'java' }\n")
    repo.write("docs/conf.py", "project = 'lib'\n" * 20)
    repo.write("examples/app.py", "import lib\n" * 20)
    repo.write("web/api.gen.ts", "export const a = 1;\n" * 60)
    repo.write("db/schema.sql", "create table t (id int);\n" * 5)
    repo.commit("everything", author=ALICE, when=T0)
    [report] = await _mine(upload, runner, ALICE[1])
    assert report.history is not None
    assert report.history.user is not None
    user = report.history.user
    # Only lib/api.py is Python code of the user's; SQL and Gradle are data (linguist kinds).
    assert user.languages["Python"].added == 10
    assert set(user.languages) == {"Python", "SQL", "Gradle"}
    assert user.activity[ActivityKind.DOCS] == 40  # docs/ and examples/ are documentation
    shares = {s.name: (s.kind.value, s.bytes) for s in report.languages.shares}
    assert shares == {
        "Python": ("programming", 120),
        "SQL": ("data", 125),
        "Gradle": ("data", 22),
    }
    left = {o.reason: (o.files, o.where) for o in report.tree.left_out}
    assert left == {
        "documentation": (2, ("docs/", "examples/")),
        "generated": (1, ("web/",)),
        "vendored": (3, ("gradlew", "lib/packages/urllib3/", "mvnw.cmd")),
    }
    project = _analysis([report], ALICE[1]).projects[0]
    assert any(
        e.content.startswith("left out of the language shares: 3 vendored file(s)")
        for e in project.evidence
    )
    assert {s.name for s in project.skills if s.category == "languages"} == {"Python"}


async def test_an_author_who_left_before_a_tool_was_added_gets_no_credit(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    repo = repos.repo("svc")
    repo.write("pyproject.toml", '[project]\nname = "svc"\ndependencies = ["flask>=3"]\n')
    repo.write("svc/app.py", "import flask\n" * 10)
    repo.commit("init", author=ALICE, when=T0)
    repo.write("svc/app.py", "import flask\n" * 12)
    repo.commit("more", author=ALICE, when=T0 + DAY)
    # Years after alice's last commit, bob adds CI, a linter and a dependency.
    later = T0 + 800 * DAY
    repo.write(".github/workflows/ci.yml", "on: push\njobs: {}\n")
    repo.write(".pre-commit-config.yaml", "repos: []\n")
    repo.write("requirements.txt", "celery==5.4\n")
    repo.write("svc/tasks.py", "import celery\n" * 5)
    repo.commit("ci, pre-commit, celery", author=BOB, when=later)
    [report] = await _mine(upload, runner, ALICE[1])
    assert {d.name for d in report.frameworks} >= {"Flask", "GitHub Actions", "Celery"}
    project = _analysis([report], ALICE[1]).projects[0]
    mine = {s.name: s for s in project.user_skills}
    assert "Flask" in mine
    assert not {"GitHub Actions", "Celery", "pre-commit", "CI/CD", "Linting"} & set(mine)
    assert mine["Flask"].evidence[-2] == (
        "the user added or changed the lines declaring Flask in pyproject.toml "
        "(1 commit(s), 2023-11-14 to 2023-11-14)"
    )
    # The project still uses them: project-level facts stay project-level.
    assert {"GitHub Actions", "Celery"} <= {s.name for s in project.skills}
    bullets = " ".join(i.content for i in project.resume_items)
    assert "GitHub Actions" not in bullets
    assert "Celery" not in bullets
    assert "pre-commit" not in bullets


async def test_direct_dependencies_of_each_ecosystem_are_found(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """go.mod's direct requirements only; a gem's .gemspec; a Gradle version catalog; CMake's
    find_package; central NuGet versions; C++ tool configuration."""
    repo = repos.repo("poly")
    repo.write(
        "go.mod",
        "module x\nrequire (\n\tgithub.com/stretchr/testify v1\n"
        "\tgo.mongodb.org/mongo-driver/v2 v2.5.0 // indirect\n)\n",
    )
    repo.write("main.go", "package main\n")
    repo.write("lib.gemspec", "Gem::Specification.new do |s|\n  s.add_dependency 'rack'\nend\n")
    repo.write("gradle/libs.versions.toml", '[libraries]\nok = "com.squareup.okhttp3:okhttp:4"\n')
    repo.write("CMakeLists.txt", "find_package(GTest REQUIRED)\n")
    repo.write(".clang-tidy", "Checks: '-*'\n")
    repo.write(
        "docs/requirements.txt",  # compiled by uv pip compile: flask asked for, click pinned
        "flask==3.0\n    # via -r docs/requirements.in\nclick==8.1\n    # via flask\n",
    )
    repo.write(
        "Directory.Packages.props",
        '<Project><ItemGroup><PackageVersion Include="Polly" Version="8" /></ItemGroup></Project>',
    )
    repo.commit("init", author=ALICE, when=T0)
    [report] = await _mine(upload, runner, ALICE[1])
    found = {d.name for d in report.frameworks}
    assert found >= {"Testify", "Rack", "OkHttp", "Gradle", "GoogleTest", "CMake", "clang-tidy"}
    assert "Polly" in found
    assert "MongoDB" not in found  # only required indirectly
    assert "Flask" in found
    assert "Click" not in found  # pinned for flask, not asked for


async def test_content_tells_headers_scripts_and_minified_files(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """At HEAD, as linguist: a C++ project's ``.h`` headers are C++, an extensionless script is
    its shebang's language, minified CSS/JS (average line > 110 characters) is generated."""
    repo = repos.repo("native")
    repo.write("src/main.cpp", "#include <vector>\nint main() { return 0; }\n" * 40)
    header = "#pragma once\n#include <string>\nnamespace app {\ntemplate <typename T>\n"
    repo.write("include/app/core.h", header + "class Box { std::string s; };\n}\n" * 30)
    repo.write("tools/release", "#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n" * 30)
    rule = ".a{color:red;margin:0 auto;padding:1px 2px 3px 4px;border:1px solid #000}"
    repo.write("web/site.css", rule * 60 + "\n")  # one 4 KB line: minified
    repo.write("web/app.js", "function f() {\n  return 1;\n}\n" * 60)  # short lines: kept
    repo.write("web/bundle.js", "var a=1;" * 600 + "\n")
    repo.commit("init", author=ALICE, when=T0)
    [report] = await _mine(upload, runner, ALICE[1])
    shares = {s.name: s.bytes for s in report.languages.shares}
    assert "C" not in shares
    assert shares["C++"] > 2000
    assert shares["Python"] > 1000
    assert "CSS" not in shares
    assert shares["JavaScript"] == len("function f() {\n  return 1;\n}\n" * 60)
    generated = {o.reason: o for o in report.tree.left_out}["generated"]
    assert generated.files == 2
    assert set(generated.where) == {"web/"}


async def test_editing_a_shared_manifest_credits_only_the_lines_the_user_changed(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """Bumping React in a package.json that declares Express and Axios too is work with React
    only; Express and Axios become the user's once they write JavaScript while declared."""
    repo = repos.repo("web")
    manifest = (
        '{\n  "dependencies": {\n    "react": "%s",\n    "express": "4",\n'
        '    "axios": "1"\n  }\n}\n'
    )
    repo.write("package.json", manifest % "17")
    repo.write("src/app.js", "export const a = 1;\n" * 20)
    repo.commit("init", author=BOB, when=T0)
    repo.write("package.json", manifest % "18")
    repo.write("tools/check.py", "print(1)\n" * 5)
    repo.commit("bump react", author=ALICE, when=T0 + DAY)
    [report] = await _mine(upload, runner, ALICE[1])
    assert {"React", "Express", "Axios"} <= {d.name for d in report.frameworks}
    assert report.history is not None
    assert [(e.path, e.name, e.commits) for e in report.history.user_declared] == [
        ("package.json", "React", 1)
    ]
    mine = {s.name: s for s in _analysis([report], ALICE[1]).projects[0].user_skills}
    assert "React" in mine
    assert not {"Express", "Axios"} & set(mine)
    assert any("lines declaring React in package.json" in e for e in mine["React"].evidence)

    # Later alice writes JavaScript while they are declared: the code is her evidence.
    repo.write("src/app.js", "export const a = 2;\n" * 20)
    repo.commit("js work", author=ALICE, when=T0 + 2 * DAY)
    [report] = await _mine(upload, runner, ALICE[1])
    mine = {s.name: s for s in _analysis([report], ALICE[1]).projects[0].user_skills}
    assert {"React", "Express", "Axios"} <= set(mine)
    assert any(
        "changed JavaScript code while Express was declared" in e for e in mine["Express"].evidence
    )


async def test_headers_of_a_cpp_project_are_cpp_in_the_users_languages(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """History has paths only: `.h` headers count as C++ when the history changed more C++
    source lines than C source lines, else as C; commits and files stay exact."""
    repo = repos.repo("cpp")
    repo.write("src/format.cc", "int f() { return 1; }\n" * 30)
    repo.write("include/format.h", "int f();\n" * 10)
    repo.commit("init", author=ALICE, when=T0)
    repo.write("include/format.h", "int f();\n" * 12)
    repo.commit("header", author=ALICE, when=T0 + DAY)
    repo.write("support/shim.c", "int g(void) { return 0; }\n" * 3)
    repo.commit("shim", author=ALICE, when=T0 + 2 * DAY)
    c_project = repos.repo("c")
    c_project.write("lib.c", "int g(void) { return 0; }\n" * 30)
    c_project.write("lib.h", "int g(void);\n")
    c_project.write("bind/wrap.cpp", "int w() { return 0; }\n")
    c_project.commit("init", author=ALICE, when=T0)
    c_report, cpp_report = await _mine(upload, runner, ALICE[1])  # by path
    assert cpp_report.history is not None
    assert cpp_report.history.user is not None
    mine = cpp_report.history.user.languages
    assert set(mine) == {"C++", "C"}
    assert (mine["C++"].added, mine["C++"].commits, mine["C++"].files) == (42, 2, 2)
    assert (mine["C"].added, mine["C"].commits, mine["C"].files) == (3, 1, 1)
    assert cpp_report.history.languages["C++"].commits == 2
    assert c_report.history is not None
    assert c_report.history.user is not None
    theirs = c_report.history.user.languages
    assert (theirs["C"].added, theirs["C"].files) == (31, 2)
    assert (theirs["C++"].added, theirs["C++"].files) == (1, 1)


_PRE_COMMIT = (
    "repos:\n  - repo: https://github.com/psf/black\n    rev: %s\n    hooks:\n      - id: black\n"
)
_RUFF_HOOK = (
    "  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.1.0\n"
    "    hooks:\n      - id: ruff\n"
)


def _first_dates(skill_evidence: tuple[str, ...]) -> list[str]:
    return sorted(re.findall(r"\d{4}-\d{2}-\d{2}", " ".join(skill_evidence)))


async def test_a_tool_is_dated_from_the_users_first_touch_after_it_entered_its_file(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """alice writes .pre-commit-config.yaml (Black) on day 0; bob adds Ruff to it on day 10;
    alice edits it on day 20: pre-commit dates from day 0, Ruff from day 20, not day 0."""
    repo = repos.repo("lint")
    repo.write(".pre-commit-config.yaml", _PRE_COMMIT % "23.1.0")
    repo.write("app/core.py", "x = 1\n" * 10)
    repo.write("tests/test_core.py", "def test_x():\n    assert True\n")
    repo.write("README.md", "# lint\n")
    repo.commit("init", author=ALICE, when=T0)
    repo.write(".pre-commit-config.yaml", _PRE_COMMIT % "23.1.0" + _RUFF_HOOK)
    repo.commit("add ruff", author=BOB, when=T0 + 10 * DAY)
    [report] = await _mine(upload, runner, ALICE[1])
    assert "Ruff" in {d.name for d in report.frameworks}
    mine = {s.name: s for s in _analysis([report], ALICE[1]).projects[0].user_skills}
    # alice's only touch of the file predates Ruff in it: no Ruff work of hers.
    assert "pre-commit" in mine
    assert "Ruff" not in mine
    assert "Ruff" not in " ".join(e for s in mine.values() for e in s.evidence)

    repo.write(".pre-commit-config.yaml", _PRE_COMMIT % "24.1.0" + _RUFF_HOOK)
    repo.commit("bump black", author=ALICE, when=T0 + 20 * DAY)
    [report] = await _mine(upload, runner, ALICE[1])
    assert report.history is not None
    [ruff] = [t for t in report.history.tool_touches if t.name == "Ruff"]
    assert (ruff.introduced, ruff.user_commits) == (datetime.fromtimestamp(T0 + 10 * DAY, UTC), 1)
    mine = {s.name: s for s in _analysis([report], ALICE[1]).projects[0].user_skills}
    assert _first_dates(mine["Ruff"].evidence)[0] == "2023-12-04"  # day 20, not day 0
    assert _first_dates(mine["pre-commit"].evidence)[0] == "2023-11-14"
    assert "the user changed .pre-commit-config.yaml (1 commit(s), 2023-12-04 to 2023-12-04)" in (
        mine["Ruff"].evidence
    )


async def test_every_credited_skill_has_a_first_date_recomputable_from_git(
    repos: Factory, upload: Path, runner: GitRunner
) -> None:
    """Languages date from the user's first commit in them, practices from their evidence:
    tests, docs, the credited tools' files. A practice with no dated work of the user's own is
    not credited."""
    repo = repos.repo("dated")
    repo.write("app/core.py", "x = 1\n" * 10)
    repo.write("README.md", "# dated\n")
    repo.write("tests/test_core.py", "def test_x():\n    assert True\n")
    repo.write(".github/workflows/ci.yml", "on: push\njobs: {}\n")
    repo.write("mypy.ini", "[mypy]\nstrict = True\n")
    repo.commit("init", author=BOB, when=T0)
    repo.write("app/core.py", "x = 2\n" * 10)
    repo.commit("python", author=ALICE, when=T0 + DAY)
    repo.write("tests/test_core.py", "def test_x():\n    assert 1\n")
    repo.commit("tests", author=ALICE, when=T0 + 2 * DAY)
    repo.write(".github/workflows/ci.yml", "on: [push]\njobs: {}\n")
    repo.write("README.md", "# dated, documented\n")
    repo.commit("ci and docs", author=ALICE, when=T0 + 3 * DAY)
    repo.write("web/app.js", "export const a = 1;\n")
    repo.commit("js", author=ALICE, when=T0 + 4 * DAY)
    [report] = await _mine(upload, runner, ALICE[1])
    mine = {s.name: s for s in _analysis([report], ALICE[1]).projects[0].user_skills}
    firsts = {name: _first_dates(s.evidence)[:1] for name, s in mine.items()}
    assert all(firsts.values()), firsts  # every credited skill is dated
    assert firsts["Python"] == ["2023-11-15"]
    assert firsts["Testing"] == ["2023-11-16"]
    assert firsts["CI/CD"] == ["2023-11-17"]
    assert firsts["Documentation"] == ["2023-11-17"]
    assert firsts["JavaScript"] == ["2023-11-18"]
    # bob's mypy.ini is his: no Type Checking for alice, however much configuration she wrote.
    assert "Type Checking" not in mine
    assert "mypy" not in mine
