"""`python -m bench.identities_bench`: setIdentities (re-derived from the stored reports, no
git) against remine (every repository mined again), on the same portfolio through the app's
GraphQL endpoint (in process, SQLite), paired and interleaved (the order alternates each
pair), each figure the median of BENCH_PAIRS pairs (default 5).

The portfolio: the clones named by BENCH_IDENTITIES (default "flask,requests") found in
$BENCH_REPOS, else two generated repositories (bench/synth.py: 5,000 and 2,000 commits by 12
authors). Each setIdentities switches the user between two authors, so every project's user
part changes and is written again. Wall seconds and CPU seconds (this process and its git
children) are both printed: on a shared machine the CPU figure is the steadier one.
"""

from __future__ import annotations

import asyncio
import io
import os
import resource
import shutil
import statistics
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.synth import CACHE, Spec, ensure
from graphql_api.app import create_app
from graphql_api.db import queries
from graphql_api.db.states import TERMINAL
from graphql_api.jobs.events import job_topic
from graphql_api.jobs.service import Services
from graphql_api.schema import ids
from graphql_api.settings import Settings
from mining.git.runner import HardenedGitRunner

UPLOAD = """mutation($files: [Upload!]!, $emails: [String!]) {
  uploadPortfolio(files: $files, userEmails: $emails) { portfolio { id } job { id } } }"""
REMINE = "mutation($id: ID!) { remine(portfolioId: $id) { job { id } userErrors { code } } }"
SET = """mutation($id: ID!, $emails: [String!]!) { setIdentities(portfolioId: $id, emails: $emails)
  { portfolio { id } userErrors { code message } } }"""


def _cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def _repos() -> tuple[list[Path], list[str]]:
    """The repositories, and two of their authors' addresses to switch between."""
    where = os.environ.get("BENCH_REPOS")
    if where:
        names = os.environ.get("BENCH_IDENTITIES", "flask,requests").split(",")
        found = [Path(where) / f"{n}.git" for n in names]
        return [p if p.is_dir() else Path(where) / p.stem for p in found], [
            "armin.ronacher@active-4.com",
            "me@kennethreitz.org",
        ]
    runner = HardenedGitRunner(ceiling=CACHE.parent, timeout=600)
    try:
        repos = [await ensure(Spec(5_000), runner), await ensure(Spec(2_000, seed=2), runner)]
    finally:
        runner.close()
    return repos, ["dev1@example.com", "dev2@example.com"]


def _zip(repos: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for repo in repos:
            for file in sorted(repo.rglob("*")):
                if not file.is_symlink():
                    name = f"{repo.name}/{file.relative_to(repo).as_posix()}"
                    archive.write(file, name + "/" if file.is_dir() else name)
    return buffer.getvalue()


async def _graphql(http: httpx.AsyncClient, query: str, **variables: Any) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


async def _until_done(services: Services, job_id: str) -> None:
    """Awaits the job's final event on the app's bus (or finds it already ended)."""
    _, uid = ids.decode(job_id, "MiningJob")
    async with services.bus.subscribe(job_topic(uid)) as events:
        while True:
            async with services.db.read() as session:
                job = await queries.job_to_run(session, uid)
            if job is None or job.status in TERMINAL:
                return
            async for event in events:
                if event.final:
                    break


async def _timed(action: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    await action()
    return time.perf_counter() - wall, _cpu() - cpu


async def _run(pairs: int) -> None:
    repos, (first, second) = await _repos()
    work = Path(tempfile.mkdtemp(prefix="identities-bench-"))
    settings = Settings(
        data_dir=work / "data", rate_limit_mutations="", rate_limit_uploads="", log_format="text"
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", timeout=3600
            ) as http:
                services = app.state.app_state.ready()
                await _pairs(http, services, repos, pairs, (first, second))
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def _pairs(
    http: httpx.AsyncClient,
    services: Services,
    repos: list[Path],
    pairs: int,
    users: tuple[str, str],
) -> None:
    first, second = users
    operations = f'{{"query": {UPLOAD!r}, "variables": {{"files": [null], "emails": ["{first}"]}}}}'
    operations = operations.replace("'", '"').replace("\n", " ")
    response = await http.post(
        "/graphql",
        data={"operations": operations, "map": '{"0": ["variables.files.0"]}'},
        files={"0": ("bench.zip", _zip(repos), "application/zip")},
        headers={"Apollo-Require-Preflight": "true"},
    )
    payload = response.json()["data"]["uploadPortfolio"]
    pid = payload["portfolio"]["id"]
    await _until_done(services, payload["job"]["id"])
    emails = [second, first]

    async def remine() -> None:
        job = (await _graphql(http, REMINE, id=pid))["remine"]["job"]["id"]
        await _until_done(services, job)

    async def set_identities() -> None:
        result = await _graphql(http, SET, id=pid, emails=[emails[0]])
        if result["setIdentities"]["userErrors"]:
            raise RuntimeError(result["setIdentities"]["userErrors"])
        emails.reverse()

    results: dict[str, list[tuple[float, float]]] = {"remine": [], "setIdentities": []}
    for i in range(pairs):
        order = [("remine", remine), ("setIdentities", set_identities)]
        for name, action in order if i % 2 == 0 else reversed(order):
            results[name].append(await _timed(action))
    _report(repos, results)


def _report(repos: list[Path], results: dict[str, list[tuple[float, float]]]) -> None:
    names = ", ".join(r.name for r in repos)
    pairs = len(results["remine"])
    print(f"setIdentities vs remine: a portfolio of {names}; {pairs} pairs, interleaved")
    for name, runs in results.items():
        walls = ", ".join(f"{w:.2f}" for w, _ in runs)
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"  {name:13} wall median {wall:.3f} s (runs: {walls}); CPU median {cpu:.3f} s")
    for what, index in (("wall", 0), ("CPU", 1)):
        ratios = [
            r[index] / s[index]
            for r, s in zip(results["remine"], results["setIdentities"], strict=True)
            if s[index] > 0
        ]
        print(f"  remine / setIdentities, {what}, paired: median x{statistics.median(ratios):.1f} "
              f"(pairs: {', '.join(f'x{x:.1f}' for x in ratios)})")  # fmt: skip


def main() -> None:
    asyncio.run(_run(int(os.environ.get("BENCH_PAIRS", "5"))))


if __name__ == "__main__":
    main()
