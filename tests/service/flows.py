"""What several service tests do: build repositories, upload them, wait for the job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from graphql_api.db import models, queries
from graphql_api.db.states import TERMINAL
from graphql_api.jobs.events import job_topic
from graphql_api.jobs.service import Services
from graphql_api.schema import ids
from tests.mining.repo_builder import Repo

ADA = ("Ada Lovelace", "ada@example.com")
GRACE = ("Grace Hopper", "grace@example.com")
DAY = 86_400
T0 = 1_700_000_000

UPLOAD = """mutation($files: [Upload!]!, $pid: ID) {
  uploadPortfolio(files: $files, portfolioId: $pid, userEmails: ["ada@example.com"]) {
    portfolio { id } job { id status } userErrors { code message }
  }
}"""


def build_portfolio(root: Path, home: Path) -> Path:
    """Three repositories: a Python service, a Go tool, and a collaborative web app."""
    service = Repo(root / "upload" / "service", home)
    service.write("app/main.py", "def main():\n    return 1\n" * 20)
    service.write("pyproject.toml", '[project]\nname = "svc"\ndependencies = ["flask"]\n')
    service.write("tests/test_main.py", "def test_main():\n    assert True\n")
    service.commit("Start the service", author=ADA, when=T0)
    service.write("app/routes.py", "ROUTES = []\n" * 30)
    service.commit("Add routes", author=ADA, when=T0 + DAY)

    tool = Repo(root / "upload" / "tool", home)
    tool.write("main.go", "package main\n\nfunc main() {}\n" * 10)
    tool.write("go.mod", "module example.com/tool\n\ngo 1.22\n")
    tool.commit("Go tool", author=ADA, when=T0 + 2 * DAY)

    web = Repo(root / "upload" / "web", home)
    web.write("package.json", json.dumps({"dependencies": {"react": "18.0.0"}}))
    web.write("src/App.jsx", "export const App = () => null;\n" * 15)
    web.commit("Scaffold", author=GRACE, when=T0 + 3 * DAY)
    web.write("src/List.jsx", "export const List = () => null;\n" * 25)
    web.commit("List view", author=ADA, when=T0 + 4 * DAY)
    web.write("README.md", "# Web\n")
    web.commit("Docs", author=GRACE, when=T0 + 5 * DAY)
    return root / "upload"


async def upload(
    http: httpx.AsyncClient,
    archive: bytes,
    portfolio_id: str | None = None,
    *,
    filename: str = "portfolio.zip",
) -> dict[str, Any]:
    """uploadPortfolio through the GraphQL multipart request spec, as a script sends it."""
    operations = {"query": UPLOAD, "variables": {"files": [None], "pid": portfolio_id}}
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.files.0"]}),
        },
        files={"0": (filename, archive, "application/zip")},
        headers={"Apollo-Require-Preflight": "true"},
    )
    payload: dict[str, Any] = response.json()["data"]["uploadPortfolio"]
    return payload


async def wait_for_job(services: Services, job_id: str) -> models.MiningJob:
    """Await the job's final event on the bus (or find it already finished)."""
    _, uid = ids.decode(job_id, "MiningJob")
    async with services.bus.subscribe(job_topic(uid)) as events:
        while True:
            async with services.db.read() as session:
                job = await queries.job_to_run(session, uid)
            assert job is not None
            if job.status in TERMINAL:
                return job
            async for event in events:
                if event.final:
                    break


def synthetic_repo(path: Path, commits: int, *, files: int = 50) -> Path:
    """A repository of `commits` commits by two authors, made in one `git fast-import`."""
    import subprocess

    lines: list[bytes] = []
    for n in range(commits):
        name, email = ADA if n % 3 else GRACE
        message = f"change {n}".encode()
        body = f"line {n}\n".encode() * (1 + n % 7)
        lines += [
            b"commit refs/heads/main",
            f"author {name} <{email}> {T0 + n * 3600} +0000".encode(),
            f"committer {name} <{email}> {T0 + n * 3600} +0000".encode(),
            b"data %d" % len(message),
            message,
            b"M 644 inline src/module_%d.py" % (n % files),
            b"data %d" % len(body),
            body,
        ]
    path.mkdir(parents=True)
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(path)}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, env=env)
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=path,
        input=b"\n".join(lines) + b"\n",
        check=True,
        env=env,
    )
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True, env=env)
    return path


# The whole developer profile, under the names the profile's fields have in Python.
PROFILE = """query($id: ID!) { portfolio(id: $id) { profile {
  languages_by_lines: languagesByLines { name lines commits projects }
  languages_by_commits: languagesByCommits { name lines commits projects }
  frameworks { name category projects }
  top_skills: topSkills { name category proficiency level projects highlighted weight score }
  first_active: firstActive last_active: lastActive
  calendar { date commits }
  seniority { level score reasons } } } }"""
