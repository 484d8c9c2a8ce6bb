"""Repositories built to break mining, uploaded through the real API and mined by the real job
runner with real git: each is mined correctly (repaired when a ZIP dropped its empty
directories) or reported with a typed code and an upload-relative message, never INTERNAL."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Text, cast, func, select
from starlette.applications import Starlette

from graphql_api.db import models
from graphql_api.jobs.service import Services
from tests.mining.repo_builder import Repo
from tests.service.flows import ADA, T0, upload, wait_for_job
from tests.service.live import zip_folder

RESULT = """
query($id: ID!) {
  job(id: $id) { status errorCode error repoErrors { path code message } }
  portfolio: job(id: $id) { portfolio { projects(first: 20, orderBy: NAME) { nodes {
    projectName projectPath kind totalCommits headCommit shallow
    collaboration { authors { name email commits } }
  } } } }
}
"""


def services(app: Starlette) -> Services:
    found: Services = app.state.app_state.ready()
    return found


async def mine(app: Starlette, http: httpx.AsyncClient, folder: Path) -> dict[str, Any]:
    """Upload `folder` as a ZIP (files only: empty directories are dropped, as zip tools do),
    wait for the job, and read back the job and the projects."""
    payload = await upload(http, zip_folder(folder))
    assert payload["userErrors"] == [], payload
    job_id = payload["job"]["id"]
    await wait_for_job(services(app), job_id)
    response = await http.post("/graphql", json={"query": RESULT, "variables": {"id": job_id}})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    job = body["data"]["job"]
    projects = body["data"]["portfolio"]["portfolio"]["projects"]["nodes"]
    return {"job": job, "projects": projects, "text": response.text}


def assert_no_server_detail(text: str, tmp_path: Path) -> None:
    """No absolute server path, git command line or stderr in what the client was sent."""
    assert str(tmp_path) not in text
    for leak in ("--git-dir", "fatal:", "/tmp/", "exited 128", "'git "):
        assert leak not in text, leak


def git(*args: str, cwd: Path) -> str:
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(cwd)}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return done.stdout.decode().strip()


async def test_an_empty_repository_without_its_empty_directories_is_mined(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    Repo(tmp_path / "up" / "empty", tmp_path / "home")  # git init: objects/ and refs/ empty
    assert not any((tmp_path / "up/empty/.git/objects").rglob("*.*"))
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "SUCCEEDED", got["job"]
    [project] = got["projects"]
    assert (project["projectName"], project["kind"], project["totalCommits"]) == (
        "empty",
        "WORKTREE",
        0,
    )


async def test_a_packed_bare_repository_without_its_empty_refs_is_mined(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    work = Repo(tmp_path / "work", tmp_path / "home")
    work.write("main.py", "print(1)\n").commit("one", author=ADA, when=T0)
    head = work.write("lib.py", "x = 1\n").commit("two", author=ADA, when=T0 + 60)
    bare = tmp_path / "up" / "lib.git"
    git("clone", "-q", "--bare", str(work.path), str(bare), cwd=tmp_path)
    git("gc", "-q", "--prune=now", cwd=bare)  # every ref packed: refs/heads and refs/tags empty
    assert not any(p.is_file() for p in (bare / "refs").rglob("*"))
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "SUCCEEDED", got["job"]
    [project] = got["projects"]
    assert (project["kind"], project["totalCommits"], project["headCommit"]) == ("BARE", 2, head)
    assert project["shallow"] is False


async def test_a_git_dir_without_objects_is_a_typed_corrupt_repository(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    broken = Repo(tmp_path / "up" / "broken", tmp_path / "home")
    broken.write("main.py", "print(1)\n").commit("one", author=ADA, when=T0)
    shutil.rmtree(broken.path / ".git" / "objects")
    fine = Repo(tmp_path / "up" / "fine", tmp_path / "home")
    fine.write("main.py", "print(2)\n").commit("one", author=ADA, when=T0)
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "PARTIAL", got["job"]  # never a clean success
    assert got["job"]["repoErrors"] == [
        {
            "path": "portfolio/broken",
            "code": "CORRUPT",
            "message": "the repository's objects are missing or corrupt",
        }
    ]
    assert [p["projectName"] for p in got["projects"]] == ["fine"]
    assert_no_server_detail(got["text"], tmp_path)


async def test_an_unsafe_repository_names_its_upload_relative_path_only(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "up" / "sneaky", tmp_path / "home")
    repo.write("main.py", "print(1)\n").commit("one", author=ADA, when=T0)
    (repo.path / ".git/objects/info/alternates").write_text(f"{tmp_path}/elsewhere/objects\n")
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "FAILED"
    assert got["job"]["errorCode"] == "NO_PROJECT_MINED"
    assert got["job"]["repoErrors"] == [
        {
            "path": "portfolio/sneaky",
            "code": "REPO_UNSAFE",
            "message": "sneaky/.git/objects/info/alternates: points outside the upload",
        }
    ]
    assert_no_server_detail(got["text"], tmp_path)


async def test_a_forged_shallow_file_is_mined(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "up" / "cut", tmp_path / "home")
    first = repo.write("a.py", "a = 1\n").commit("one", author=ADA, when=T0)
    second = repo.write("b.py", "b = 1\n").commit("two", author=ADA, when=T0 + 60)
    repo.write("c.py", "c = 1\n").commit("three", author=ADA, when=T0 + 120)
    assert first
    (repo.path / ".git" / "shallow").write_text(f"{second}\n")  # history now ends at `two`
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "SUCCEEDED", got["job"]
    [project] = got["projects"]
    assert (project["totalCommits"], project["shallow"]) == (2, True)


async def test_a_setup_py_too_deep_for_pythons_parser_is_skipped(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "mining")
    project = tmp_path / "up" / "deep"
    project.mkdir(parents=True)
    (project / "setup.py").write_text("setup(install_requires=" + "not " * 100_000 + "1)\n")
    (project / "main.py").write_text("print(1)\n")
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "SUCCEEDED", got["job"]
    assert [p["projectName"] for p in got["projects"]] == ["deep"]
    assert "manifest setup.py skipped: malformed or too complex to parse" in caplog.text


def fast_import(path: Path, commits: list[tuple[str, str, bytes]]) -> None:
    """A repository whose commits have the given (author name, email, file) without any limit
    that `git commit` (or the environment's size) would put on them."""
    lines: list[bytes] = []
    for n, (name, email, content) in enumerate(commits):
        who = f"{name} <{email}> {T0 + n * 60} +0000".encode()
        lines += [b"commit refs/heads/main", b"author " + who, b"committer " + who]
        lines += [b"data 1", b"x", b"M 644 inline f%d.py" % n, b"data %d" % len(content), content]
    path.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=path)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=path, input=b"\n".join(lines) + b"\n", check=True
    )


async def test_giant_author_names_are_capped_in_the_database_and_the_response(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    huge = 1024 * 1024
    commits = [(f"{c}" * huge, f"{c}@x.com", b"x = 1\n") for c in "ABCD"]
    fast_import(tmp_path / "up" / "names", commits)
    archive = zip_folder(tmp_path / "up")
    assert len(archive) < 40_000  # megabytes of names compress to almost nothing
    got = await mine(app, client, tmp_path / "up")
    assert got["job"]["status"] == "SUCCEEDED", got["job"]
    [project] = got["projects"]
    names = sorted(a["name"] for a in project["collaboration"]["authors"])
    assert names == [c * 255 + "\u2026" for c in "ABCD"]
    assert len(got["text"]) < 20_000
    async with services(app).db.read() as session:
        widest = await session.scalar(
            select(func.max(func.length(cast(models.RepoStat.report, Text))))
        )
    assert widest is not None
    assert widest < 100_000


async def test_bidi_and_control_characters_never_reach_displayed_names(
    app: Starlette, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    repo = tmp_path / "up" / "invoice\u202egpj.py"
    fast_import(repo, [("Mallory\u202e\u2066 Evil\x07", "m@x.com", b"x = 1\n")])
    got = await mine(app, client, tmp_path / "up")
    [project] = got["projects"]
    assert project["projectName"] == "invoicegpj.py"
    assert project["projectPath"] == "portfolio/invoicegpj.py"
    [author] = project["collaboration"]["authors"]
    assert author["name"] == "Mallory Evil"
    assert not re.search("[\u202a-\u202e\u2066-\u2069\x00-\x1f]", json.dumps(got["projects"]))
