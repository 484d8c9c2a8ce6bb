"""Signals from file names: which notable paths count as README, licence, changelog, docs,
CI and tools (at any depth, shallowest first), and which folders hold only examples."""

from __future__ import annotations

import pytest

from mining.analyze.signals import Signals, is_example_path, signals_of
from mining.records import ActivityKind
from tests.analyze.analyze_factory import detection, report


def _signals(*notable: str, **kwargs: object) -> Signals:
    return signals_of(report(notable=notable, **kwargs))  # type: ignore[arg-type]


def _tools(s: Signals) -> list[tuple[str, str]]:
    return [(t.name, t.kind) for t in s.tools]


def test_a_nested_file_is_found_by_its_own_name() -> None:
    assert _signals("pkg/sub/README.md").readme == "pkg/sub/README.md"
    assert _signals("My Project/README.md").readme == "My Project/README.md"
    assert _signals("pkg/sub/.gitignore").gitignore
    assert _signals("pkg/sub/LICENSE").licence == "pkg/sub/LICENSE"


def test_the_shallowest_file_wins_then_the_path() -> None:
    # Not the first in sorted order ("A/..." sorts before "README.md"): the top-level one.
    assert _signals("A/README.md", "README.md", "b/c/README.md").readme == "README.md"
    assert _signals("b/README.md", "a/README.md", "x/y/README.md").readme == "a/README.md"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("LICENCE.txt", "licence"),
        ("COPYING", "licence"),
        ("CHANGES.rst", "changelog"),
        ("HISTORY.md", "changelog"),
        ("NEWS", "changelog"),
        ("ChangeLog", "changelog"),
        ("docs/", "docs_dir"),
        ("doc/", "docs_dir"),
        ("Documentation/", "docs_dir"),
    ],
)
def test_each_spelling_of_a_documentation_file(path: str, field: str) -> None:
    assert getattr(_signals(path), field) == path


def test_a_docs_file_is_not_a_docs_folder() -> None:
    assert _signals("docs.md").docs_dir is None


def test_config_files_are_found_at_any_depth() -> None:
    s = _signals(
        "backend/ruff.toml",
        "tools/Jenkinsfile",
        "packages/app/.github/workflows/ci.yml",
        "web/.prettierrc.json",
    )
    assert _tools(s) == [
        ("GitHub Actions", "ci"),
        ("Jenkins", "ci"),
        ("Prettier", "formatter"),
        ("Ruff", "linter"),
    ]


def test_an_empty_ci_folder_is_not_ci() -> None:
    assert _tools(_signals(".circleci/")) == []
    assert _tools(_signals(".circleci/config.yml")) == [("CircleCI", "ci")]


def test_containers_and_infrastructure_come_from_detections_too() -> None:
    s = _signals(
        frameworks=[
            detection("Docker", "container", "docker", "deploy/app.dockerfile.j2"),
            detection("Terraform", "infrastructure", "terraform", "infra/main.tf"),
            detection("Django", "framework"),
        ]
    )
    assert _tools(s) == [("Docker", "container"), ("Terraform", "infrastructure")]


def test_file_counts_per_kind() -> None:
    s = _signals(counts={ActivityKind.CODE: 9, ActivityKind.TEST: 3, ActivityKind.DOCS: 4})
    assert (s.code_files, s.test_files, s.doc_files) == (9, 3, 4)
    empty = _signals()
    assert (empty.code_files, empty.test_files, empty.doc_files) == (0, 0, 0)


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("examples/celery/pyproject.toml", True),
        ("examples\\celery\\pyproject.toml", True),  # a Windows path
        ("docs/Demo/package.json", True),
        ("examples/", False),  # the folder itself, not something in it
        ("/examples", False),
        ("examples.txt", False),
        ("Xsamples/package.json", False),  # only a whole folder name counts
        ("src/pyproject.toml", False),
    ],
)
def test_example_paths(path: str, example: bool) -> None:
    assert is_example_path(path) is example


@pytest.mark.parametrize("path", ["work/src/Flask", "work/src/Flask/", "flask"])
def test_a_detection_named_after_the_project_folder_is_its_own(path: str) -> None:
    # Flask's own examples declare Flask: that is the project's subject, not an example's.
    flask = detection("Flask", "framework", "python", "examples/tutorial/pyproject.toml")
    celery = detection("Celery", "library", "python", "examples/celery/pyproject.toml")
    s = signals_of(report("proj", path=path, frameworks=[flask, celery]))
    assert s.example_only == frozenset({"celery"})


def test_a_folder_named_like_a_framework_but_longer_is_not_its_project() -> None:
    flask = detection("Flask", "framework", "python", "examples/tutorial/pyproject.toml")
    s = signals_of(report("proj", path="work/FlaskX", frameworks=[flask]))
    assert s.example_only == frozenset({"flask"})


def test_a_config_name_with_a_suffix_after_it_is_not_that_config() -> None:
    # "compose.y*ml" must end the name: compose.yamlX (a renamed-away copy) is not Compose.
    assert _tools(_signals("compose.yamlX", "compose.yaml.bak")) == []
    assert _tools(_signals("compose.yaml")) == [("Docker Compose", "container")]
