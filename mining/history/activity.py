"""Path rules: what kind of work a file is, which files are notable, and a contributor's role.

Classification looks at the path only (never the contents), first match wins, in this order:

1. TEST   - a path segment named test/tests/__tests__/spec/specs/testing/e2e/cypress,
            or a file named test_*.py, *_test.py, *_test.go, *Test.java, *Tests.cs, *_spec.rb,
            *.test.* / *.spec.* (JS/TS), conftest.py.
2. CONFIG - well-known build files by name: Dockerfile*, Makefile, requirements.txt, go.mod, ...
3. DOCS   - a segment named docs/doc/documentation/man/wiki, or a prose file (*.md, *.rst, *.txt,
            *.adoc, *.tex), or README/LICENSE/CHANGELOG/CONTRIBUTING/AUTHORS files, or what
            linguist's documentation rules name (examples/, demo/, samples/, ...:
            languages.is_documentation). Documentation is never a language of anyone's code.
4. DESIGN - images and design sources (*.png, *.jpg, *.svg, *.fig, *.sketch, *.psd, *.xd, ...),
            and stylesheets (*.css, *.scss, *.sass, *.less): the look of the product.
5. CONFIG - build, CI, packaging and tool configuration: *.toml, *.yaml/*.yml, *.ini, *.cfg,
            *.json, *.xml, *.lock, Dockerfile, Makefile, .github/, .gitlab-ci.yml, dotfiles.
6. CODE   - everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath

from mining.records import ActivityKind
from mining.tree import languages

_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "specs", "testing", "e2e", "cypress"})
_TEST_FILE = re.compile(
    r"(^test_.*\.py$|_test\.(py|go|rs|exs?|dart)$|^conftest\.py$|(Test|Tests|IT)\.(java|kt|cs|scala)$"
    r"|_spec\.rb$|\.(test|spec)\.[cm]?[jt]sx?$)"
)
_DOC_DIRS = frozenset({"docs", "doc", "documentation", "man", "wiki"})
_DOC_EXT = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".tex", ".org"})
_DOC_STEMS = frozenset(
    {
        "readme",
        "license",
        "licence",
        "copying",
        "changelog",
        "changes",
        "contributing",
        "authors",
        "notice",
        "history",
        "code_of_conduct",
    }
)
_DESIGN_EXT = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".ico",
        ".webp",
        ".bmp",
        ".fig",
        ".sketch",
        ".psd",
        ".xd",
        ".ai",
        ".afdesign",
        ".css",
        ".scss",
        ".sass",
        ".less",
        ".styl",
    }
)
_CONFIG_EXT = frozenset(
    {
        ".toml",
        ".yaml",
        ".yml",
        ".ini",
        ".cfg",
        ".conf",
        ".json",
        ".xml",
        ".lock",
        ".properties",
        ".gradle",
        ".env",
        ".editorconfig",
    }
)
_CONFIG_NAMES = frozenset(
    {
        "dockerfile",
        "makefile",
        "jenkinsfile",
        "procfile",
        "vagrantfile",
        "gemfile",
        "rakefile",
        "pipfile",
        "requirements.txt",
        "go.mod",
        "go.sum",
        "cmakelists.txt",
        "setup.py",
        "manage.py",
    }
)
_CONFIG_DIRS = frozenset({".github", ".circleci", ".gitlab", ".devcontainer", ".vscode", ".idea"})


@dataclass(frozen=True, slots=True)
class _Path:
    """A path as the rules read it: `path` as written, its `name` and `dirs` lowercased."""

    path: str
    name: str
    dirs: tuple[str, ...]
    suffix: str

    @classmethod
    def of(cls, path: str) -> _Path:
        *dirs, name = path.lower().split("/")
        return cls(path, name, tuple(dirs), PurePosixPath(name).suffix)

    @property
    def file(self) -> str:
        """The last component as written (the test-file patterns are case-sensitive)."""
        return self.path.rsplit("/", 1)[-1]


def _test(p: _Path) -> bool:
    return any(d in _TEST_DIRS for d in p.dirs) or _TEST_FILE.search(p.file) is not None


def _build_file(p: _Path) -> bool:
    return p.name in _CONFIG_NAMES or p.name.startswith("dockerfile")


def _docs(p: _Path) -> bool:
    return (
        any(d in _DOC_DIRS for d in p.dirs)
        or p.suffix in _DOC_EXT
        or languages.is_documentation(p.path)
        or PurePosixPath(p.name).stem in _DOC_STEMS
    )


def _design(p: _Path) -> bool:
    return p.suffix in _DESIGN_EXT


def _config(p: _Path) -> bool:
    return (
        p.suffix in _CONFIG_EXT or any(d in _CONFIG_DIRS for d in p.dirs) or p.name.startswith(".")
    )


# The rules of the module docstring, in order: the first that holds names the kind.
_RULES: tuple[tuple[ActivityKind, Callable[[_Path], bool]], ...] = (
    (ActivityKind.TEST, _test),
    (ActivityKind.CONFIG, _build_file),
    (ActivityKind.DOCS, _docs),
    (ActivityKind.DESIGN, _design),
    (ActivityKind.CONFIG, _config),
)


@lru_cache(maxsize=65536)
def classify(path: str) -> ActivityKind:
    """The kind of work a change to `path` is (rules in the module docstring)."""
    parts = _Path.of(path)
    return next((kind for kind, holds in _RULES if holds(parts)), ActivityKind.CODE)


def left_out(path: str, kind: ActivityKind | None = None) -> bool:
    """Vendored, generated, lock and binary files (languages.is_excluded) are not anyone's work,
    except images and design sources (binary, but design work) outside vendored directories."""
    if not languages.is_excluded(path):
        return False
    if (kind or classify(path)) is not ActivityKind.DESIGN:
        return True
    parent = path.rpartition("/")[0]
    return bool(parent) and languages.is_excluded(f"{parent}/probe.c")


# Notable files: what a reviewer looks for first (project hygiene, CI, tooling).
_NOTABLE_STEMS = (
    "readme",
    "license",
    "licence",
    "copying",
    "changelog",
    "contributing",
    "code_of_conduct",
    "security",
)
_NOTABLE_NAMES = frozenset(
    {
        ".gitignore",
        ".editorconfig",
        ".pre-commit-config.yaml",
        ".gitlab-ci.yml",
        "jenkinsfile",
        "azure-pipelines.yml",
        ".travis.yml",
        "dockerfile",
        "makefile",
        "ruff.toml",
        ".ruff.toml",
        ".flake8",
        "setup.cfg",
        "tox.ini",
        "mypy.ini",
        ".mypy.ini",
        "tsconfig.json",
        ".pylintrc",
        "pylintrc",
        ".rubocop.yml",
        ".golangci.yml",
        ".golangci.yaml",
        "rustfmt.toml",
        ".rustfmt.toml",
        "clippy.toml",
        "pyproject.toml",
        "requirements.txt",
        "pipfile",
        "package.json",
        "go.mod",
        "cargo.toml",
        "gemfile",
        "composer.json",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "setup.py",
        ".stylelintrc",
        "biome.json",
        "deno.json",
        ".dockerignore",
        "codecov.yml",
        ".coveragerc",
        "pytest.ini",
        "jest.config.js",
    }
)
_NOTABLE_PREFIXES = (
    ".eslintrc",
    "eslint.config.",
    ".prettierrc",
    "prettier.config.",
    "docker-compose",
    "compose.y",
    "dockerfile",
    "vite.config.",
    "webpack.config.",
)
_CI_PATHS = re.compile(r"^(\.github/workflows/[^/]+\.ya?ml|\.circleci/config\.yml)$", re.IGNORECASE)


def is_notable(path: str) -> bool:
    """README*, LICENSE*, CHANGELOG*, CI files, Docker files, linters and manifests, at any depth
    for CI (its fixed location) and at the project root for everything else."""
    if _CI_PATHS.match(path):
        return True
    if "/" in path:
        return False
    name = path.lower()
    return (
        name in _NOTABLE_NAMES
        or name.startswith(_NOTABLE_PREFIXES)
        or name.endswith(".csproj")
        or PurePosixPath(name).stem in _NOTABLE_STEMS
    )


def notable(paths: Iterable[str]) -> tuple[str, ...]:
    """Sorted notable paths; a top-level docs/ directory is reported once as "docs/"."""
    found = {p for p in paths if is_notable(p)}
    found |= {p.split("/", 1)[0] + "/" for p in paths if p.lower().startswith(("docs/", "doc/"))}
    return tuple(sorted(found))


def module_of(path: str) -> str:
    """The top-level directory of a path; a file at the root belongs to "."."""
    head, sep, _ = path.partition("/")
    return head if sep else "."


# Roles, first match wins. `share` is the percent of all non-merge commits, `activity` the user's
# lines per kind of file (a binary change counts one line).
SPECIALIST_SHARE = 0.6  # this fraction of the user's lines in one non-code kind
_SPECIALISTS = {
    ActivityKind.TEST: "Test Engineer",
    ActivityKind.DOCS: "Documentation Lead",
    ActivityKind.DESIGN: "Designer",
    ActivityKind.CONFIG: "Build & Infrastructure Engineer",
}

# Rule 4 of `role`: the first share (percent of the repository's commits) the user reaches.
_BY_SHARE = ((50, "Lead Developer"), (20, "Core Contributor"), (5, "Contributor"))


def role(commits: int, authors: int, share: float, activity: Mapping[ActivityKind, int]) -> str:
    """The user's role in a repository.

    1. no commits                                  -> "Not a Contributor"
    2. the only author                             -> "Sole Developer"
    3. >= 60% of the user's lines in tests/docs/design/config -> the specialist title above
    4. share >= 50% -> "Lead Developer"; >= 20% -> "Core Contributor"; >= 5% -> "Contributor";
       otherwise "Occasional Contributor".
    """
    if commits == 0:
        return "Not a Contributor"
    if authors == 1:
        return "Sole Developer"
    total = sum(activity.values())
    for kind, title in _SPECIALISTS.items():
        if total and activity.get(kind, 0) >= SPECIALIST_SHARE * total:
            return title
    return next((title for floor, title in _BY_SHARE if share >= floor), "Occasional Contributor")
