"""Which language a file is written in, which files to leave out, and bytes per language.

The vendored / generated / documentation rules are github-linguist's, through go-enry's Python
bindings (`enry`: linguist's vendor.yml, documentation.yml and generated rules compiled in Go,
a few microseconds per call, cached per path). Language *names* come from the table below, keyed
by file name and extension, with linguist's names and kinds: enry's own detection needs file
contents for ambiguous extensions (given only a path it reads ``lib.rs`` as XML and
``Program.cs`` as Smalltalk), and history gives paths only; so ambiguous extensions take
linguist's most common reading here (``.h`` is C), one or two dict lookups.

Rules (callers rely on them):

* `language_of(path)`: an exact file name match wins (``Makefile``, ``Dockerfile``,
  ``CMakeLists.txt``, ``Gemfile``, ``Jenkinsfile`` ...), then ``Dockerfile.<anything>``, then the
  last extension, lower-cased. Unknown files and binary assets (images, fonts, archives,
  executables, media, office documents, model weights) give ``None``.
* Ambiguous extensions take linguist's most common reading: ``.h`` is C, ``.m`` is
  Objective-C, ``.pl`` is Perl, ``.fs`` is F#, ``.d`` is D, ``.v`` is Verilog.
* Kinds are linguist's (enry.get_language_type): SQL, XML, JSON, YAML, TOML and Gradle files
  are data; Vue, CSS, HTML, TeX and Jupyter notebooks markup; Markdown, reStructuredText and
  Text prose. ``.tsx`` counts as TypeScript and ``.jsx`` as JavaScript (linguist's language
  groups). ``.svg`` is treated as an image asset.
* `is_excluded(path)`: vendored directories, generated/minified files, lock files, binary
  assets and editor/VCS metadata directories. ``build/``, ``out/`` and ``target/`` are *not*
  excluded (linguist does not either: many projects keep sources or scripts there);
  ``dist/`` is (linguist's vendor list has it).
  Also excluded, as linguist's vendor rules have them: build wrappers (``gradlew``,
  ``mvnw.cmd``), known copied libraries (jquery, ...), and third-party packages copied into a
  Python package (``requests/packages/``, ``pip/_vendor/``): any code file linguist calls
  vendored, except under dot-directories (``.github/``) and test fixtures, which are work.
  ``*.gen.*`` files (generated API clients) are generated.
* `is_documentation(path)`: linguist's documentation rules (``docs/``, ``examples/``,
  ``demo/``, ``README``, ...): such files count as documentation work, never as a language of
  the user's code, and never in the language shares.
* `left_out_reason(path)`: why the breakdown leaves a file out (binary, lock, generated,
  vendored, documentation), for the per-project "left out" summary.
* `breakdown(files, overrides)`: zero-byte files, left out and unknown files are skipped.
  Percentages are of the bytes of languages of the *same kind*, rounded to two decimals.
* Where content is read (the tree at HEAD: `content_candidates`, read in the manifests'
  `git cat-file --batch`; a plain folder's files), it wins over the path, as in linguist:
  ``.h`` headers of a tree with C++ sources by linguist's content heuristics (C++, C or
  Objective-C), files without an extension by their shebang, and JavaScript/CSS whose average
  line is longer than 110 characters are minified, left out as generated
  (`content_overrides`). History has paths only: there a ``.h`` is C++ when the history
  changed more C++ than C source lines (mining/history/fold.py), and a minified file without
  ``.min.`` in its name counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import enry

from mining.records import LanguageBreakdown, LanguageKind, LanguageShare, LeftOut

__all__ = [
    "LANGUAGES",
    "Language",
    "breakdown",
    "content_candidates",
    "content_overrides",
    "is_documentation",
    "is_excluded",
    "is_minified",
    "language_of",
    "left_out_reason",
    "left_out_summary",
]


@dataclass(frozen=True, slots=True)
class Language:
    name: str  # "Python", "C++", "Jupyter Notebook" - never ".py"
    kind: LanguageKind


_P = LanguageKind.PROGRAMMING
_M = LanguageKind.MARKUP
_D = LanguageKind.DATA
_T = LanguageKind.PROSE

# (name, kind, extensions, exact file names). Extensions are matched lower-cased.
_TABLE: tuple[tuple[str, LanguageKind, str, str], ...] = (
    ("Python", _P, ".py .pyi .pyw .gyp", "SConstruct SConscript"),
    ("Cython", _P, ".pyx .pxd .pxi", ""),
    ("JavaScript", _P, ".js .mjs .cjs .jsx", "Jakefile"),
    ("TypeScript", _P, ".ts .mts .cts .tsx", ""),
    ("CoffeeScript", _P, ".coffee", "Cakefile"),
    ("Vue", _M, ".vue", ""),
    ("Svelte", _M, ".svelte", ""),
    ("Astro", _M, ".astro", ""),
    ("Java", _P, ".java", ""),
    ("Kotlin", _P, ".kt .kts", ""),
    ("Scala", _P, ".scala .sc", ""),
    ("Groovy", _P, ".groovy .gvy", "Jenkinsfile"),
    ("Gradle", _D, ".gradle", ""),
    ("Clojure", _P, ".clj .cljs .cljc .edn", ""),
    ("Go", _P, ".go", ""),
    ("Rust", _P, ".rs", ""),
    ("C", _P, ".c .h", ""),
    ("C++", _P, ".cpp .cc .cxx .c++ .hpp .hh .hxx .h++ .ipp .tpp .ino", ""),
    ("C#", _P, ".cs .csx", ""),
    ("F#", _P, ".fs .fsi .fsx", ""),
    ("Visual Basic .NET", _P, ".vb", ""),
    ("Objective-C", _P, ".m", ""),
    ("Objective-C++", _P, ".mm", ""),
    ("Swift", _P, ".swift", ""),
    ("Dart", _P, ".dart", ""),
    (
        "Ruby",
        _P,
        ".rb .rake .gemspec .ru .podspec .jbuilder",
        "Gemfile Rakefile Podfile Vagrantfile Guardfile Brewfile Fastfile Appfile Dangerfile "
        "Capfile Berksfile .irbrc",
    ),
    ("PHP", _P, ".php .phtml .php3 .php4 .php5 .phps", ""),
    ("Perl", _P, ".pl .pm", ""),
    ("Raku", _P, ".raku .rakumod", ""),
    ("Lua", _P, ".lua", ""),
    ("R", _P, ".r .rmd", ""),
    ("Julia", _P, ".jl", ""),
    ("MATLAB", _P, ".mlx", ""),
    ("Haskell", _P, ".hs .lhs", ""),
    ("OCaml", _P, ".ml .mli", ""),
    ("Elixir", _P, ".ex .exs", ""),
    ("Erlang", _P, ".erl .hrl", "rebar.config"),
    ("Common Lisp", _P, ".lisp .lsp", ""),
    ("Scheme", _P, ".scm .ss", ""),
    ("Racket", _P, ".rkt", ""),
    ("Emacs Lisp", _P, ".el", ".emacs"),
    ("Elm", _P, ".elm", ""),
    ("PureScript", _P, ".purs", ""),
    ("Haxe", _P, ".hx", ""),
    ("Nim", _P, ".nim .nims", ""),
    ("Zig", _P, ".zig", ""),
    ("Crystal", _P, ".cr", ""),
    ("D", _P, ".d", ""),
    ("Fortran", _P, ".f .f90 .f95 .f03 .f08 .for", ""),
    ("COBOL", _P, ".cob .cbl .cpy", ""),
    ("Pascal", _P, ".pas .dpr", ""),
    ("Ada", _P, ".adb .ads", ""),
    ("Assembly", _P, ".asm .s .nasm", ""),
    ("Verilog", _P, ".v .vh", ""),
    ("SystemVerilog", _P, ".sv .svh", ""),
    ("VHDL", _P, ".vhd .vhdl", ""),
    ("Solidity", _P, ".sol", ""),
    ("Cuda", _P, ".cu .cuh", ""),  # linguist's spelling
    ("GLSL", _P, ".glsl .vert .frag .geom", ""),
    ("HLSL", _P, ".hlsl .fx", ""),
    ("GDScript", _P, ".gd", ""),
    (
        "Shell",
        _P,
        ".sh .bash .zsh .ksh .fish .bats",
        ".bashrc .bash_profile .bash_aliases .bash_logout .zshrc .zprofile .profile PKGBUILD",
    ),
    ("PowerShell", _P, ".ps1 .psm1 .psd1", ""),
    ("Batchfile", _P, ".bat .cmd", ""),
    ("Awk", _P, ".awk", ""),
    ("Tcl", _P, ".tcl", ""),
    ("Vim Script", _P, ".vim", ".vimrc _vimrc .gvimrc"),
    ("AppleScript", _P, ".applescript", ""),
    ("SQL", _D, ".sql .psql .pgsql .plsql", ""),
    ("Makefile", _P, ".mk .mak .make", "Makefile makefile GNUmakefile BSDmakefile"),
    ("CMake", _P, ".cmake", "CMakeLists.txt"),
    ("Meson", _P, "", "meson.build meson_options.txt"),
    (
        "Starlark",
        _P,
        ".bzl .star",
        "BUILD BUILD.bazel WORKSPACE WORKSPACE.bazel MODULE.bazel BUCK Tiltfile",
    ),
    ("Dockerfile", _P, ".dockerfile .containerfile", "Dockerfile Containerfile"),
    ("HCL", _P, ".tf .tfvars .hcl", ""),
    ("Nix", _P, ".nix", ""),
    ("Gherkin", _P, ".feature", ""),
    ("Jupyter Notebook", _M, ".ipynb", ""),
    ("HTML", _M, ".html .htm .xhtml", ""),
    ("CSS", _M, ".css", ""),
    ("SCSS", _M, ".scss", ""),
    ("Sass", _M, ".sass", ""),
    ("Less", _M, ".less", ""),
    ("Stylus", _M, ".styl", ""),
    ("XML", _D, ".xml .xsd .xaml .csproj .fsproj .vbproj .props .targets .resx .plist .wsdl", ""),
    ("XSLT", _M, ".xsl .xslt", ""),
    ("HTML+ERB", _M, ".erb", ""),
    ("HTML+Razor", _M, ".cshtml .razor", ""),
    ("Handlebars", _M, ".hbs .handlebars", ""),
    ("Mustache", _M, ".mustache", ""),
    ("Jinja", _M, ".j2 .jinja .jinja2", ""),
    ("Twig", _M, ".twig", ""),
    ("EJS", _M, ".ejs", ""),
    ("Pug", _M, ".pug .jade", ""),
    ("Haml", _M, ".haml", ""),
    ("Slim", _M, ".slim", ""),
    ("Liquid", _M, ".liquid", ""),
    ("TeX", _M, ".tex .sty .ltx", ""),
    ("BibTeX", _M, ".bib", ""),
    ("MDX", _M, ".mdx", ""),
    ("JSON", _D, ".json .geojson .webmanifest .jsonl .ndjson", ".arcconfig .watchmanconfig"),
    (
        "JSON with Comments",
        _D,
        ".jsonc .code-workspace",
        "tsconfig.json jsconfig.json .eslintrc.json .babelrc .jshintrc",
    ),
    ("JSON5", _D, ".json5", ""),
    ("YAML", _D, ".yml .yaml", ".clang-format .clang-tidy"),
    ("TOML", _D, ".toml", "Pipfile"),
    ("CSV", _D, ".csv", ""),
    ("TSV", _D, ".tsv", ""),
    ("INI", _D, ".ini .cfg", ".flake8 .pylintrc pylintrc .coveragerc .npmrc"),
    ("Java Properties", _D, ".properties", ""),
    ("GraphQL", _D, ".graphql .gql .graphqls", ""),
    ("Protocol Buffer", _D, ".proto", ""),
    ("Diff", _D, ".diff .patch", ""),
    ("Graphviz (DOT)", _D, ".dot .gv", ""),
    (
        "Ignore List",
        _D,
        "",
        ".gitignore .dockerignore .npmignore .eslintignore .prettierignore .helmignore",
    ),
    ("Git Attributes", _D, "", ".gitattributes"),
    ("EditorConfig", _D, "", ".editorconfig"),
    ("Markdown", _T, ".md .markdown .mdown .mkd .mkdn", ""),
    ("reStructuredText", _T, ".rst .rest", ""),
    ("AsciiDoc", _T, ".adoc .asciidoc", ""),
    ("Org", _T, ".org", ""),
    ("RDoc", _T, ".rdoc", ""),
    ("Pod", _T, ".pod", ""),
    ("Textile", _T, ".textile", ""),
    ("Text", _T, ".txt .text", "LICENSE COPYING AUTHORS NOTICE CONTRIBUTORS README CHANGES"),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Binary assets: never a language, always excluded from the breakdown.
_BINARY_EXTENSIONS = _words(
    """
    .png .jpg .jpeg .gif .bmp .ico .icns .webp .tif .tiff .psd .ai .eps .avif .heic .svg .svgz
    .ttf .otf .woff .woff2 .eot
    .zip .tar .gz .tgz .bz2 .xz .zst .7z .rar .jar .war .ear .aar .whl .egg .nupkg .gem
    .exe .dll .so .dylib .a .o .obj .lib .bin .class .pyc .pyo .pyd .wasm .apk .ipa .dmg .iso
    .mp3 .mp4 .wav .ogg .flac .aac .m4a .avi .mov .mkv .webm .wmv
    .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp
    .sqlite .sqlite3 .db .mdb .pkl .pickle .npy .npz .h5 .hdf5 .onnx .pt .pth .ckpt .parquet
    .safetensors .tflite .pb .keras .joblib .feather .avro .orc
    .pem .crt .cer .der .p12 .pfx .jks .keystore .asc .gpg
    """
)
# (The last line above: certificate bundles and keys, e.g. certifi's cacert.pem - data copied in,
# not code anyone wrote; linguist gives them no language either.)

# Directory names (matched exactly, anywhere in the path) whose contents are not the author's:
# dependencies checked in, caches, generated output, editor and VCS metadata.
_EXCLUDED_DIRS = _words(
    """
    node_modules bower_components jspm_packages web_modules
    vendor Vendor vendors third_party third-party thirdparty ThirdParty 3rdparty
    .venv venv site-packages dist-packages .eggs .tox .nox __pycache__
    .mypy_cache .pytest_cache .ruff_cache .hypothesis htmlcov
    Pods Carthage .bundle .gradle .dart_tool .pub-cache .terraform .yarn .pnpm-store
    .next .nuxt .svelte-kit .parcel-cache .turbo .angular .expo .docusaurus
    dist __generated__
    .git .hg .svn .idea .vscode .vs .fleet .history
    """
)

_LOCK_FILES = _words(
    """
    package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml bun.lockb bun.lock
    poetry.lock Pipfile.lock uv.lock pdm.lock Cargo.lock Gemfile.lock composer.lock go.sum
    gradle.lockfile packages.lock.json Podfile.lock pubspec.lock mix.lock flake.lock
    Package.resolved .terraform.lock.hcl deno.lock
    """
)

# Matched against the lower-cased file name with one str.endswith call (no regex per file).
_GENERATED_SUFFIXES = (
    ".min.js",
    ".min.mjs",
    ".min.css",
    "-min.js",
    "-min.css",
    ".bundle.js",
    ".pb.go",
    ".pb.gw.go",
    ".pb.cc",
    ".pb.h",
    "_pb2.py",
    "_pb2.pyi",
    "_pb2_grpc.py",
    ".pb.swift",
    ".g.dart",
    ".freezed.dart",
    ".designer.cs",
    ".js.map",
    ".css.map",
)
_GENERATED_INFIXES = (".generated.", ".gen.")  # api.gen.ts, schema.generated.go
_GENERATED_PREFIXES = ("zz_generated.",)  # Kubernetes code generators

# Every language of the table, by name.
LANGUAGES: dict[str, Language] = {}
_BY_NAME: dict[str, Language] = {}
_BY_EXTENSION: dict[str, Language] = {}
for _name, _kind, _extensions, _filenames in _TABLE:
    _language = LANGUAGES[_name] = Language(_name, _kind)
    _BY_EXTENSION.update(dict.fromkeys(_extensions.split(), _language))
    _BY_NAME.update(dict.fromkeys(_filenames.split(), _language))
_DOCKERFILE = LANGUAGES["Dockerfile"]

_KIND_ORDER = {
    LanguageKind.PROGRAMMING: 0,
    LanguageKind.MARKUP: 1,
    LanguageKind.DATA: 2,
    LanguageKind.PROSE: 3,
}


def _split(path: str) -> tuple[str, str]:
    """(directory, file name) of a POSIX path; the directory is "" at the root."""
    directory, _, name = path.rpartition("/")
    return directory, name


def _extension(name: str) -> str:
    """The last extension, lower-cased, with its dot; "" when there is none.

    A leading dot alone (".bashrc") is not an extension.
    """
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


@lru_cache(maxsize=65536)
def language_of(path: str) -> Language | None:
    """The language of the file at `path`, or None (unknown, or a binary asset)."""
    _, name = _split(path)
    language = _BY_NAME.get(name)
    if language is not None:
        return language
    if name.startswith("Dockerfile."):  # Dockerfile.dev, Dockerfile.prod ...
        return _DOCKERFILE
    return _BY_EXTENSION.get(_extension(name))


@lru_cache(maxsize=16384)
def _excluded_directory(directory: str) -> bool:
    # Cached: a tree has far fewer directories than files.
    return any(
        part in _EXCLUDED_DIRS or part.endswith(".egg-info") for part in directory.split("/")
    )


# Build tool wrappers, generated by the tool and committed (linguist: vendored).
_WRAPPERS = _words("gradlew gradlew.bat mvnw mvnw.cmd")


def _excluded_file(name: str) -> bool:
    if name in _LOCK_FILES or name in _WRAPPERS:
        return True
    lower = name.lower()
    return (
        lower.endswith(_GENERATED_SUFFIXES)
        or lower.startswith(_GENERATED_PREFIXES)
        or any(infix in lower for infix in _GENERATED_INFIXES)
        or _extension(name) in _BINARY_EXTENSIONS
    )


_WORK_DIRS = frozenset({"test", "tests", "fixtures", "__fixtures__", "testdata", "spec"})


@lru_cache(maxsize=65536)
def _vendored_code(path: str) -> bool:
    """Code linguist calls vendored (enry.is_vendor), or a package copied into a Python
    package, outside dot-directories and test folders (their files are someone's work)."""
    parts = path.split("/")
    if any(p.startswith(".") or p.lower() in _WORK_DIRS for p in parts[:-1]):
        return False
    if parts[-1] in _BY_NAME:  # Jenkinsfile, Makefile, Gemfile: the project's own build files
        return False
    language = language_of(path)
    if language is None or language.kind not in (_P, _M):
        return False
    if language.name == "Python" and ("_vendor" in parts[:-1] or "packages" in parts[1:-1]):
        return True  # requests/packages/urllib3/..., pip/_vendor/...
    return bool(enry.is_vendor(path))


def is_excluded(path: str) -> bool:
    """Whether `path` is vendored, generated, minified, a lock file, a binary asset, or lies in
    an editor/VCS metadata directory - files that say nothing about the author's languages."""
    directory, name = _split(path)
    return (
        _excluded_file(name)
        or (directory != "" and _excluded_directory(directory))
        or _vendored_code(path)
    )


@lru_cache(maxsize=65536)
def is_documentation(path: str) -> bool:
    """linguist's documentation rules: docs/, examples/, demo(s)/, samples/, README, ..."""
    return bool(enry.is_documentation(path))


@lru_cache(maxsize=65536)
def left_out_reason(path: str) -> str | None:
    """Why the language breakdown leaves `path` out, or None when it counts.

    Cached: the breakdown and the left-out summary both ask it of every file at HEAD, and its
    linguist calls (enry.is_generated, enry.is_vendor) cost ~20 us each."""
    _, name = _split(path)
    if _extension(name) in _BINARY_EXTENSIONS:
        return "binary"
    if name in _LOCK_FILES:
        return "lock"
    if name in _WRAPPERS:
        return "vendored"
    if _excluded_file(name) or enry.is_generated(path, b""):
        return "generated"
    if is_excluded(path) or enry.is_vendor(path):
        return "vendored"
    if is_documentation(path):
        return "documentation"
    return None


# ---------------------------------------------------------------- what only content tells

# Files whose contents are read at HEAD (with the manifests, in the same `git cat-file --batch`),
# within these bounds; the rest keep their path's reading.
CONTENT_MAX_FILES = 2000
CONTENT_MAX_BYTES = 24 * 1024 * 1024
CONTENT_FILE_MAX_BYTES = 2 * 1024 * 1024
MINIFIED_MIN_BYTES = 1024  # a smaller file hardly moves a share
MINIFIED_LINE_LENGTH = 110  # linguist's generated.rb: average line length of a minified file
_MINIFIABLE = frozenset({".js", ".mjs", ".cjs", ".css"})
_CPP = "C++"

Overrides = Mapping[str, Language | None]  # path -> its language by content; None: minified


def content_candidates(files: Iterable[tuple[str, int]]) -> list[str]:
    """Paths at HEAD whose language or generated-ness only their content tells, as linguist
    reads it: ``.h`` headers when the tree has C++ sources (linguist's heuristics tell C++ from
    C and Objective-C by content), files without an extension (a shebang names the language:
    ``scripts/release`` is Python), and JavaScript/CSS of at least MINIFIED_MIN_BYTES (minified
    when the average line is longer than 110 characters). Headers first, then scripts, then
    the largest JavaScript/CSS; at most CONTENT_MAX_FILES files and CONTENT_MAX_BYTES."""
    listed = [(p, s) for p, s in files if 0 < s <= CONTENT_FILE_MAX_BYTES]
    counted = [(p, s) for p, s in listed if left_out_reason(p) is None]
    has_cpp = _has_cpp(p for p, _ in counted)
    groups: tuple[list[tuple[str, int]], ...] = ([], [], [])  # headers, scripts, minifiable
    for path, size in counted:
        group = _content_group(path, size, has_cpp)
        if group is not None:
            groups[group].append((path, size))
    groups[_MINIFIABLE_GROUP].sort(key=lambda ps: -ps[1])
    return _within_content_bounds(path_size for group in groups for path_size in group)


_HEADER, _SCRIPT, _MINIFIABLE_GROUP = range(3)


def _has_cpp(paths: Iterable[str]) -> bool:
    return any((lang := language_of(p)) is not None and lang.name == _CPP for p in paths)


def _content_group(path: str, size: int, has_cpp: bool) -> int | None:
    """Which of content_candidates' groups `path` is in, if any."""
    name = _split(path)[1]
    extension = _extension(name)
    if extension == ".h":
        return _HEADER if has_cpp else None
    if extension == "" and not name.startswith(".") and language_of(path) is None:
        return _SCRIPT
    if extension in _MINIFIABLE and size >= MINIFIED_MIN_BYTES:
        return _MINIFIABLE_GROUP
    return None


def _within_content_bounds(candidates: Iterable[tuple[str, int]]) -> list[str]:
    """The candidates in order, skipping each that would pass CONTENT_MAX_FILES or
    CONTENT_MAX_BYTES."""
    chosen: list[str] = []
    total = 0
    for path, size in candidates:
        if len(chosen) >= CONTENT_MAX_FILES or total + size > CONTENT_MAX_BYTES:
            continue
        chosen.append(path)
        total += size
    return chosen


def is_minified(content: bytes) -> bool:
    """linguist's rule for minified JavaScript and CSS: the average line is longer than 110
    characters (bytes here: no decoding)."""
    if not content:
        return False
    lines = content.count(b"\n") + (not content.endswith(b"\n"))
    return len(content) / lines > MINIFIED_LINE_LENGTH


def content_overrides(contents: Mapping[str, bytes]) -> dict[str, Language | None]:
    """What the contents of `content_candidates` say: a header's language (C, C++,
    Objective-C) or a script's (by its shebang), or None for minified JavaScript/CSS. Paths
    whose content changes nothing are left out."""
    found: dict[str, Language | None] = {}
    for path, content in contents.items():
        name = _split(path)[1]
        extension = _extension(name)
        if extension in _MINIFIABLE:
            if is_minified(content):
                found[path] = None
            continue
        head = content[:8192]
        if b"\0" in head:
            continue  # binary
        if extension == ".h":
            guessed = str(enry.get_language(name, head))
        else:
            guessed = str(enry.get_language_by_shebang(head).language or "")
        language = LANGUAGES.get(guessed)
        if language is not None and language != language_of(path):
            found[path] = language
    return found


def _reading(path: str, overrides: Overrides | None) -> tuple[Language | None, str | None]:
    """(language, left-out reason) of `path`, its content's reading first."""
    reason = left_out_reason(path)
    if overrides is not None and path in overrides:
        language = overrides[path]
        return (None, "generated") if language is None else (language, reason)
    return language_of(path), reason


def _language_bytes(
    files: Iterable[tuple[str, int]], overrides: Overrides | None = None
) -> dict[Language, int]:
    totals: dict[Language, int] = {}
    for path, size in files:
        if size <= 0:
            continue
        language, reason = _reading(path, overrides)
        if language is None or reason is not None:
            continue
        totals[language] = totals.get(language, 0) + size
    return totals


def left_out_summary(
    files: Iterable[tuple[str, int]], overrides: Overrides | None = None
) -> tuple[LeftOut, ...]:
    """Files the breakdown leaves out, per reason: how many, their bytes, and up to three of
    the directories (or root files) holding most of them, so a reader sees what was dropped."""
    found: dict[str, tuple[int, int, dict[str, int]]] = {}
    for path, size in files:
        reason = _reading(path, overrides)[1]
        if reason is None:
            continue
        count, total, where = found.get(reason, (0, 0, {}))
        head = path.rsplit("/", 1)[0] + "/" if "/" in path else path
        where[head] = where.get(head, 0) + 1
        found[reason] = (count + 1, total + max(0, size), where)
    return tuple(
        LeftOut(reason, count, total, tuple(sorted(where, key=lambda d: (-where[d], d))[:3]))
        for reason, (count, total, where) in sorted(found.items())
    )


def breakdown(
    files: Iterable[tuple[str, int]], overrides: Overrides | None = None
) -> LanguageBreakdown:
    """Bytes per language from (path, size in bytes at HEAD) pairs; `overrides` are what the
    contents of some files say (`content_overrides`).

    Percentages are relative to the languages of the same kind; shares are ordered
    programming, markup, data, prose, each by bytes (most first) then name; the primary
    language is the programming language with the most bytes (ties: first by name).
    """
    totals = _language_bytes(files, overrides)
    kind_totals: dict[LanguageKind, int] = {}
    for language, size in totals.items():
        kind_totals[language.kind] = kind_totals.get(language.kind, 0) + size
    shares = sorted(
        (
            LanguageShare(
                name=language.name,
                kind=language.kind,
                bytes=size,
                percent=round(100.0 * size / kind_totals[language.kind], 2),
            )
            for language, size in totals.items()
        ),
        key=lambda share: (_KIND_ORDER[share.kind], -share.bytes, share.name),
    )
    primary = next((s.name for s in shares if s.kind is LanguageKind.PROGRAMMING), None)
    return LanguageBreakdown(shares=tuple(shares), primary=primary)
