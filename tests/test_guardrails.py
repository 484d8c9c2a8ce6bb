"""Guardrails: the committed schema matches the code; imports follow DESIGN.md's layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from graphql_api.cli import SCHEMA_FILE
from graphql_api.schema import build_schema, sdl

ROOT = Path(__file__).resolve().parents[1]


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(build_schema()), (
        "schema.graphql is stale: run `make schema` (artifact-miner export-schema)"
    )


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


# (folder, forbidden import prefixes, why)
RULES = [
    ("mining", ("graphql_api", "sqlalchemy", "strawberry", "starlette", "alembic"), "rule 1"),
    ("graphql_api/db", ("graphql_api.schema", "graphql_api.jobs"), "rule 3"),
    ("graphql_api/schema", ("mining.git", "mining.pipeline", "sqlalchemy.select"), "rule 4"),
    ("graphql_api/ingest", ("graphql_api.schema", "graphql_api.db", "graphql_api.jobs"), "leaf"),
]
# Rule 2: parsing and analysis do no I/O.
NO_IO = ("subprocess", "asyncio", "socket", "urllib", "http", "httpx", "os", "shutil", "pathlib")


@pytest.mark.parametrize(("folder", "forbidden", "rule"), RULES)
def test_layers_import_only_downwards(folder: str, forbidden: tuple[str, ...], rule: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(folder)
        for name in _imports(path)
        if name.startswith(forbidden)
    ]
    assert offenders == [], rule


@pytest.mark.parametrize("folder", ["mining/parse", "mining/analyze"])
def test_pure_packages_do_no_io(folder: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(folder)
        for name in _imports(path)
        if name.split(".")[0] in NO_IO
    ]
    assert offenders == []


# git runs only through mining/git.py; pg_dump and pg_restore only from the backup commands.
PROCESS_STARTERS = {ROOT / "mining/git.py", ROOT / "graphql_api/backup/dumps.py"}


def test_only_mining_git_starts_processes() -> None:
    starters = {"subprocess", "asyncio.subprocess"}
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("mining", "graphql_api")
        for path in _modules(folder)
        if path not in PROCESS_STARTERS
        and (_imports(path) & starters or "create_subprocess_exec" in path.read_text())
    ]
    assert offenders == []


def test_select_is_written_only_in_db() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules("graphql_api")
        if "graphql_api/db/" not in str(path) and "select(" in path.read_text()
    ]
    assert offenders == []
