"""Frameworks, libraries and tools a project uses, from its manifests and configuration files.

`REGISTRY` is the whole table: each `Entry` names a framework, library or tool, its category
(one of `CATEGORIES`), the ecosystem reported on its detections, and the exact package names
that imply it, per namespace. `mining.tree.manifests` reads each file as data; this module matches
what it declares against the table.

Categories: framework (web, UI, mobile), library, database (servers, drivers, ORMs,
migrations), messaging, testing, linter (pre-commit counts here: it exists to run linters),
formatter, type_checker (``TypeScript`` comes from the ``typescript`` package or a
tsconfig.json; ``TypeScript (strict)`` is a separate entry, reported when a tsconfig sets
``compilerOptions.strict: true``), build (bundlers, build tools, packaging and package
managers), ci, container, infrastructure, cloud, data_ml.

Namespaces and matching - always exact, after the ecosystem's own normalisation:

* python: PEP 503 (lower case; runs of ``-``, ``_`` and ``.`` are one ``-``).
* javascript: the npm name as written, scopes included (``@angular/core``).
* java: ``groupId:artifactId``. gradle-plugin: a Gradle plugin id.
* go: the module path, case kept, without a major-version suffix (``/v4``).
* rust: lower case, ``_`` and ``-`` equivalent (as crates.io treats them).
* ruby, php, dotnet: lower case (RubyGems, Packagist and NuGet names are case-insensitive).
* cmake: a `find_package` / `FetchContent_Declare` name, lower case (``Catch2``, ``GTest``).
* image: a container image name without registry host, ``library/`` and tag.

A name ending in ``*`` in the table is an explicit prefix rule (``spring-boot-starter-*``).
So ``preact`` is Preact, not React; ``flask-cors`` alone is not Flask; ``starlette`` alone is
Starlette, not FastAPI; ``reactive`` is nothing. React lists both ``react`` and ``react-dom``
(the latter cannot be used without the former). ``next`` is Next.js only: a Next.js app
declares ``react`` too, which yields React on its own.

Which files are read (`is_manifest`), anywhere in the tree: package.json, pyproject.toml,
requirements*.txt / *requirements.txt / requirements/*.txt|in, Pipfile, setup.cfg, setup.py,
tox.ini, pom.xml, build.gradle(.kts), gradle/libs.versions.toml (a version catalog), go.mod
(direct requirements only: ``// indirect`` ones are a dependency's), Cargo.toml, Gemfile,
*.gemspec, composer.json, CMakeLists.txt, *.csproj/*.fsproj/*.vbproj, Directory.Packages.props,
Directory.Build.props, Dockerfile / Dockerfile.* / *.dockerfile / Containerfile,
(docker-)compose*.y(a)ml, CI files (.github/workflows/*.y(a)ml, .gitlab-ci.yml,
.circleci/config.yml, Jenkinsfile, azure-pipelines.yml, .travis.yml, bitbucket-pipelines.yml,
appveyor.yml), *.tf, Chart.yaml, kustomization.yaml, tool configuration (tsconfig*.json,
eslint/prettier/jest/vitest/vite/webpack/... configs, mypy.ini, .flake8, ruff.toml, pytest.ini,
.pre-commit-config.yaml, .golangci.*, .rubocop.yml, rustfmt.toml, .clang-format, .clang-tidy,
meson.build, MODULE.bazel / WORKSPACE,
.php-cs-fixer(.dist).php, phpcs.xml, psalm.xml, conftest.py ...). Kubernetes
candidates are the YAML files below a directory named k8s, kubernetes, kube, manifests,
deploy(ment)(s), helm, charts, kustomize or overlays: reading every YAML file of a tree would
cost too much, and elsewhere apiVersion+kind is rare.

`detect` reports each entry once per file, sorted by (category, name); `detect_all` keeps the
first file (in sorted path order) that reported an entry. Paths excluded by
`mining.tree.languages.is_excluded` (node_modules/, vendor/, dist/ ...) are never manifests.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mining.records import Detection
from mining.tree import manifests
from mining.tree.languages import is_excluded
from mining.tree.manifests import (
    Parser,
    check_ini,
    check_json_or_yaml,
    check_jsonc,
    check_present,
    check_xml,
    check_yaml,
    check_yaml_mapping,
    read_cargo_toml,
    read_cmake,
    read_compose,
    read_composer_json,
    read_dockerfile,
    read_gemfile,
    read_gemspec,
    read_go_mod,
    read_gradle,
    read_helm_chart,
    read_ini_sections,
    read_kubernetes,
    read_kustomization,
    read_msbuild,
    read_package_json,
    read_pipfile,
    read_pom,
    read_pre_commit,
    read_pyproject,
    read_requirements,
    read_setup_py,
    read_terraform,
    read_tsconfig,
    read_version_catalog,
    tool_reader,
)
from mining.tree.registry import CATEGORIES, REGISTRY, Entry

log = logging.getLogger(__name__)

__all__ = [
    "CATEGORIES",
    "REGISTRY",
    "Entry",
    "declared",
    "detect",
    "detect_all",
    "is_manifest",
    "is_shared_manifest",
]


_PYTHON_SEPARATORS = re.compile(r"[-_.]+")
_GO_MAJOR_VERSION = re.compile(r"/v[0-9]+$")


def normalise(namespace: str, name: str) -> str:
    """A package name in the form the registry compares (see the module docstring)."""
    if namespace == "python":
        return _PYTHON_SEPARATORS.sub("-", name).lower()
    if namespace == "rust":
        return name.lower().replace("_", "-")
    if namespace == "go":
        return _GO_MAJOR_VERSION.sub("", name)
    if namespace in ("ruby", "php", "dotnet", "image", "cmake"):
        return name.lower()
    return name  # javascript, java, gradle-plugin: exact


def _index() -> tuple[dict[tuple[str, str], list[Entry]], dict[str, list[tuple[str, Entry]]]]:
    exact: dict[tuple[str, str], list[Entry]] = {}
    prefixes: dict[str, list[tuple[str, Entry]]] = {}
    for entry in REGISTRY:
        for namespace, names in entry.packages.items():
            for name in names:
                if name.endswith("*"):
                    prefix = normalise(namespace, name[:-1])
                    prefixes.setdefault(namespace, []).append((prefix, entry))
                else:
                    exact.setdefault((namespace, normalise(namespace, name)), []).append(entry)
    return exact, prefixes


_PACKAGES, _PACKAGE_PREFIXES = _index()
_BY_NAME = {entry.name: entry for entry in REGISTRY}


def _package_entries(namespace: str, name: str) -> Iterable[Entry]:
    key = normalise(namespace, name)
    yield from _PACKAGES.get((namespace, key), ())
    for prefix, entry in _PACKAGE_PREFIXES.get(namespace, ()):
        if key.startswith(prefix):
            yield entry


# ---------------------------------------------------------------- which reader for which path


def _yaml_ci(tool: str) -> Parser:
    return tool_reader(check_yaml_mapping, tool)  # a CI file is always a mapping


# How a configuration file is checked, by its extension ("" for rc files without one).
# fmt: off
_CONFIG_CHECKS: dict[str, Callable[[str], object]] = {
    "json": check_jsonc, "jsonc": check_jsonc, "yml": check_yaml, "yaml": check_yaml,
    "toml": tomllib.loads, "ini": check_ini, "cfg": check_ini, "xml": check_xml,
}
# fmt: on
_CODE_EXTENSIONS = frozenset({"js", "cjs", "mjs", "ts", "cts", "mts", "json5", "neon", "dist"})

# "<stem>.<extension>" configuration files: eslint.config.mjs, .prettierrc.yaml, mypy.ini,
# .isort.cfg, phpunit.xml.dist, phpstan.neon, angular.json, biome.jsonc ...
# fmt: off
_CONFIG_STEMS = {
    "eslint.config": "ESLint", ".eslintrc": "ESLint", "prettier.config": "Prettier",
    ".prettierrc": "Prettier", "jest.config": "Jest", "vitest.config": "Vitest",
    "vite.config": "Vite", "webpack.config": "Webpack", "rollup.config": "Rollup",
    "babel.config": "Babel", ".babelrc": "Babel", "stylelint.config": "Stylelint",
    ".stylelintrc": "Stylelint", "tailwind.config": "Tailwind CSS",
    "playwright.config": "Playwright", "cypress.config": "Cypress", "next.config": "Next.js",
    "nuxt.config": "Nuxt", "svelte.config": "Svelte", "astro.config": "Astro",
    "angular": "Angular", "turbo": "Turborepo", "biome": "Biome", "pyrightconfig": "Pyright",
    "mypy": "mypy", ".mypy": "mypy", "pytest": "pytest", ".isort": "isort", "ruff": "Ruff",
    ".ruff": "Ruff", ".golangci": "golangci-lint", ".rubocop": "RuboCop", "rustfmt": "rustfmt",
    ".rustfmt": "rustfmt", "clippy": "Clippy", ".clippy": "Clippy", "phpunit": "PHPUnit",
    "phpunit.xml": "PHPUnit", "phpstan": "PHPStan", "phpstan.neon": "PHPStan",
}
# fmt: on


# Files without an extension: the check each one must pass, and the tool it names.
# fmt: off
_BARE: dict[str, tuple[Callable[[str], object], str]] = {
    ".eslintrc": (check_json_or_yaml, "ESLint"), ".prettierrc": (check_json_or_yaml, "Prettier"),
    ".stylelintrc": (check_json_or_yaml, "Stylelint"), ".babelrc": (check_jsonc, "Babel"),
    ".flake8": (check_ini, "Flake8"), ".pylintrc": (check_ini, "Pylint"),
    "pylintrc": (check_ini, "Pylint"), ".coveragerc": (check_ini, "Coverage.py"),
    ".rspec": (check_present, "RSpec"), "conftest.py": (check_present, "pytest"),
    "noxfile.py": (check_present, "Nox"), "Jenkinsfile": (check_present, "Jenkins"),
    "meson.build": (check_present, "Meson"), "MODULE.bazel": (check_present, "Bazel"),
    "WORKSPACE": (check_present, "Bazel"), "WORKSPACE.bazel": (check_present, "Bazel"),
    ".clang-format": (check_yaml, "clang-format"), ".clang-tidy": (check_yaml, "clang-tidy"),
    ".php-cs-fixer.php": (check_present, "PHP-CS-Fixer"),
    ".php-cs-fixer.dist.php": (check_present, "PHP-CS-Fixer"),
    "phpcs.xml": (check_xml, "PHP_CodeSniffer"), "phpcs.xml.dist": (check_xml, "PHP_CodeSniffer"),
    ".phpcs.xml": (check_xml, "PHP_CodeSniffer"), "psalm.xml": (check_xml, "Psalm"),
    "psalm.xml.dist": (check_xml, "Psalm"),
}
# fmt: on


def _config_parser(name: str) -> Parser | None:
    if name in _BARE:
        return tool_reader(*_BARE[name])
    stem, _, extension = name.rpartition(".")
    tool = _CONFIG_STEMS.get(stem)
    if tool is None:
        return None
    if extension in _CODE_EXTENSIONS:
        return tool_reader(check_present, tool)
    check = _CONFIG_CHECKS.get(extension)
    return None if check is None else tool_reader(check, tool)


# fmt: off
_BY_FILE_NAME: dict[str, Parser] = {
    "package.json": read_package_json, "composer.json": read_composer_json,
    "pyproject.toml": read_pyproject, "Pipfile": read_pipfile, "setup.cfg": read_ini_sections,
    "tox.ini": read_ini_sections, "setup.py": read_setup_py, "pom.xml": read_pom,
    "build.gradle": read_gradle, "build.gradle.kts": read_gradle, "go.mod": read_go_mod,
    "Cargo.toml": read_cargo_toml, "Gemfile": read_gemfile, "Chart.yaml": read_helm_chart,
    "libs.versions.toml": read_version_catalog, "CMakeLists.txt": read_cmake,
    "Directory.Packages.props": read_msbuild, "Directory.Build.props": read_msbuild,
    "kustomization.yaml": read_kustomization, "kustomization.yml": read_kustomization,
    ".pre-commit-config.yaml": read_pre_commit, ".gitlab-ci.yml": _yaml_ci("GitLab CI"),
    ".travis.yml": _yaml_ci("Travis CI"), "azure-pipelines.yml": _yaml_ci("Azure Pipelines"),
    "azure-pipelines.yaml": _yaml_ci("Azure Pipelines"),
    "bitbucket-pipelines.yml": _yaml_ci("Bitbucket Pipelines"),
    "appveyor.yml": _yaml_ci("AppVeyor"), ".appveyor.yml": _yaml_ci("AppVeyor"),
}
# fmt: on
_MSBUILD_EXTENSIONS = (".csproj", ".fsproj", ".vbproj")
_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml")
_REQUIREMENTS = re.compile(r"(?:[\w.-]*[-_.])?requirements(?:[-_.][\w.-]*)?\.(?:txt|in)")
_TSCONFIG = re.compile(r"tsconfig(?:\.[\w-]+)*\.json")
# fmt: off
_KUBERNETES_DIRS = frozenset({
    "k8s", "kubernetes", "kube", "manifests", "deploy", "deployment", "deployments", "helm",
    "charts", "kustomize", "overlays",
})
# fmt: on
_GITHUB_ACTIONS = _yaml_ci("GitHub Actions")
_CIRCLECI = _yaml_ci("CircleCI")


def _is_dockerfile(name: str) -> bool:
    lower = name.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith("dockerfile.")
        or lower.endswith(".dockerfile")
    )


def _by_directory(directory: str, name: str) -> Parser | None:
    parent = directory.rpartition("/")[2]
    if name.endswith((".yml", ".yaml")):
        return _yaml_by_directory(directory, parent, name)
    if parent == "requirements" and name.endswith((".txt", ".in")):
        return read_requirements
    return None


def _yaml_by_directory(directory: str, parent: str, name: str) -> Parser | None:
    """GitHub Actions workflows, then CircleCI's config, then Kubernetes manifests."""
    if directory == ".github/workflows" or directory.endswith("/.github/workflows"):
        return _GITHUB_ACTIONS
    if name == "config.yml" and parent == ".circleci":
        return _CIRCLECI
    if any(p.lower() in _KUBERNETES_DIRS for p in directory.split("/")):
        return read_kubernetes
    return None


def _by_name(name: str) -> Parser | None:
    if name in _BY_FILE_NAME:
        return _BY_FILE_NAME[name]
    if _is_dockerfile(name):
        return read_dockerfile
    if name.endswith(_MSBUILD_EXTENSIONS):
        return read_msbuild
    if name.endswith(".tf"):
        return read_terraform
    if name.endswith(".gemspec"):
        return read_gemspec
    lower = name.lower()
    if _COMPOSE.fullmatch(lower):
        return read_compose
    if _REQUIREMENTS.fullmatch(lower):
        return read_requirements
    if _TSCONFIG.fullmatch(name):
        return read_tsconfig
    return _config_parser(name)


def parser_for(path: str) -> Parser | None:
    """The reader for the manifest or configuration file at `path` (POSIX, relative), if any."""
    directory, _, name = path.rpartition("/")
    return _by_name(name) or _by_directory(directory, name)


# Manifests that declare many packages, each on its own line(s): touching one is not working
# with everything it declares (analyze/attribution.py reads which lines the user changed).
_SHARED_READERS = frozenset(
    {
        read_package_json,
        read_composer_json,
        read_pyproject,
        read_pipfile,
        read_ini_sections,
        read_setup_py,
        read_pom,
        read_gradle,
        read_go_mod,
        read_cargo_toml,
        read_gemfile,
        read_gemspec,
        read_msbuild,
        read_requirements,
        read_version_catalog,
        read_cmake,
        read_compose,
    }
)


def is_shared_manifest(path: str) -> bool:
    """Whether `path` is a manifest declaring many packages (package.json, pyproject.toml,
    requirements.txt, go.mod, pom.xml, Gemfile, *.csproj ...), not one tool's own file."""
    return parser_for(path) in _SHARED_READERS


_TOKEN = re.compile(r"[A-Za-z0-9_.\-/@:+]+")


@dataclass(frozen=True, slots=True)
class _Spelling:
    """How a manifest's line names one registry entry (declares): its package names, exact and
    by prefix, per namespace, and its own name as a word. Made once per entry: a history's
    diffs ask about the same few entries on every added line."""

    exact: Mapping[str, frozenset[str]]  # namespace -> package names
    prefixes: Mapping[str, tuple[str, ...]]  # namespace -> prefixes of package names
    namespaces: frozenset[str]
    word: re.Pattern[str]

    def names_one_of(self, keys: Mapping[str, set[str]]) -> bool:
        """Whether one of a line's tokens, read in each namespace (`keys`), is a package name
        of the entry's (set operations and str.startswith in C: every added line of a
        history's manifests is asked about every dependency they declare)."""
        for namespace in self.namespaces:
            read = keys[namespace]
            if not read.isdisjoint(self.exact.get(namespace, ())):
                return True
            prefixes = self.prefixes.get(namespace)
            if prefixes and any(key.startswith(prefixes) for key in read):
                return True
        return False


@functools.cache
def _spelling(name: str) -> _Spelling | None:
    entry = _BY_NAME.get(name)
    if entry is None:
        return None
    exact: dict[str, set[str]] = {}
    prefixes: dict[str, list[str]] = {}
    for namespace, names in entry.packages.items():
        for package in names:
            if package.endswith("*"):
                prefixes.setdefault(namespace, []).append(normalise(namespace, package[:-1]))
            else:
                exact.setdefault(namespace, set()).add(normalise(namespace, package))
                if namespace == "java":  # pom.xml names the artifact on a line of its own
                    exact.setdefault("java-artifact", set()).add(package.partition(":")[2])
    word = re.compile(rf"(?<![\w-]){re.escape(entry.name.lower())}(?![\w-])")
    return _Spelling(
        {ns: frozenset(found) for ns, found in exact.items()},
        {ns: tuple(found) for ns, found in prefixes.items()},
        frozenset(exact.keys() | prefixes.keys()),
        word,
    )


def _key(namespace: str, token: str) -> str:
    """`token` read as a package name of `namespace`, in the form the registry compares."""
    if namespace == "java-artifact":
        return token
    key = normalise(namespace, token)
    if namespace == "java":  # group:artifact:version
        key = ":".join(key.split(":")[:2])
    return key


def declared(names: Iterable[str], line: str) -> list[str]:
    """The registry entries of `names` that one line of a manifest names (in order): one of
    an entry's package names as a token (``"flask>=3"``, ``github.com/gin-gonic/gin v1``,
    ``<artifactId>``), or the tool's own name as a word (``[tool.ruff]``); the line is read
    once for all of them."""
    tokens = [t.strip(".:-") for t in _TOKEN.findall(line)]
    keys: dict[str, set[str]] = {}  # namespace -> the tokens read in it
    lowered = ""
    found = []
    for name in names:
        spelling = _spelling(name)
        if spelling is None:
            continue
        for namespace in spelling.namespaces:
            if namespace not in keys:
                keys[namespace] = {_key(namespace, t) for t in tokens}
        if spelling.names_one_of(keys):
            found.append(name)
            continue
        lowered = lowered or line.lower()
        if spelling.word.search(lowered) is not None:
            found.append(name)
    return found


def is_manifest(path: str) -> bool:
    """Whether the file at `path` (POSIX, relative to the project root) is worth reading."""
    return parser_for(path) is not None and not is_excluded(path)


def _sorted(detections: Iterable[Detection]) -> tuple[Detection, ...]:
    return tuple(sorted(detections, key=lambda d: (d.category, d.name)))


def detect(path: str, content: bytes) -> tuple[Detection, ...]:
    """What the manifest or configuration file at `path` declares, each entry once, sorted by
    (category, name); () for files that are no manifest and for malformed content."""
    reader = parser_for(path)
    signals = None if reader is None or is_excluded(path) else manifests.run(reader, content)
    if signals is None:
        if reader is not None and not is_excluded(path):  # the note: the report goes on
            log.info("manifest %s skipped: malformed or too complex to parse", path[:200])
        return ()
    entries = {e.name: e for ns, name in signals.packages for e in _package_entries(ns, name)}
    entries.update((tool, _BY_NAME[tool]) for tool in signals.tools)
    return _sorted(Detection(e.name, e.category, e.ecosystem, path) for e in entries.values())


def detect_all(files: Mapping[str, bytes]) -> tuple[Detection, ...]:
    """`detect` over every file; an entry found in several files keeps the shallowest path
    (then the first in sorted order), so a root manifest wins over `examples/…/`. Sorted by
    (category, name)."""
    found: dict[str, Detection] = {}
    for path in sorted(files, key=lambda p: (p.count("/"), p)):
        for detection in detect(path, files[path]):
            found.setdefault(detection.name, detection)
    return _sorted(found.values())
