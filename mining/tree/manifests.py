"""Per-format readers of manifests and tool configuration files: bytes in, `Signals` out.

Each reader parses its format *as data* and reports the package names it declares (raw, in the
namespace of their ecosystem) and the tools the file itself implies; `mining.tree.frameworks` turns
those into registry entries. Nothing here guesses from substrings of the whole file.

* JSON, TOML, YAML (``yaml.safe_load_all`` only), INI (`configparser`) and XML (`xml.etree`)
  use their parsers. XML with a DOCTYPE or ENTITY declaration is rejected before parsing, so
  no entity is ever expanded. JSON with comments (tsconfig.json, extension-less rc files) is
  reduced to JSON by a linear, string-aware scanner (no backtracking regex).
* Formats that are code use narrow, line-anchored regexes over the declarations alone:
  Gradle (``implementation "group:artifact:1.0"``, ``id("plugin")``), Gemfile
  (``gem "name"``), go.mod (``require`` lines and blocks) and Terraform (``provider "aws"``
  blocks, ``required_providers`` sources, resource type prefixes). setup.py is read with `ast`
  (never executed): literal ``install_requires``/``extras_require`` of a ``setup()`` call.
* Configuration that is code (``eslint.config.js``, ``jest.config.ts``, ``conftest.py``,
  ``Jenkinsfile``) implies its tool by its name alone, provided it is valid UTF-8.
* Dockerfile base images imply nothing beyond Docker (the language breakdown already says
  what a ``python`` base image would). Compose service images do imply their service
  (``postgres`` -> PostgreSQL), via the ``image`` namespace of the registry.
* A Kubernetes candidate (chosen by path in `mining.tree.frameworks`) counts when one of its
  documents has string ``apiVersion`` and ``kind``.

Which file gets which reader is decided by path in `mining.tree.frameworks`. A malformed file
gives None from `run`: invalid UTF-8, a parse error, the wrong top-level
shape, too deep nesting. Readers raise `Malformed` (or the parser's own error) to say so.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeGuard

from mining.text import MAX_VALUE

if TYPE_CHECKING:  # imported where an INI or XML file is read: most projects have none
    import configparser
    import xml.etree.ElementTree as ET


class Malformed(ValueError):
    """The file is not a well-formed instance of the format its name promises."""


@dataclass(frozen=True, slots=True)
class Signals:
    packages: frozenset[tuple[str, str]] = frozenset()  # (namespace, name as written)
    tools: frozenset[str] = frozenset()  # registry names implied by the file itself


Parser = Callable[[str], Signals]

# ValueError covers json, tomllib, UTF-8 and Malformed (YAML's and INI's errors too: check_yaml,
# check_ini); SyntaxError XML's (ET.ParseError); RecursionError deep nesting.
_PARSE_ERRORS = (ValueError, SyntaxError, RecursionError)


def _signals(namespace: str = "", names: Iterable[str] = (), tools: Iterable[str] = ()) -> Signals:
    kept = (n for n in names if len(n) <= MAX_VALUE)  # longer is not a name (npm allows 214)
    return Signals(frozenset((namespace, n) for n in kept), frozenset(tools))


# ---------------------------------------------------------------- data formats, safely


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"expected an object/table, got {type(value).__name__}")
    return value


def _table(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested table, or {} when absent or not a table (a wrong shape is ignored locally)."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def check_yaml(text: str) -> list[Any]:
    # Imported here: PyYAML is the largest import of this module, and `artifact-miner mine`
    # starts its first git before any manifest is read (bench/: start to first git).
    import yaml

    # libyaml's loader when PyYAML was built with it: the same safe constructors, ~10x faster
    # than the pure-Python one (which took most of our CPU on a repository with many workflows).
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.load_all(text, Loader=loader))
    except yaml.YAMLError as exc:
        raise Malformed(f"not YAML: {exc}") from None


def check_yaml_mapping(text: str) -> dict[str, Any]:
    documents = [d for d in check_yaml(text) if d is not None]
    return _object(documents[0] if documents else None)


def check_ini(text: str) -> configparser.ConfigParser:
    import configparser  # see above: only where an INI file is read

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise Malformed(f"not INI: {exc}") from None
    return parser


_XML_DECLARATIONS = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xml(text: str) -> ET.Element:
    # Entity expansion is the classic XML bomb; manifests never need a DTD, so refuse any.
    if _XML_DECLARATIONS.search(text):
        raise Malformed("XML with a DOCTYPE or ENTITY declaration")
    import xml.etree.ElementTree as ET  # see above: only where an XML file is read

    return ET.fromstring(text)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]  # "{http://maven.apache.org/POM/4.0.0}dependency" -> "dependency"


def _child_text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


_JSONC_SPECIAL = re.compile(r'["/\]}]')
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _drop_trailing_comma(out: list[str]) -> None:
    """Before a closing bracket: drop a comma that follows a value ("[1,]"), refuse "[,]"."""
    while out and not out[-1].strip():
        out.pop()
    if out and out[-1].rstrip().endswith(","):
        out[-1] = out[-1].rstrip()[:-1]
        while out and not out[-1].strip():
            out.pop()
        if not out or out[-1].rstrip()[-1] in "[{,":
            raise Malformed("a comma without a value before it")


def _strip_jsonc(text: str) -> str:
    """JSON with // and /* */ comments and trailing commas -> JSON, in one linear pass.

    String literals are copied whole (a "//" inside a URL stays); an unterminated string or
    comment is malformed rather than guessed at.
    """
    out: list[str] = []
    i = 0
    while (found := _JSONC_SPECIAL.search(text, i)) is not None:
        j = found.start()
        out.append(text[i:j])
        if text[j] == '"':
            string = _JSON_STRING.match(text, j)
            if string is None:
                raise Malformed("unterminated string")
            out.append(string.group())
            i = string.end()
        elif text.startswith("//", j):
            end = text.find("\n", j)
            i = len(text) if end < 0 else end
        elif text.startswith("/*", j):
            end = text.find("*/", j + 2)
            if end < 0:
                raise Malformed("unterminated comment")
            out.append(" ")
            i = end + 2
        else:  # "/" alone, "]" or "}"
            if text[j] in "]}":
                _drop_trailing_comma(out)
            out.append(text[j])
            i = j + 1
    out.append(text[i:])
    return "".join(out)


def check_jsonc(text: str) -> Any:
    return json.loads(_strip_jsonc(text))


# ---------------------------------------------------------------- Python


_PEP508_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?=$|[\[(<>=!~;@,])")
_REQUIREMENT_COMMENT = re.compile(r"(?:^|\s)#.*")


_PEP508_EXTRAS = re.compile(r"\s*\[([^\]]*)\]")


def _pep508_names(requirements: Iterable[str]) -> Iterator[str]:
    """Distribution names of PEP 508 strings, and their extras (``celery[redis]`` asks for
    redis too: an extra named after a package installs it); versions, markers, URLs dropped."""
    for requirement in requirements:
        match = _PEP508_NAME.match(requirement)
        if match is not None:
            yield match.group(1)
            extras = _PEP508_EXTRAS.match(requirement, match.end())
            if extras is not None:
                yield from (e.strip() for e in extras.group(1).split(",") if e.strip())


_VIA = re.compile(r"^\s*#\s*via\b", re.MULTILINE)
# "-r requirements.in", "-c constraints.txt", "flask-example (pyproject.toml)": an input file
_VIA_INPUT = re.compile(r"(?:^|\s)-[rc]\s|\((?:pyproject\.toml|setup\.cfg|setup\.py)\)")


def _compiled_direct(text: str) -> Iterator[str]:
    """The direct requirements of a pip-compile / `uv pip compile` output: those whose
    `# via` annotation names an input file (`-r requirements.in`, `(pyproject.toml)`); the
    rest are pinned because a dependency needs them."""
    name: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if name is not None and _VIA_INPUT.search(line[1:] + " "):
                yield name
                name = None
            continue
        if raw[:1].isspace() or line.startswith("-"):  # --hash continuation, options
            continue
        found = list(_pep508_names([_REQUIREMENT_COMMENT.sub("", line).strip()]))
        name = found[0] if found else None


def read_requirements(text: str) -> Signals:
    if _VIA.search(text):  # a compiled lock of the dependency tree (its .in is read too)
        return _signals("python", _compiled_direct(text))
    lines = (_REQUIREMENT_COMMENT.sub("", line).strip() for line in text.splitlines())
    # Options (-r other.txt, -e ., --hash=...) and paths/URLs carry no name worth matching.
    return _signals("python", _pep508_names(line for line in lines if not line.startswith("-")))


# fmt: off
_PYPROJECT_TOOLS = {
    "ruff": "Ruff", "mypy": "mypy", "black": "Black", "isort": "isort", "pyright": "Pyright",
    "pylint": "Pylint",
    "pytest": "pytest",  # [tool.pytest.ini_options]
    "coverage": "Coverage.py", "tox": "tox", "poetry": "Poetry", "setuptools": "setuptools",
    "hatch": "Hatch", "pdm": "PDM", "flit": "Flit", "uv": "uv",
}
# fmt: on


def _poetry_names(poetry: dict[str, Any]) -> Iterator[str]:
    tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    tables += [
        _table(g, "dependencies") for g in _table(poetry, "group").values() if isinstance(g, dict)
    ]
    for table in tables:
        yield from (name for name in table if name != "python")


def read_pyproject(text: str) -> Signals:
    data = tomllib.loads(text)
    project, tool = _table(data, "project"), _table(data, "tool")
    requirements = _strings(project.get("dependencies"))
    requirements += _strings(_table(data, "build-system").get("requires"))
    for group in (
        *_table(project, "optional-dependencies").values(),
        *_table(data, "dependency-groups").values(),
    ):
        requirements += _strings(group)  # {include-group = ...} entries are not strings
    names = [*_pep508_names(requirements), *_poetry_names(_table(tool, "poetry"))]
    return _signals("python", names, (_PYPROJECT_TOOLS[t] for t in tool if t in _PYPROJECT_TOOLS))


def read_pipfile(text: str) -> Signals:
    data = tomllib.loads(text)
    names = [*_table(data, "packages"), *_table(data, "dev-packages")]
    return _signals("python", names, ["Pipenv"])


# Sections of setup.cfg / tox.ini / other INI files, and the tool each one configures.
# fmt: off
_INI_SECTIONS = {
    "flake8": "Flake8", "mypy": "mypy", "tool:pytest": "pytest", "pytest": "pytest",
    "isort": "isort", "tool:isort": "isort", "tox": "tox", "tox:tox": "tox",
    "coverage:run": "Coverage.py", "coverage:report": "Coverage.py", "metadata": "setuptools",
    "options": "setuptools",
}
# fmt: on
_INI_SECTION_PREFIXES = (("mypy-", "mypy"), ("testenv", "tox"))


def _ini_section_tool(section: str) -> str | None:
    tool = _INI_SECTIONS.get(section)
    for prefix, prefixed_tool in _INI_SECTION_PREFIXES:
        if tool is None and section.startswith(prefix):
            tool = prefixed_tool
    return tool


def read_ini_sections(text: str) -> Signals:
    """setup.cfg and tox.ini: each known section names its tool; setup.cfg's requirements."""
    parser = check_ini(text)
    tools = [t for s in parser.sections() if (t := _ini_section_tool(s)) is not None]
    values = [parser.get("options", k, fallback="") for k in ("install_requires", "tests_require")]
    if parser.has_section("options.extras_require"):
        values += [v for _, v in parser.items("options.extras_require")]
    return _signals("python", _pep508_names(line for v in values for line in v.splitlines()), tools)


_SETUP_KEYWORDS = frozenset(
    {"install_requires", "tests_require", "setup_requires", "extras_require"}
)


def _literal_strings(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            yield from _literal_strings(element)
    elif isinstance(node, ast.Dict):  # extras_require={"dev": [...]}
        for value in node.values:
            yield from _literal_strings(value)


def _is_setup_call(node: ast.AST) -> TypeGuard[ast.Call]:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def read_setup_py(text: str) -> Signals:
    try:
        tree = ast.parse(text)
    except MemoryError:  # CPython's "too complex to parse": the parser's own stack, not ours
        raise Malformed("setup.py is too deeply nested to parse") from None
    calls = [n for n in ast.walk(tree) if _is_setup_call(n)]
    names = _pep508_names(s for k in _setup_keywords(calls) for s in _literal_strings(k.value))
    return _signals("python", names, ["setuptools"] if calls else [])


def _setup_keywords(calls: list[ast.Call]) -> list[ast.keyword]:
    """The keywords of setup() calls that declare requirements (`_SETUP_KEYWORDS`)."""
    return [k for c in calls for k in c.keywords if k.arg in _SETUP_KEYWORDS]


# ---------------------------------------------------------------- JavaScript, PHP, .NET


# fmt: off
_PACKAGE_JSON_TOOLS = {
    "eslintConfig": "ESLint", "prettier": "Prettier", "jest": "Jest", "babel": "Babel",
    "stylelint": "Stylelint",
}
# fmt: on


def read_package_json(text: str) -> Signals:
    data = _object(json.loads(text))
    fields = ("dependencies", "devDependencies", "peerDependencies")
    names = [name for field in fields for name in _table(data, field)]
    return _signals("javascript", names, (t for k, t in _PACKAGE_JSON_TOOLS.items() if k in data))


def read_composer_json(text: str) -> Signals:
    data = _object(json.loads(text))
    names = [*_table(data, "require"), *_table(data, "require-dev")]
    # "php", "ext-json", "lib-icu" are platform requirements, not packages.
    packages = [n for n in names if "/" in n]
    return _signals("php", packages, ["Composer"])


def read_msbuild(text: str) -> Signals:
    """*.csproj / *.fsproj / *.vbproj / Directory.Packages.props / Directory.Build.props:
    PackageReference, PackageVersion (central package management) and the project SDK."""
    root = check_xml(text)
    if _local(root.tag) != "Project":
        raise Malformed(f"root element {root.tag!r} is not <Project>")
    names = [root.get("Sdk", "").partition("/")[0]]
    for element in root.iter():
        tag = _local(element.tag)
        if tag in ("PackageReference", "PackageVersion", "GlobalPackageReference"):
            names.append(element.get("Include") or element.get("Update") or "")
        elif tag == "Sdk":
            names.append(element.get("Name", ""))
    return _signals("dotnet", (n for n in names if n))


def read_tsconfig(text: str) -> Signals:
    options = _table(_object(check_jsonc(text)), "compilerOptions")
    # Only an explicit "strict": true counts; a strict base config reached through "extends"
    # cannot be resolved from one file.
    strict = options.get("strict") is True
    return _signals(tools=["TypeScript", "TypeScript (strict)"] if strict else ["TypeScript"])


# ---------------------------------------------------------------- JVM


def read_pom(text: str) -> Signals:
    root = check_xml(text)
    if _local(root.tag) != "project":
        raise Malformed(f"root element {root.tag!r} is not <project>")
    names = []
    for element in root.iter():
        tag = _local(element.tag)
        if tag in ("dependency", "plugin", "parent", "extension"):
            # A plugin without a groupId belongs to Maven's default plugin group.
            default = "org.apache.maven.plugins" if tag == "plugin" else ""
            group = _child_text(element, "groupId") or default
            artifact = _child_text(element, "artifactId")
            if group and artifact:
                names.append(f"{group}:{artifact}")
    return _signals("java", names, ["Maven"])


# Gradle build scripts are Groovy/Kotlin code: only the dependency declarations are read.
_GRADLE_CONFIGURATIONS = (
    r"implementation|api|compile|compileOnly|runtimeOnly|testImplementation|testCompileOnly|"
    r"testRuntimeOnly|annotationProcessor|kapt|ksp|androidTestImplementation|"
    r"debugImplementation|developmentOnly|classpath"
)
_GRADLE_COORDINATES = re.compile(
    rf"\b(?:{_GRADLE_CONFIGURATIONS})\s*\(?\s*(?:(?:platform|enforcedPlatform)\s*\(\s*)?"
    r"[\"']([\w.-]+):([\w.-]+)(?::[^\"'\s]*)?[\"']"
)
_GRADLE_MAP_NOTATION = re.compile(
    r"\bgroup\s*[:=]\s*[\"']([\w.-]+)[\"']\s*,\s*name\s*[:=]\s*[\"']([\w.-]+)[\"']"
)
_GRADLE_PLUGIN = re.compile(r"(?:\bid\s*\(?\s*|\bapply\s+plugin\s*:\s*)[\"']([\w.-]+)[\"']")


_GRADLE_LINE_COMMENT = re.compile(r"^[ \t]*//[^\n]*", re.MULTILINE)


def _without_block_comments(text: str) -> str:
    """Drop /* ... */ comments with str.find (linear, unlike a lazy regex on hostile input)."""
    parts, i = [], 0
    while (start := text.find("/*", i)) >= 0:
        end = text.find("*/", start + 2)
        parts.append(text[i:start])
        i = len(text) if end < 0 else end + 2
    parts.append(text[i:])
    return " ".join(parts)


def read_gradle(text: str) -> Signals:
    text = _GRADLE_LINE_COMMENT.sub("", _without_block_comments(text))
    coordinates = [*_GRADLE_COORDINATES.findall(text), *_GRADLE_MAP_NOTATION.findall(text)]
    java = {("java", f"{group}:{artifact}") for group, artifact in coordinates}
    plugins = {("gradle-plugin", plugin) for plugin in _GRADLE_PLUGIN.findall(text)}
    return Signals(frozenset(java | plugins), frozenset({"Gradle"}))


def _catalog_module(spec: Any) -> str | None:
    if isinstance(spec, str):  # "group:artifact:version"
        group, _, rest = spec.partition(":")
        artifact = rest.partition(":")[0]
        return f"{group}:{artifact}" if group and artifact else None
    if isinstance(spec, dict):
        module = spec.get("module")
        if isinstance(module, str) and ":" in module:
            return str(module)
        owner, name = spec.get("group"), spec.get("name")
        if isinstance(owner, str) and isinstance(name, str):
            return f"{owner}:{name}"
    return None


def read_version_catalog(text: str) -> Signals:
    """gradle/libs.versions.toml: the libraries (`module = "group:artifact"`, a
    "group:artifact:version" string, or group + name) and plugins (`id`) a Gradle build
    declares through `libs.*` accessors."""
    data = tomllib.loads(text)
    java = {("java", m) for s in _table(data, "libraries").values() if (m := _catalog_module(s))}
    plugins = {
        ("gradle-plugin", (spec.get("id") if isinstance(spec, dict) else str(spec).split(":")[0]))
        for spec in _table(data, "plugins").values()
        if isinstance(spec, dict | str)
    }
    found = {(ns, n) for ns, n in java | plugins if isinstance(n, str) and n}
    return Signals(frozenset(found), frozenset({"Gradle"}))


# find_package(Catch2 3 REQUIRED), FetchContent_Declare(googletest ...), CPMAddPackage("gh:x/y")
_CMAKE_PACKAGE = re.compile(
    r"^\s*(?:find_package|FetchContent_Declare)\s*\(\s*([A-Za-z][\w.+-]*)",
    re.IGNORECASE | re.MULTILINE,
)
_CMAKE_COMMENT = re.compile(r"#.*")


def read_cmake(text: str) -> Signals:
    """CMakeLists.txt / *.cmake: the packages it finds or fetches, and CMake itself."""
    text = _CMAKE_COMMENT.sub("", text)
    return _signals("cmake", _CMAKE_PACKAGE.findall(text), ["CMake"])


# ---------------------------------------------------------------- Go, Rust, Ruby


_GO_COMMENT = re.compile(r"//.*")


_GO_INDIRECT = re.compile(r"//\s*indirect\b")


def read_go_mod(text: str) -> Signals:
    """The modules go.mod requires directly: a `// indirect` requirement is a dependency's
    dependency, recorded for reproducibility, not something the project chose to use."""
    lines = [
        _GO_COMMENT.sub("", line).strip()
        for line in text.splitlines()
        if not _GO_INDIRECT.search(line)
    ]
    if not any(line.startswith("module ") for line in lines):
        raise Malformed("go.mod without a module directive")
    names: list[str] = []
    block = ""  # the directive whose "(" ... ")" block we are in
    for line in lines:
        block, required = _go_mod_line(block, line)
        names += required
    return _signals("go", names)


def _go_mod_line(block: str, line: str) -> tuple[str, list[str]]:
    """(the block after `line`, the module `line` requires) for one line of go.mod."""
    words = line.split()
    if block:  # inside "require (" ... ")" (or another directive's block)
        block = "" if line == ")" else block
        return block, words[:1] if block == "require" else []
    if len(words) >= 2 and words[1] == "(":
        return words[0], []
    if len(words) >= 3 and words[0] == "require":
        return block, [words[1]]
    return block, []


_CARGO_TABLES = ("dependencies", "dev-dependencies", "build-dependencies")


def _cargo_names(table: dict[str, Any]) -> Iterator[str]:
    for kind in _CARGO_TABLES:
        for name, spec in _table(table, kind).items():
            # A renamed dependency ("json = { package = 'serde_json' }") is the package.
            renamed = spec.get("package") if isinstance(spec, dict) else None
            yield renamed if isinstance(renamed, str) else name


def read_cargo_toml(text: str) -> Signals:
    data = tomllib.loads(text)
    if "package" not in data and "workspace" not in data:
        raise Malformed("Cargo.toml without [package] or [workspace]")
    workspace = _table(data, "workspace")
    tables = [data, workspace, *(t for t in _table(data, "target").values() if isinstance(t, dict))]
    lints = [_table(data, "lints"), _table(workspace, "lints")]
    tools = ["Cargo", *(["Clippy"] if any("clippy" in lint for lint in lints) else [])]
    return _signals("rust", (n for t in tables for n in _cargo_names(t)), tools)


_GEM = re.compile(r"^\s*gem\s*\(?\s*([\"'])([\w.-]+)\1", re.MULTILINE)


def read_gemfile(text: str) -> Signals:
    return _signals("ruby", (name for _, name in _GEM.findall(text)), ["Bundler"])


# s.add_dependency "rack", s.add_runtime_dependency("tilt"), spec.add_development_dependency 'x'
_GEMSPEC_DEPENDENCY = re.compile(
    r"^\s*\w+\.add_(?:runtime_|development_)?dependency\s*\(?\s*([\"'])([\w.-]+)\1", re.MULTILINE
)


def read_gemspec(text: str) -> Signals:
    """A gem's own dependencies (a Gemfile's `gemspec` line pulls them in)."""
    return _signals("ruby", (name for _, name in _GEMSPEC_DEPENDENCY.findall(text)))


# ---------------------------------------------------------------- containers, CI, infrastructure


_DOCKER_FROM = re.compile(r"^\s*FROM\s+\S", re.IGNORECASE | re.MULTILINE)


def read_dockerfile(text: str) -> Signals:
    if _DOCKER_FROM.search(text) is None:
        raise Malformed("a Dockerfile without a FROM instruction")
    return _signals(tools=["Docker"])


def _image_name(reference: str) -> str:
    """registry.example.com:5000/library/postgres:16@sha256:... -> "postgres"."""
    name = reference.partition("@")[0].strip()
    parts = name.split("/")
    parts[-1] = parts[-1].partition(":")[0]
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    if len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]  # Docker Hub's official images
    return "/".join(parts).lower()


def read_compose(text: str) -> Signals:
    services = _object(check_yaml_mapping(text).get("services"))
    images = [
        s["image"]
        for s in services.values()
        if isinstance(s, dict) and isinstance(s.get("image"), str)
    ]
    return _signals("image", map(_image_name, images), ["Docker Compose"])


def read_kubernetes(text: str) -> Signals:
    documents = [d for d in check_yaml(text) if isinstance(d, dict)]
    found = any(
        isinstance(d.get("apiVersion"), str) and isinstance(d.get("kind"), str) for d in documents
    )
    return _signals(tools=["Kubernetes"] if found else [])


def read_kustomization(text: str) -> Signals:
    check_yaml_mapping(text)
    return _signals(tools=["Kubernetes"])


def read_helm_chart(text: str) -> Signals:
    chart = check_yaml_mapping(text)
    if not isinstance(chart.get("apiVersion"), str) or not isinstance(chart.get("name"), str):
        raise Malformed("Chart.yaml without apiVersion and name")
    return _signals(tools=["Helm", "Kubernetes"])  # a chart only deploys to Kubernetes


_TERRAFORM_PROVIDER = re.compile(r'^\s*provider\s+"([\w-]+)"', re.MULTILINE)
_TERRAFORM_SOURCE = re.compile(r'^\s*source\s*=\s*"(?:[\w.-]+/)?[\w-]+/([\w-]+)"', re.MULTILINE)
_TERRAFORM_RESOURCE = re.compile(r'^\s*(?:resource|data)\s+"([a-z0-9]+)_', re.MULTILINE)
# fmt: off
_TERRAFORM_PROVIDERS = {
    "aws": "AWS", "google": "Google Cloud", "google-beta": "Google Cloud", "azurerm": "Azure",
    "azuread": "Azure", "kubernetes": "Kubernetes", "helm": "Helm",
}
# fmt: on


def read_terraform(text: str) -> Signals:
    # HCL has no parser in the standard library; provider blocks, required_providers sources
    # and resource types are line-anchored declarations, so a comment ("# provider ...")
    # never matches.
    providers = {
        *_TERRAFORM_PROVIDER.findall(text),
        *_TERRAFORM_SOURCE.findall(text),
        *_TERRAFORM_RESOURCE.findall(text),
    }
    clouds = [_TERRAFORM_PROVIDERS[p] for p in providers if p in _TERRAFORM_PROVIDERS]
    return _signals(tools=["Terraform", *clouds])


# fmt: off
_PRE_COMMIT_HOOKS = {
    "ruff": "Ruff", "ruff-check": "Ruff", "ruff-format": "Ruff", "black": "Black",
    "flake8": "Flake8", "mypy": "mypy", "isort": "isort", "pylint": "Pylint", "pyright": "Pyright",
    "eslint": "ESLint", "prettier": "Prettier", "golangci-lint": "golangci-lint",
    "rubocop": "RuboCop",
}
# fmt: on


def _items(value: Any) -> list[dict[Any, Any]]:
    """The mappings of a YAML list; anything else is no items."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def read_pre_commit(text: str) -> Signals:
    hooks = [
        h for r in _items(check_yaml_mapping(text).get("repos")) for h in _items(r.get("hooks"))
    ]
    ids = [i for h in hooks if isinstance(i := h.get("id"), str)]
    return _signals(
        tools=["pre-commit", *(_PRE_COMMIT_HOOKS[i] for i in ids if i in _PRE_COMMIT_HOOKS)]
    )


# ---------------------------------------------------------------- files that name one tool


def tool_reader(check: Callable[[str], object], tool: str) -> Parser:
    """A reader that reports `tool` once `check` accepted the text (it raises if not)."""

    def parser(text: str) -> Signals:
        check(text)
        return _signals(tools=[tool])

    return parser


def check_present(text: str) -> None:
    """Configuration written as code: its name says it all once it decoded as UTF-8."""


def check_json_or_yaml(text: str) -> object:
    """Extension-less rc files (.eslintrc, .prettierrc) hold JSON with comments or YAML."""
    try:
        return check_jsonc(text)
    except ValueError:
        return check_yaml(text)


def run(reader: Parser, content: bytes) -> Signals | None:
    """`reader` over `content` decoded as UTF-8 (a BOM dropped); None when malformed."""
    try:
        return reader(content.decode("utf-8-sig"))
    except _PARSE_ERRORS:
        return None
