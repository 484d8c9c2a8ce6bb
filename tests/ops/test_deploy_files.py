"""compose.yaml and the Dockerfile, read as files (no Docker needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and line[0] != "#")
    ]


def test_compose_runs_postgres_apis_and_workers_on_one_database_and_store() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "api", "worker"}
    assert services["api"]["command"][:2] == ["artifact-miner", "serve"]
    assert services["worker"]["command"] == ["artifact-miner", "worker"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["QUEUE"] == "postgres"
        assert env["REQUIRE_AUTH"] == "1"  # they listen on 0.0.0.0 inside the network
        assert "data:/data" in services[name]["volumes"]
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["deploy"]["replicas"] >= 2
    assert all(port.startswith("127.0.0.1:") for port in services["api"]["ports"])


def test_dockerfile_runs_as_a_user_with_git_and_a_healthcheck() -> None:
    steps = _instructions()
    final = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    assert re.fullmatch(r"python:3\.\d+-slim", steps[final][1])
    users = [rest for word, rest in steps[final:] if word == "USER"]
    assert users
    assert users[-1] not in {"root", "0", "0:0"}
    runs = " ".join(rest for word, rest in steps[final:] if word == "RUN")
    assert re.search(r"apt-get install [^&]*\bgit\b", runs)
    (check,) = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert "/healthz" in check
    assert steps.index(("USER", users[-1])) < [w for w, _ in steps].index("CMD")
