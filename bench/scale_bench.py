"""Scale-out benchmark (`make bench-scale`): the QUEUE=postgres job engine (procrastinate).

    python -m bench.scale_bench        # BENCH_PORTFOLIOS=200 BENCH_PAIRS=2 BENCH_IDLE_JOBS=30

Real processes on the machine's PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres; a fresh database of its own, dropped
at the end): one `artifact-miner serve` (QUEUE=postgres, API only) and 1 or 2
`artifact-miner worker` processes sharing one DATA_DIR.

1. Throughput: with the workers up (registered in procrastinate_workers), BENCH_PORTFOLIOS
   small portfolios (one repository of 3 commits each) are uploaded through the API, 8 at a
   time, and the clock runs from the first upload to the last job's final write. Runs with 1
   and 2 workers are paired and interleaved (1, 2, 1, 2, ...); each pair gives a ratio.
2. Enqueue-to-start latency: a job's `started_at` (the worker began it) minus its
   `created_at` (the API queued it), both from the job row. Under load it is mostly the wait
   behind other jobs; with one idle worker and BENCH_IDLE_JOBS jobs uploaded one after the
   other it is the engine's own: commit, defer, NOTIFY, fetch, start.

The machine's cores are shared: 2 workers can only be faster than 1 by what the cores allow
(mining is git plus Python in each worker; the API and PostgreSQL take their share too).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, text

from graphql_api.db.engine import create_engine

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
UPLOAD = """mutation($files: [Upload!]!) {
  uploadPortfolio(files: $files, userEmails: ["ada@example.com"]) {
    job { id } userErrors { code message } } }"""
CONCURRENT_UPLOADS = 8


def _git(cwd: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def small_portfolio(root: Path) -> bytes:
    """A ZIP of one repository with 3 commits."""
    repo = root / "service"
    repo.mkdir(parents=True)
    env = {
        **os.environ,
        "HOME": str(root),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    _git(repo, "init", "-q", "-b", "main", env=env)
    for c in range(3):
        (repo / f"m{c}.py").write_text(f"VALUE = {c}\n" * 20)
        _git(repo, "add", "-A", env=env)
        _git(repo, "commit", "-q", "-m", f"change {c}", env=env)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "service" in path.parts:
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Processes:
    """The API and the workers, as subprocesses of `python -m graphql_api.cli`."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.port = free_port()
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    def _spawn(self, name: str, *args: str, **extra: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "graphql_api.cli", *args],
            env={**self.env, **extra},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    async def start_api(self) -> str:
        self.api = self._spawn("api", "serve", PORT=str(self.port), HOST="127.0.0.1")
        url = f"http://127.0.0.1:{self.port}"
        async with httpx.AsyncClient(timeout=5) as http:
            async with asyncio.timeout(120):
                while True:
                    if self.api.poll() is not None:
                        raise RuntimeError("the API exited; see its log")
                    with suppress(httpx.TransportError):
                        if (await http.get(f"{url}/healthz")).status_code == 200:
                            return url
                    await asyncio.sleep(0.1)  # another process's port: polled

    def start_workers(self, n: int, run: int) -> None:
        self.workers = [self._spawn(f"worker-{run}-{i}", "worker") for i in range(n)]

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            worker.wait(60)
        self.workers = []

    def stop(self) -> None:
        self.stop_workers()
        if self.api is not None:
            self.api.send_signal(signal.SIGTERM)
            self.api.wait(60)


async def scalar(url: str, query: str, **params: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(query), params)).scalar()
    finally:
        await engine.dispose()


async def rows(url: str, query: str, **params: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(query), params)).all())
    finally:
        await engine.dispose()


async def until(url: str, query: str, expected: int, limit: float, **params: Any) -> None:
    """Poll the database until `query` counts `expected` (another process's progress)."""
    engine = create_engine(url)
    try:
        async with asyncio.timeout(limit):
            while True:
                async with engine.connect() as conn:
                    if (await conn.execute(text(query), params)).scalar() == expected:
                        return
                await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


async def post_upload(http: httpx.AsyncClient, archive: bytes) -> str:
    """One uploadPortfolio (GraphQL multipart); its job's uid."""
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": UPLOAD, "variables": {"files": [None]}}),
            "map": json.dumps({"0": ["variables.files.0"]}),
        },
        files={"0": ("portfolio.zip", archive, "application/zip")},
        headers={"Apollo-Require-Preflight": "1"},
    )
    body = response.json()
    assert body.get("data"), body
    payload = body["data"]["uploadPortfolio"]
    assert payload["userErrors"] == [], payload
    return _uid(payload["job"]["id"])


async def upload_many(base: str, archive: bytes, count: int) -> list[str]:
    """Upload `count` portfolios, CONCURRENT_UPLOADS at a time; their job uids."""
    uids: list[str] = []
    left = iter(range(count))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            for _ in left:
                uids.append(await post_upload(http, archive))

    await asyncio.gather(*(client() for _ in range(CONCURRENT_UPLOADS)))
    return uids


def _uid(global_id: str) -> str:
    from graphql_api.schema import ids

    return ids.decode(global_id, "MiningJob")[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def latencies(url: str, uids: list[str]) -> list[float]:
    found = await rows(
        url,
        "SELECT extract(epoch FROM started_at - created_at) FROM mining_jobs "
        "WHERE uid = ANY(:uids) AND started_at IS NOT NULL",
        uids=uids,
    )
    return [float(row[0]) for row in found]


PARTS = """
SELECT extract(epoch FROM d.at - m.created_at), extract(epoch FROM s.at - d.at),
       extract(epoch FROM m.started_at - s.at)
  FROM mining_jobs m
  JOIN procrastinate_jobs j ON j.args->>'job_uid' = m.uid
  JOIN procrastinate_events d ON d.job_id = j.id AND d.type = 'deferred'
  JOIN LATERAL (SELECT min(at) AS at FROM procrastinate_events
                 WHERE job_id = j.id AND type = 'started') s ON true
 WHERE m.uid = ANY(:uids)
"""


async def latency_parts(url: str, uids: list[str]) -> str:
    """Where the idle latency goes: job row to deferred (the API's commit and defer),
    deferred to started (procrastinate: NOTIFY, fetch), started to the job's start (ours)."""
    found = await rows(url, PARTS, uids=uids)
    parts = [[float(row[i]) for row in found] for i in range(3)]
    names = ("row to deferred", "deferred to fetched", "fetched to job start")
    return ", ".join(
        f"{name} p50 {percentile(p, 0.5) * 1000:.0f} ms"
        for name, p in zip(names, parts, strict=True)
    )


async def throughput_run(
    procs: Processes, url: str, base: str, archive: bytes, workers: int, count: int, run: int
) -> dict[str, float]:
    procs.start_workers(workers, run)
    await until(url, "SELECT count(*) FROM procrastinate_workers", workers, 120)
    started = time.perf_counter()
    uids = await upload_many(base, archive, count)
    uploaded = time.perf_counter() - started
    done = "SELECT count(*) FROM mining_jobs WHERE finished_at IS NOT NULL AND uid = ANY(:uids)"
    await until(url, done, count, 1800, uids=uids)
    elapsed = time.perf_counter() - started
    succeeded = await scalar(
        url,
        "SELECT count(*) FROM mining_jobs WHERE status = 'succeeded' AND uid = ANY(:uids)",
        uids=uids,
    )
    lat = await latencies(url, uids)
    procs.stop_workers()
    await until(url, "SELECT count(*) FROM procrastinate_workers", 0, 60)
    return {
        "per_minute": count / elapsed * 60,
        "seconds": elapsed,
        "upload_seconds": uploaded,
        "succeeded": float(succeeded),
        "p50": percentile(lat, 0.5),
        "p99": percentile(lat, 0.99),
    }


async def idle_latency(
    procs: Processes, url: str, base: str, archive: bytes, jobs: int
) -> tuple[list[float], str]:
    procs.start_workers(1, 99)
    await until(url, "SELECT count(*) FROM procrastinate_workers", 1, 120)
    uids = []
    for _ in range(jobs):
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            uid = await post_upload(http, archive)
        uids.append(uid)
        done = "SELECT count(*) FROM mining_jobs WHERE uid = :uid AND finished_at IS NOT NULL"
        await until(url, done, 1, 120, uid=uid)
    procs.stop_workers()
    return await latencies(url, uids), await latency_parts(url, uids)


async def main() -> None:
    base_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", DEFAULT_URL
    )
    count = int(os.environ.get("BENCH_PORTFOLIOS", "200"))
    pairs = int(os.environ.get("BENCH_PAIRS", "2"))
    idle_jobs = int(os.environ.get("BENCH_IDLE_JOBS", "30"))
    admin_url = make_url(base_url)
    own = admin_url.set(database=f"{admin_url.database}_scale_bench_{uuid.uuid4().hex[:8]}")
    url = own.render_as_string(hide_password=False)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as folder:
        root = Path(folder)
        logs = Path(os.environ.get("BENCH_LOGS") or root)  # the processes' logs
        await asyncio.to_thread(logs.mkdir, parents=True, exist_ok=True)
        archive = small_portfolio(root / "src")
        env = {
            **os.environ,
            "DATA_DIR": str(root / "data"),
            "DATABASE_URL": url,
            "QUEUE": "postgres",
            "MINING_CONCURRENCY": "1",
            "MAX_ACTIVE_JOBS_PER_OWNER": str(count * 4),
            "RATE_LIMIT_UPLOADS": "",
            "RATE_LIMIT_MUTATIONS": "",
        }
        procs = Processes(env, logs)
        try:
            base = await procs.start_api()
            results: dict[int, list[dict[str, float]]] = {1: [], 2: []}
            run = 0
            for _ in range(pairs):
                for workers in (1, 2):
                    run += 1
                    result = await throughput_run(procs, url, base, archive, workers, count, run)
                    results[workers].append(result)
                    print(_line(run, workers, count, result), flush=True)
            idle, parts = await idle_latency(procs, url, base, archive, idle_jobs)
        finally:
            procs.stop()
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
            await admin.dispose()

    ratios = [
        two["per_minute"] / one["per_minute"]
        for one, two in zip(results[1], results[2], strict=True)
    ]
    print()
    print(f"procrastinate {_version()}, {count} small portfolios per run, {pairs} pairs (1, 2)")
    for workers in (1, 2):
        per_minute = [r["per_minute"] for r in results[workers]]
        print(
            f"  {workers} worker(s): {statistics.median(per_minute):.0f} portfolios/min "
            f"(runs: {', '.join(f'{v:.0f}' for v in per_minute)})"
        )
    print(
        f"  2 vs 1 workers, paired: x{statistics.median(ratios):.2f} "
        f"(pairs: {', '.join(f'x{r:.2f}' for r in ratios)})"
    )
    print(
        f"  enqueue-to-start, idle worker ({len(idle)} jobs one at a time): "
        f"p50 {percentile(idle, 0.5) * 1000:.0f} ms, p99 {percentile(idle, 0.99) * 1000:.0f} ms"
    )
    print(f"    ({parts})")
    print(f"  cores: {os.cpu_count()} (shared with the API, PostgreSQL and anything else running)")


def _line(run: int, workers: int, count: int, r: dict[str, float]) -> str:
    return (
        f"run {run}: {workers} worker(s): {r['per_minute']:.0f} portfolios/min ({count} in "
        f"{r['seconds']:.1f} s, uploads {r['upload_seconds']:.1f} s, {r['succeeded']:.0f} "
        f"succeeded); enqueue-to-start p50 {r['p50'] * 1000:.0f} ms, "
        f"p99 {r['p99'] * 1000:.0f} ms"
    )


def _version() -> str:
    from importlib.metadata import version

    return version("procrastinate")


if __name__ == "__main__":
    asyncio.run(main())
