"""A typed client's view of the committed schema: graphql-codegen's TypeScript types (the
`typescript` plugin) for schema.graphql, with our scalars mapped, type every field; none is
`unknown` (a JSON scalar, or a scalar nobody mapped) or `any`.

The npm tools are installed by `make schema-tools` (run by `make test` and `make lint`); a
missing tool fails this test, it is never skipped.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from graphql_api.cli import SCHEMA_FILE

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "graphql"
CODEGEN = TOOLS / "node_modules" / ".bin" / "graphql-codegen"
# What each of our scalars is on the wire (ISO strings; a multipart file part).
SCALARS = {"Date": "string", "DateTime": "string", "Upload": "File"}

_TYPE = re.compile(r"^export type (\w+)(?:<[^>]*>)? = \{$")
_FIELD = re.compile(r"^  (\w+)\??: (.+);$")
_SCALAR = re.compile(r"^  (\w+): \{ input: (.+); output: (.+); \}$")


def generate(out: Path) -> str:
    if not CODEGEN.exists():
        pytest.fail(f"{CODEGEN} is missing: run `make schema-tools` (it needs npm)")
    config = {
        "schema": str(SCHEMA_FILE),
        "generates": {
            str(out): {
                "plugins": ["typescript"],
                "config": {"scalars": SCALARS, "defaultScalarType": "unknown"},
            }
        },
    }
    config_file = out.with_suffix(".json")
    config_file.write_text(json.dumps(config))
    done = subprocess.run(
        [str(CODEGEN), "--config", str(config_file)],
        cwd=TOOLS,  # where the plugin is installed
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_text()


def untyped_fields(typescript: str) -> list[str]:
    """`Type.field` of every field whose TypeScript type is or holds `unknown` or `any`,
    directly or through a scalar mapped to one."""
    vague = re.compile(r"\b(unknown|any)\b")
    unknown_scalars = {
        m[1]
        for line in typescript.splitlines()
        if (m := _SCALAR.match(line)) and vague.search(m[3])
    }
    found, current = [], None
    for line in typescript.splitlines():
        if start := _TYPE.match(line):
            current = start[1]
        elif line == "};":
            current = None
        elif current and current != "Scalars" and (field := _FIELD.match(line)):
            scalars = set(re.findall(r"Scalars\['(\w+)'\]", field[2]))
            if vague.search(field[2]) or scalars & unknown_scalars:
                found.append(f"{current}.{field[1]}")
    return found


def test_codegen_types_every_field_of_the_schema(tmp_path: Path) -> None:
    typescript = generate(tmp_path / "schema.ts")
    assert "export type Query = {" in typescript
    assert untyped_fields(typescript) == []


def test_the_check_finds_an_untyped_field() -> None:
    sample = "\n".join(
        [
            "export type Scalars = {",
            "  ID: { input: string; output: string; }",
            "  JSON: { input: unknown; output: unknown; }",
            "};",
            "export type Portfolio = {",
            "  id: Scalars['ID']['output'];",
            "  profile: Scalars['JSON']['output'];",
            "  extra?: Maybe<any>;",
            "};",
        ]
    )
    assert untyped_fields(sample) == ["Portfolio.profile", "Portfolio.extra"]
