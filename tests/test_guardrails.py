"""Guardrails: the committed schema matches the code; imports follow the layers of
ARCHITECTURE.md ("Layers and their import rules": each rule below names its number there)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from graphql_api.cli import SCHEMA_FILE
from graphql_api.schema import build_schema, sdl
from tests.mining.repo_builder import Repo

ROOT = Path(__file__).resolve().parents[1]


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(build_schema()), (
        "schema.graphql is stale: run `make schema` (artifact-miner export-schema)"
    )


def _imports(path: Path) -> set[str]:
    """What `path` imports: `module` for `import module`, `module.name` for `from module
    import name` (so a rule can forbid one name, `sqlalchemy.select`, or a whole package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, prefixes: Iterable[str]) -> bool:
    """Whether `name` is one of `prefixes` or inside one (`mining` covers `mining.git.runner`)."""
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


# The layers' import rules, numbered as in ARCHITECTURE.md ("Layers and their import rules"):
# (rule, folder, forbidden import prefixes). A prefix matches a module and what is inside it.
SERVICE = ("graphql_api", "sqlalchemy", "strawberry", "starlette", "alembic", "procrastinate")
# What runs git or walks an upload: jobs may, a request may not.
RUNS_GIT = ("mining.git", "mining.pipeline", "mining.history.log_reader", "mining.report")
NETWORK = ("http", "urllib", "socket", "ssl", "httpx", "requests", "aiohttp")
RULES = [
    (1, "mining", SERVICE),
    (3, "graphql_api/db", ("graphql_api.schema", "graphql_api.jobs", "mining")),
    (4, "graphql_api/schema", (*RUNS_GIT, "sqlalchemy.select")),
    (5, "graphql_api/ingest", ("graphql_api.schema", "graphql_api.db", "graphql_api.jobs")),
    (8, "mining", NETWORK),
    (9, "graphql_api/llm", ("graphql_api.schema", "graphql_api.db", "graphql_api.jobs",
                            "graphql_api.ingest", *RUNS_GIT)),
]  # fmt: skip
# Rule 2: parsing, the tree's tables, the history fold and analysis do no I/O (pure paths,
# PurePosixPath, are not I/O). log_reader.py, beside the fold, drives git through a GitRunner.
NO_IO = ("subprocess", "asyncio", "socket", "urllib", "http", "httpx", "os", "shutil", "pathlib")
PURE = {"pathlib.PurePosixPath", "pathlib.PurePath"}
PURE_FOLDERS = ["mining/parse", "mining/tree", "mining/history", "mining/analyze"]
READS_GIT = {ROOT / "mining/history/log_reader.py"}


@pytest.mark.parametrize(("rule", "folder", "forbidden"), RULES)
def test_layers_import_only_downwards(rule: int, folder: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(folder)
        for name in _imports(path)
        if _within(name, forbidden)
    ]
    assert offenders == [], f"ARCHITECTURE.md, rule {rule}"


@pytest.mark.parametrize("folder", PURE_FOLDERS)
def test_pure_packages_do_no_io(folder: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(folder)
        if path not in READS_GIT
        for name in _imports(path)
        if _within(name, NO_IO) and name not in PURE
    ]
    assert offenders == [], "ARCHITECTURE.md, rule 2"


# Rule 6: git runs only through the hardened runner; pg_dump and pg_restore only from the
# backup commands.
PROCESS_STARTERS = {ROOT / "mining/git/runner.py", ROOT / "graphql_api/backup/dumps.py"}


def test_only_mining_git_starts_processes() -> None:
    starters = ("subprocess", "asyncio.subprocess", "asyncio.create_subprocess_exec")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("mining", "graphql_api")
        for path in _modules(folder)
        if path not in PROCESS_STARTERS
        and (
            any(_within(name, starters) for name in _imports(path))
            or "create_subprocess_exec" in path.read_text()
        )
    ]
    assert offenders == [], "ARCHITECTURE.md, rule 6"


# Rule 7: `select(` is written in graphql_api/db only.
def test_select_is_written_only_in_db() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules("graphql_api")
        if "graphql_api/db/" not in str(path) and "select(" in path.read_text()
    ]
    assert offenders == [], "ARCHITECTURE.md, rule 7"


# `artifact-miner mine` up to its first git (mining/launch.py): none of these is imported, each
# took milliseconds of the start-up a user waits for (bench/mining_bench.py, start to first
# git): asyncio and logging as long as all the rest, dataclasses with inspect (ast, dis,
# tokenize) longer still, then typing, tempfile (random) and datetime.
LAUNCH_FORBIDDEN = (
    "asyncio",
    "dataclasses",
    "datetime",
    "inspect",
    "logging",
    "tempfile",
    "typing",
)
# Runs what the console script runs for `mine` up to its first git, with an upload as a ZIP
# brings it (a folder holding a repository), and prints the forbidden modules then loaded.
_LAUNCHED = """
import json, sys
import graphql_api.entry
from mining import launch
from mining.git.runner import running_processes

started = launch.start([sys.argv[2]])
try:
    if started.runner is not None and started.runner.ahead is not None:
        started.runner.ahead.join()  # its commits listed (one: no slice beside the history)
    assert started.copies and running_processes() == 1, "no copy, or no history started"
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in json.loads(sys.argv[1]))
finally:
    started.close()
print(json.dumps(loaded))
"""


def test_mine_starts_git_before_importing_the_slow_modules(tmp_path: Path) -> None:
    upload = tmp_path / "upload"
    Repo(upload / "project", tmp_path).write("main.py", "print(1)\n").commit("one")
    argv = [sys.executable, "-c", _LAUNCHED, json.dumps(LAUNCH_FORBIDDEN), str(upload)]
    ran = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [], "imported on the way to `mine`'s first git"
