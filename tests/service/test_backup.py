"""`artifact-miner backup | restore | check` as an operator runs them: real subprocesses of the
command, against a server that keeps writing, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import insert, make_url, text
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.backup.archive import BackupError, backup, restore
from graphql_api.backup.check import check
from graphql_api.cli import main
from graphql_api.db import migrate
from graphql_api.db.engine import create_engine
from graphql_api.db.models import UploadedZip
from graphql_api.jobs.service import Services
from graphql_api.settings import Settings
from tests.service.flows import build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder

ROOT = Path(__file__).resolve().parents[2]
HEAD = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
WRITE = """mutation($name: String!) { createPortfolio(name: $name) {
  portfolio { id } userErrors { code } } }"""
EXPORT = """mutation($id: ID!) { createExport(portfolioId: $id, kind: PORTFOLIO, format: JSON) {
  export { status url } userErrors { code } } }"""
READ = """query($id: ID!) { portfolio(id: $id) { name userEmails projects(first: 10) { nodes {
  projectName totalCommits rankingScore skills { nodes { skill { name } proficiency } }
  resumeItems { nodes { content } } } } } }"""


async def artifact_miner(settings: Settings, *args: str) -> tuple[int, str, str]:
    """Run the command line as a separate process on the database and DATA_DIR of `settings`."""
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "graphql_api.cli", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@asynccontextmanager
async def fresh_target(settings: Settings, root: Path) -> AsyncIterator[Settings]:
    """Settings for an empty DATA_DIR and an empty database of the same kind."""
    if settings.database_url.startswith("sqlite"):
        yield Settings(data_dir=root)  # the default: a SQLite file inside DATA_DIR
        return
    url = make_url(settings.database_url)
    fresh = url.set(database=f"{url.database}_restored")
    admin = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{fresh.database}" WITH (FORCE)')
    try:
        async with admin.connect() as conn:
            await conn.execute(drop)
            await conn.execute(text(f'CREATE DATABASE "{fresh.database}"'))
        yield Settings(data_dir=root, database_url=fresh.render_as_string(hide_password=False))
    finally:
        async with admin.connect() as conn:
            await conn.execute(drop)
        await admin.dispose()


@asynccontextmanager
async def client_of(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def data(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = (await http.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


async def portfolio_names(settings: Settings) -> list[str]:
    engine = create_engine(settings.sqlalchemy_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT name FROM portfolios WHERE name LIKE 'w-%'"))
            return sorted(row[0] for row in rows)
    finally:
        await engine.dispose()


async def mine_and_export(
    app: Starlette, http: httpx.AsyncClient, tmp_path: Path
) -> tuple[str, str]:
    """A mined portfolio and one export of it; returns its id and the export's download URL."""
    payload = await upload(http, zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home")))
    services: Services = app.state.app_state.ready()
    assert (await wait_for_job(services, payload["job"]["id"])).status == "succeeded"
    exported = await data(http, EXPORT, id=payload["portfolio"]["id"])
    assert exported["createExport"]["export"]["status"] == "COMPLETED"
    return payload["portfolio"]["id"], exported["createExport"]["export"]["url"]


async def test_backup_while_writing_then_restore_check_and_serve(
    app: Starlette, client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    portfolio_id, export_url = await mine_and_export(app, client, tmp_path)
    export_bytes = (await client.get(export_url)).content
    original = await data(client, READ, id=portfolio_id)
    written: list[str] = []
    started, stop = asyncio.Event(), asyncio.Event()

    async def writer() -> None:  # one portfolio per commit, named in order
        while not stop.is_set():
            name = f"w-{len(written):04d}"
            payload = await data(client, WRITE, name=name)
            assert payload["createPortfolio"]["userErrors"] == []
            written.append(name)
            started.set()
            await asyncio.sleep(0.02)  # pace: a steady writer, not a flood

    task = asyncio.create_task(writer())
    await started.wait()  # the writer is under way before the backup starts
    before = len(written)
    code, out, err = await artifact_miner(settings, "backup", str(tmp_path / "backup"))
    during = len(written) - before
    stop.set()
    await task
    assert (code, err) == (0, ""), out
    assert "check OK" in out
    assert during > 0  # the server wrote while the backup ran
    manifest = json.loads((tmp_path / "backup/manifest.json").read_text())
    stored = sorted(f["path"].split("/")[0] for f in manifest["files"])
    assert {"uploads", "extracted", "exports"} <= set(stored)

    async with fresh_target(settings, tmp_path / "restored") as target:
        await restore(target, tmp_path / "backup")
        assert (await check(target)).problems == []
        async with client_of(target) as restored:
            assert await data(restored, READ, id=portfolio_id) == original
            assert len(original["portfolio"]["projects"]["nodes"]) == 3
            assert (await restored.get(export_url)).content == export_bytes
        names = await portfolio_names(target)
        # A point in time: every portfolio written before some moment, none after it.
        assert names == written[: len(names)]
        assert before <= len(names) <= len(written)

        with pytest.raises(BackupError, match=r"not empty \(uploads/ has files; .*--force"):
            await restore(target, tmp_path / "backup")

        # A file the database names goes missing: check says which.
        upload_file = next(f["path"] for f in manifest["files"] if f["path"].startswith("uploads/"))
        (target.data_dir / upload_file).unlink()
        assert (await check(target)).problems == [
            f"uploaded_zips row 1 (path): {upload_file} is missing from the store"
        ]
        await restore(target, tmp_path / "backup", force=True)
        assert (await check(target)).problems == []


async def test_a_damaged_backup_is_refused_before_anything_changes(
    settings: Settings, tmp_path: Path, app: Starlette
) -> None:
    for name in ("uploads/a.zip", "exports/b.json"):
        (settings.data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / name).write_text(name)
    done = await backup(settings, tmp_path / "backup")
    assert (done.files, done.revision) == (2, HEAD)
    with pytest.raises(BackupError, match="already exists"):
        await backup(settings, tmp_path / "backup")

    (tmp_path / "backup/files/uploads/a.zip").unlink()
    (tmp_path / "backup/files/exports/b.json").write_text("changed")
    async with fresh_target(settings, tmp_path / "restored") as target:
        with pytest.raises(BackupError) as refused:
            await restore(target, tmp_path / "backup")
        assert str(refused.value).splitlines() == [
            "the backup is damaged, nothing was restored:",
            "  uploads/a.zip: missing",
            "  exports/b.json: content differs from the manifest",
        ]
        assert not target.data_dir.exists()
        assert (await check(target)).problems != []  # still empty: never migrated


async def test_check_names_orphaned_rows_and_paths_outside_the_store(
    settings: Settings, app: Starlette, tmp_path: Path
) -> None:
    """An upload row whose portfolio is gone (what a manual repair with foreign keys off, or
    a restore with triggers disabled, leaves behind) and whose path leaves DATA_DIR."""
    elsewhere = tmp_path / "elsewhere.zip"
    elsewhere.write_bytes(b"PK")
    row = {"portfolio_id": "gone", "owner_id": 901, "filename": "a.zip", "path": str(elsewhere)}
    owner = "INSERT INTO owners (id, uid, name, created_at) VALUES (901, 'o', 'o', '2024-01-01')"
    if settings.database_url.startswith("sqlite"):
        with sqlite3.connect(make_url(settings.database_url).database or "") as conn:
            conn.execute("PRAGMA foreign_keys=OFF")  # the default of a plain connection
            conn.execute(owner)
            conn.execute(
                "INSERT INTO uploaded_zips (uid, portfolio_id, owner_id, filename, path, size, "
                "sha256, uploaded_at) VALUES ('u', :portfolio_id, :owner_id, :filename, :path, "
                "0, '', '2024-01-01')",
                row,
            )
        orphan = "uploaded_zips row 1: its portfolios row does not exist"
    else:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            async with engine.begin() as conn:
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
                await conn.execute(text(owner))
                await conn.execute(insert(UploadedZip).values(**row))
        finally:
            await engine.dispose()
        orphan = "uploaded_zips: 1 row(s) whose portfolio_id names no portfolios row"
    outside = f"uploaded_zips row 1 (path): {elsewhere} is outside DATA_DIR"
    assert sorted((await check(settings)).problems) == sorted([orphan, outside])


def test_the_commands_exit_codes_and_what_they_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """0 when sound, 1 with one PROBLEM line each when not, 2 when a restore cannot start."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0
    assert main(["check"]) == 0
    assert capsys.readouterr().out.endswith(
        f"check OK: sqlite database at revision {HEAD}, 0 stored paths\n"
    )
    rows = [
        "INSERT INTO owners (id, uid, name, created_at) VALUES (7, 'o', 'o', '2024-01-01')",
        "INSERT INTO portfolios (id, owner_id, name, user_emails, ranking_weights, created_at, "
        "updated_at) VALUES ('p', 7, '', '[]', '{}', '2024-01-01', '2024-01-01')",
        "INSERT INTO exports (uid, portfolio_id, owner_id, export_type, format, path, status, "
        "created_at) VALUES ('e', 'p', 7, 'portfolio', 'json', :path, 'completed', '2024-01-01')",
        "INSERT INTO stored_uploads (id, owner_id, filename, size, sha256, created_at) "
        "VALUES ('ab', 7, 'x.zip', 0, '', '2024-01-01')",
    ]
    with sqlite3.connect(tmp_path / "data/artifact-miner.db") as conn:
        for sql in rows:
            conn.execute(sql, {"path": str(tmp_path / "data/exports/e.json")})
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "PROBLEM exports row 1 (path): exports/e.json is missing from the store",
        "PROBLEM stored_uploads row ab (id): uploads/ab.zip is missing from the store",
        f"check FAILED, 2 problem(s): sqlite database at revision {HEAD}, 2 stored paths",
    ]
    assert main(["restore", str(tmp_path / "nowhere")]) == 2
    assert (
        capsys.readouterr().err
        == f"error: {tmp_path / 'nowhere'} is not a backup: it has no manifest.json\n"
    )
