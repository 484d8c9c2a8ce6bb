"""Path rules: kinds of work, notable files, roles; and the check-mailmap parser."""

from __future__ import annotations

import pytest

from mining.history.activity import classify, left_out, module_of, notable, role
from mining.parse.mailmap import parse_check_mailmap
from mining.records import ActivityKind

CODE, TEST, DOCS, CONFIG, DESIGN = (ActivityKind.CODE, ActivityKind.TEST, ActivityKind.DOCS,
                                    ActivityKind.CONFIG, ActivityKind.DESIGN)  # fmt: skip


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("src/app.py", CODE),
        ("tests/unit/helpers.py", TEST),
        ("pkg/test_models.py", TEST),
        ("server/handler_test.go", TEST),
        ("web/src/App.spec.ts", TEST),
        ("web/src/App.test.jsx", TEST),
        ("src/test/java/FooTest.java", TEST),
        ("conftest.py", TEST),
        ("docs/index.html", DOCS),
        ("README.md", DOCS),
        ("guide.rst", DOCS),
        ("LICENSE", DOCS),
        ("requirements.txt", CONFIG),
        ("Dockerfile.dev", CONFIG),
        ("Makefile", CONFIG),
        ("pyproject.toml", CONFIG),
        (".github/workflows/ci.yml", CONFIG),
        (".eslintrc", CONFIG),
        ("package.json", CONFIG),
        ("assets/logo.svg", DESIGN),
        ("design/home.fig", DESIGN),
        ("static/site.scss", DESIGN),
    ],
)
def test_classify(path: str, kind: ActivityKind) -> None:
    assert classify(path) is kind


def test_left_out() -> None:
    assert [left_out(p) for p in ("a.py", "img.png", "node_modules/a.png", "yarn.lock")] == [
        False, False, True, True
    ]  # fmt: skip


def test_notable() -> None:
    paths = ["README.md", "LICENSE", "src/README.md", ".github/workflows/ci.yml", "docs/a.md",
             "docs/b.md", "Dockerfile", "docker-compose.yml", ".eslintrc.json", "App.csproj",
             ".circleci/config.yml", "src/main.py", "tsconfig.json", "CHANGELOG.rst"]  # fmt: skip
    assert notable(paths) == (
        ".circleci/config.yml", ".eslintrc.json", ".github/workflows/ci.yml", "App.csproj",
        "CHANGELOG.rst", "Dockerfile", "LICENSE", "README.md", "docker-compose.yml", "docs/",
        "tsconfig.json",
    )  # fmt: skip


def test_module_of() -> None:
    assert (module_of("a.py"), module_of("src/x/a.py")) == (".", "src")


@pytest.mark.parametrize(
    ("commits", "authors", "share", "activity", "expected"),
    [
        (0, 3, 0.0, {}, "Not a Contributor"),
        (5, 1, 100.0, {TEST: 100}, "Sole Developer"),
        (5, 3, 10.0, {TEST: 70, CODE: 30}, "Test Engineer"),
        (5, 3, 10.0, {DOCS: 60, CODE: 40}, "Documentation Lead"),
        (5, 3, 10.0, {DESIGN: 9, CODE: 1}, "Designer"),
        (5, 3, 10.0, {CONFIG: 9, CODE: 1}, "Build & Infrastructure Engineer"),
        (5, 3, 50.0, {CODE: 10}, "Lead Developer"),
        (5, 3, 20.0, {}, "Core Contributor"),
        (5, 3, 5.0, {CODE: 1}, "Contributor"),
        (1, 30, 4.99, {CODE: 1}, "Occasional Contributor"),
    ],
)
def test_role(
    commits: int, authors: int, share: float, activity: dict[ActivityKind, int], expected: str
) -> None:
    assert role(commits, authors, share, activity) == expected


def test_parse_check_mailmap() -> None:
    raw = b"Alice Doe <Alice@Example.com>\n<bob@x.com>\n"
    assert parse_check_mailmap(raw) == ("alice@example.com", "bob@x.com")
