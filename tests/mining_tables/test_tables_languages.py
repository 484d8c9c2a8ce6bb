"""mining.tree.languages: the table, the exclusion rules and the per-kind byte breakdown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mining.records import LanguageBreakdown, LanguageKind, LanguageShare
from mining.tree.languages import LANGUAGES, Language, breakdown, is_excluded, language_of

P, M, D, T = (
    LanguageKind.PROGRAMMING,
    LanguageKind.MARKUP,
    LanguageKind.DATA,
    LanguageKind.PROSE,
)


def test_the_table_has_at_least_sixty_languages() -> None:
    assert len(LANGUAGES) >= 60
    assert sum(1 for lang in LANGUAGES.values() if lang.kind is P) >= 60


@pytest.mark.parametrize(
    ("path", "name", "kind"),
    [
        ("src/app.py", "Python", P),
        ("stubs/app.pyi", "Python", P),
        ("web/src/index.ts", "TypeScript", P),
        ("web/src/App.tsx", "TypeScript", P),
        ("web/src/App.jsx", "JavaScript", P),
        ("lib/x.mjs", "JavaScript", P),
        ("src/main.cpp", "C++", P),
        ("include/x.hpp", "C++", P),
        ("include/x.h", "C", P),
        ("Program.cs", "C#", P),
        ("src/lib.rs", "Rust", P),
        ("cmd/main.go", "Go", P),
        ("App.java", "Java", P),
        ("build.gradle.kts", "Kotlin", P),
        ("scripts/run.sh", "Shell", P),
        (".bashrc", "Shell", P),
        ("Makefile", "Makefile", P),
        ("GNUmakefile", "Makefile", P),
        ("Dockerfile", "Dockerfile", P),
        ("docker/Dockerfile.prod", "Dockerfile", P),
        ("api.dockerfile", "Dockerfile", P),
        ("CMakeLists.txt", "CMake", P),
        ("Gemfile", "Ruby", P),
        ("Rakefile", "Ruby", P),
        ("Jenkinsfile", "Groovy", P),
        ("BUILD.bazel", "Starlark", P),
        ("infra/main.tf", "HCL", P),
        ("db/schema.sql", "SQL", D),  # linguist: data
        ("src/App.vue", "Vue", M),  # linguist: markup
        ("src/App.svelte", "Svelte", M),
        ("analysis/R/model.R", "R", P),
        ("notebooks/eda.ipynb", "Jupyter Notebook", M),
        ("index.html", "HTML", M),
        ("style.css", "CSS", M),
        ("style.scss", "SCSS", M),
        ("pom.xml", "XML", D),
        ("package.json", "JSON", D),
        ("tsconfig.json", "JSON with Comments", D),
        (".github/workflows/ci.yml", "YAML", D),
        ("pyproject.toml", "TOML", D),
        ("Pipfile", "TOML", D),
        ("data/x.csv", "CSV", D),
        ("schema.graphql", "GraphQL", D),
        (".gitignore", "Ignore List", D),
        ("README.md", "Markdown", T),
        ("docs/index.rst", "reStructuredText", T),
        ("docs/guide.adoc", "AsciiDoc", T),
        ("notes.txt", "Text", T),
        ("LICENSE", "Text", T),
        ("UPPER.PY", "Python", P),  # extensions are matched case-insensitively
    ],
)
def test_language_of(path: str, name: str, kind: LanguageKind) -> None:
    assert language_of(path) == Language(name, kind)


@pytest.mark.parametrize(
    "path",
    [
        "logo.png",
        "assets/icon.svg",
        "fonts/Inter.woff2",
        "release.zip",
        "bin/tool.exe",
        "lib/x.so",
        "intro.mp4",
        "paper.pdf",
        "model.onnx",
        "no_extension_at_all",
        "weird.unknownext",
        ".hidden",
        "makefile.bak",
    ],
)
def test_language_of_unknown_and_binary_is_none(path: str) -> None:
    assert language_of(path) is None


@pytest.mark.parametrize(
    "path",
    [
        "node_modules/react/index.js",
        "web/node_modules/react/index.js",
        "vendor/github.com/x/y.go",
        "third_party/zlib/inflate.c",
        "bower_components/jquery/jquery.js",
        ".venv/lib/python3.12/site-packages/x.py",
        "lib/python3.12/site-packages/x.py",
        "ios/Pods/AFNetworking/x.m",
        "dist/bundle.js",
        "web/dist/index.html",
        "src/__generated__/types.ts",
        "pkg/x.egg-info/PKG-INFO",
        "src/__pycache__/x.py",
        "static/app.min.js",
        "static/app.min.css",
        "static/jquery-min.js",
        "api/service.pb.go",
        "api/service_pb2.py",
        "api/service_pb2_grpc.py",
        "src/schema.generated.ts",
        "package-lock.json",
        "web/yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "Cargo.lock",
        "Gemfile.lock",
        "composer.lock",
        "go.sum",
        "assets/logo.png",
        "fonts/x.ttf",
        ".git/config",
        ".idea/workspace.xml",
        ".vscode/settings.json",
    ],
)
def test_is_excluded(path: str) -> None:
    assert is_excluded(path)


@pytest.mark.parametrize(
    "path",
    [
        "src/app.py",
        "build/scripts/gen.py",  # build/ is not excluded (linguist-like)
        "target/notes.md",
        ".github/workflows/ci.yml",
        ".circleci/config.yml",
        "vendored_ideas.py",
        "src/distribution/x.py",  # only a directory named exactly "dist"
        "minify.js",
        "package.json",
        "Gemfile",
        "src/nodemodules.ts",
    ],
)
def test_is_not_excluded(path: str) -> None:
    assert not is_excluded(path)


def _share(name: str, kind: LanguageKind, size: int, percent: float) -> LanguageShare:
    return LanguageShare(name=name, kind=kind, bytes=size, percent=percent)


def test_breakdown_percent_is_per_kind_and_order_is_kind_then_bytes_then_name() -> None:
    files = [
        ("src/a.py", 600),
        ("src/b.py", 150),
        ("web/app.ts", 250),
        ("web/x.js", 250),  # JavaScript ties TypeScript: name decides
        ("web/index.html", 300),
        ("web/site.css", 100),
        ("config.yaml", 50),
        ("README.md", 1000),  # documentation (linguist): not in the shares
        ("node_modules/react/index.js", 10_000),  # excluded
        ("package-lock.json", 9_000),  # excluded
        ("logo.png", 5_000),  # binary
        ("mystery.xyz", 100),  # unknown
        ("empty.py", 0),  # zero bytes: skipped
    ]
    assert breakdown(files) == LanguageBreakdown(
        shares=(
            _share("Python", P, 750, 60.0),
            _share("JavaScript", P, 250, 20.0),
            _share("TypeScript", P, 250, 20.0),
            _share("HTML", M, 300, 75.0),
            _share("CSS", M, 100, 25.0),
            _share("YAML", D, 50, 100.0),
        ),
        primary="Python",
    )


def test_breakdown_rounds_percent_to_two_decimals() -> None:
    result = breakdown([("a.go", 1), ("b.rs", 1), ("c.c", 1)])
    assert [(s.name, s.percent) for s in result.shares] == [
        ("C", 33.33),
        ("Go", 33.33),
        ("Rust", 33.33),
    ]
    assert result.primary == "C"  # a tie on bytes goes to the first name


def test_breakdown_without_programming_languages_has_no_primary() -> None:
    result = breakdown([("NOTES.md", 10), ("data.json", 5)])
    assert result.primary is None
    assert [s.name for s in result.shares] == ["JSON", "Markdown"]


def test_breakdown_of_nothing() -> None:
    assert breakdown([]) == LanguageBreakdown()


def test_breakdown_accepts_an_iterator_of_one_hundred_thousand_files() -> None:
    def files() -> Iterator[tuple[str, int]]:
        for i in range(100_000):
            yield (f"pkg{i % 300}/module{i}.py", 100)
            if i % 10 == 0:
                yield (f"node_modules/dep{i}/index.js", 100)

    result = breakdown(files())
    assert result.primary == "Python"
    assert result.shares == (_share("Python", P, 10_000_000, 100.0),)


def test_names_are_linguists_spelling() -> None:
    """Shares are compared with github-linguist's by name: CUDA is linguist's "Cuda"."""
    found = language_of("kernels/add.cu")
    assert found is not None
    assert found.name == "Cuda"
