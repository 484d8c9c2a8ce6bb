"""What a project's file tree and detections say about its practices, computed once.

`TreeFacts.notable` lists paths (README.md, LICENSE, docs/, .github/workflows/ci.yml, ...);
`ProjectReport.frameworks` lists detections. Skills, evidence and health all ask the same
questions of them ("is there CI? which linters?"), so the answers live here, de-duplicated:
a tool is named once however many files mention it (three workflow files are one GitHub
Actions). Tool names are compared case-insensitively; the first spelling seen wins, and
detections are read before file names so mining/tree/frameworks.py's spelling is preferred.

Example-only detections: a repository's examples/, demo/, sample/ and fixture or test-data
folders (`EXAMPLE_DIRS`, any path segment, case-insensitive) hold other people's would-be
projects, not this one's stack: Flask's examples/celery declares Celery and Redis, which Flask
itself does not use. A detection all of whose files are in such folders is listed in
`Signals.example_only`; skills.py down-weights it and resume.py leaves it out of the stack.
The one exception is a detection named after the project itself (Flask's own examples use
Flask): that is the project's own subject. Note that mining keeps one file per detection (the
first in sorted path order), so a package declared both in examples/ and in a root manifest can
look example-only; down-weighting, rather than dropping, keeps such a skill visible.

`Signals.manifests` lists the shallowest manifests first (then by path): the root
pyproject.toml describes the project, examples/celery/pyproject.toml does not.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from mining.records import ActivityKind, ProjectReport

# basename pattern (lower-case) -> (kind, tool name). Kinds: ci, container, linter, formatter,
# type_checker, hygiene (EditorConfig). Patterns are matched against the basename of a notable
# path, or the whole path for the directory-based CI systems.
_CONFIG_FILES: tuple[tuple[str, str, str], ...] = (
    (".github/workflows/*", "ci", "GitHub Actions"),
    (".gitlab-ci.yml", "ci", "GitLab CI"),
    ("jenkinsfile", "ci", "Jenkins"),
    (".circleci/*", "ci", "CircleCI"),
    (".travis.yml", "ci", "Travis CI"),
    ("azure-pipelines.yml", "ci", "Azure Pipelines"),
    ("bitbucket-pipelines.yml", "ci", "Bitbucket Pipelines"),
    ("dockerfile*", "container", "Docker"),
    ("docker-compose*.y*ml", "container", "Docker Compose"),
    ("compose.y*ml", "container", "Docker Compose"),
    (".flake8", "linter", "Flake8"),
    (".pylintrc", "linter", "Pylint"),
    ("ruff.toml", "linter", "Ruff"),
    (".ruff.toml", "linter", "Ruff"),
    (".eslintrc*", "linter", "ESLint"),
    ("eslint.config.*", "linter", "ESLint"),
    (".stylelintrc*", "linter", "Stylelint"),
    (".rubocop.yml", "linter", "RuboCop"),
    (".golangci.y*ml", "linter", "golangci-lint"),
    ("clippy.toml", "linter", "Clippy"),
    (".prettierrc*", "formatter", "Prettier"),
    ("prettier.config.*", "formatter", "Prettier"),
    ("rustfmt.toml", "formatter", "rustfmt"),
    (".clang-format", "formatter", "clang-format"),
    ("mypy.ini", "type_checker", "mypy"),
    (".mypy.ini", "type_checker", "mypy"),
    ("pyrightconfig.json", "type_checker", "Pyright"),
    # The same names and kinds as mining/tree/frameworks.py reports for these files.
    ("tsconfig.json", "type_checker", "TypeScript"),
    (".pre-commit-config.yaml", "linter", "pre-commit"),
    (".editorconfig", "hygiene", "EditorConfig"),
)

_MANIFESTS: tuple[str, ...] = (
    "package.json",
    "pyproject.toml",
    "requirements*.txt",
    "pipfile",
    "setup.py",
    "setup.cfg",
    "environment.yml",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "go.mod",
    "cargo.toml",
    "gemfile",
    "composer.json",
    "*.csproj",
    "*.fsproj",
)

_QUALITY_KINDS = ("linter", "formatter", "type_checker")


def _compile_patterns() -> None:
    """fnmatch compiles a pattern to a regular expression on its first use and caches it:
    all of ours are compiled on import (for `mine`, in its preload thread while git runs), not
    in the first analysis (~4 ms of the tail after the last git, measured on flask)."""
    for pattern, _, _ in _CONFIG_FILES:
        fnmatch.fnmatchcase("", pattern)
        fnmatch.fnmatchcase("", "*/" + pattern)
    for pattern in _MANIFESTS:
        fnmatch.fnmatchcase("", pattern)


_compile_patterns()

EXAMPLE_DIRS: frozenset[str] = frozenset(
    {
        "example",
        "examples",
        "demo",
        "demos",
        "sample",
        "samples",
        "fixture",
        "fixtures",
        "__fixtures__",
        "testdata",
        "test-data",
        "test_data",
    }
)


@dataclass(frozen=True, slots=True)
class ToolUse:
    """One tool, named once, with every file it was found in (sorted)."""

    name: str
    kind: str  # a Detection.category, or "hygiene" for EditorConfig
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Signals:
    readme: str | None
    licence: str | None
    changelog: str | None
    contributing: str | None
    docs_dir: str | None
    gitignore: bool
    test_files: int
    code_files: int
    doc_files: int
    tools: tuple[ToolUse, ...]  # CI, containers, linters, formatters, type checkers, hygiene
    test_frameworks: tuple[ToolUse, ...]
    manifests: tuple[str, ...]  # dependency manifests found, shallowest first, then by path
    example_only: frozenset[str] = frozenset()  # casefolded names declared only in examples

    def tool(self, name: str) -> ToolUse | None:
        """The tool (any kind, test frameworks included) of that name, compared casefolded."""
        key = name.casefold()
        return next(
            (t for t in (*self.tools, *self.test_frameworks) if t.name.casefold() == key), None
        )

    def is_example_only(self, name: str) -> bool:
        return name.casefold() in self.example_only

    def of_kind(self, *kinds: str) -> tuple[ToolUse, ...]:
        return tuple(t for t in self.tools if t.kind in kinds)

    @property
    def test_ratio(self) -> float:
        """Test files per code file at HEAD (0 when there is no code)."""
        return self.test_files / self.code_files if self.code_files else 0.0

    @property
    def quality_tools(self) -> tuple[ToolUse, ...]:
        return self.of_kind(*_QUALITY_KINDS, "hygiene")


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1].lower()


def _first(paths: Iterable[str], *prefixes: str) -> str | None:
    """The first notable path whose basename starts with one of `prefixes` (top level first)."""
    hits = [p for p in paths if _basename(p).startswith(prefixes)]
    return min(hits, key=lambda p: (p.count("/"), p)) if hits else None


def _config_tool(path: str) -> tuple[str, str] | None:
    lower, base = path.lower().rstrip("/"), _basename(path)
    for pattern, kind, name in _CONFIG_FILES:
        target = lower if "/" in pattern else base
        if fnmatch.fnmatchcase(target, pattern) or (
            "/" in pattern and fnmatch.fnmatchcase(lower, "*/" + pattern)
        ):
            return kind, name
    return None


def _merge_tools(found: Iterable[tuple[str, str, str]]) -> tuple[ToolUse, ...]:
    """(name, kind, source) triples -> one ToolUse per case-insensitive name, sorted by name."""
    by_key: dict[str, tuple[str, str, set[str]]] = {}
    for name, kind, source in found:
        key = name.casefold()
        if key not in by_key:
            by_key[key] = (name, kind, set())
        by_key[key][2].add(source)
    return tuple(
        ToolUse(name, kind, tuple(sorted(sources)))
        for name, kind, sources in sorted(by_key.values(), key=lambda t: t[0].casefold())
    )


def is_manifest(path: str) -> bool:
    return any(fnmatch.fnmatchcase(_basename(path), p) for p in _MANIFESTS)


def is_example_path(path: str) -> bool:
    """True when a directory of `path` (not its file name) is an example/demo/sample/fixture
    or test-data folder: examples/celery/pyproject.toml, docs/demo/package.json."""
    directories = path.replace("\\", "/").strip("/").split("/")[:-1]
    return any(d.lower() in EXAMPLE_DIRS for d in directories)


def _simple(name: str) -> str:
    return "".join(c for c in name.casefold().removesuffix(".git") if c.isalnum())


def _example_only(report: ProjectReport) -> frozenset[str]:
    own = {_simple(report.name), _simple(report.path.rstrip("/").rsplit("/", 1)[-1])}
    sources: dict[str, list[str]] = {}
    for d in report.frameworks:
        sources.setdefault(d.name.casefold(), []).append(d.source)
    return frozenset(
        key
        for key, paths in sources.items()
        if all(is_example_path(p) for p in paths) and _simple(key) not in own
    )


def _tools_found(report: ProjectReport) -> list[tuple[str, str, str]]:
    """(name, kind, source) of the tools detected in manifests, then of the configuration files
    at HEAD that name one."""
    tool_kinds = (*_QUALITY_KINDS, "ci", "container", "infrastructure")
    found = [(d.name, d.category, d.source) for d in report.frameworks if d.category in tool_kinds]
    for path in report.tree.notable:
        hit = _config_tool(path)
        if hit is not None:
            found.append((hit[1], hit[0], path))
    return found


def _manifests(report: ProjectReport) -> set[str]:
    manifests = {d.source for d in report.frameworks if is_manifest(d.source)}
    manifests.update(p for p in report.tree.notable if is_manifest(p))
    return manifests


def signals_of(report: ProjectReport) -> Signals:
    notable = report.tree.notable
    found = _tools_found(report)
    tests = [(d.name, d.category, d.source) for d in report.frameworks if d.category == "testing"]
    manifests = _manifests(report)
    counts = report.tree.counts
    return Signals(
        readme=_first(notable, "readme"),
        licence=_first(notable, "license", "licence", "copying"),
        changelog=_first(notable, "changelog", "changes", "history", "news"),
        contributing=_first(notable, "contributing"),
        docs_dir=_first([p for p in notable if p.endswith("/")], "docs", "doc"),
        gitignore=any(_basename(p) == ".gitignore" for p in notable),
        test_files=counts.get(ActivityKind.TEST, 0),
        code_files=counts.get(ActivityKind.CODE, 0),
        doc_files=counts.get(ActivityKind.DOCS, 0),
        tools=_merge_tools(found),
        test_frameworks=_merge_tools(tests),
        manifests=tuple(sorted(manifests, key=lambda p: (p.count("/"), p))),
        example_only=_example_only(report),
    )
