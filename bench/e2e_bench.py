"""End to end: a portfolio ZIP uploaded to the real server until its final ranking, against
`unzip` plus the floor passes of its repositories run two at a time; and /healthz meanwhile.

    BENCH_REPOS=~/clones python -m bench.e2e_bench      # part of `make bench`

The portfolio is the clones named by BENCH_E2E (default "flask,requests") found in
$BENCH_REPOS (bare `NAME.git` or work trees `NAME/`), zipped once into bench/.cache/ (STORED:
packs do not deflate). The server is the real one, `python -m graphql_api.cli serve` (uvicorn
on loopback, SQLite in a fresh DATA_DIR, default settings), started once for all runs.

* ours: from the first byte of `POST /uploads` (the raw ZIP) through `uploadPortfolio(uploadIds:)`
  (which extracts it) to the `rankingProgress` event that says `final` with a ranking of every
  repository, over a graphql-transport-ws subscription (pushed: no polling interval in the
  figure);
* floor: `unzip -q` of the same ZIP, then `git log --numstat --no-renames -z HEAD` of each
  extracted repository, two at a time (in parallel: a 2-core machine has two to give);

paired and interleaved (ours, floor, ours, floor ...), BENCH_PAIRS pairs (default 5); the figure
is the per-pair ratio ours / floor: median and range. Goal <= 1.1x.

While ours runs, a process of its own (bench/healthz_probe.py) asks GET /healthz every
HEALTH_INTERVAL seconds on a keep-alive connection: p50, p99 and max latency over every run.
Goals p99 <= 10 ms, max <= 50 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.ingest_bench import CACHE, ROOT, Server

RATIO_GOAL = 1.1
P99_GOAL_MS = 10.0
MAX_GOAL_MS = 50.0
HEALTH_INTERVAL = 0.02

UPLOAD = """
mutation Upload($ids: [String!]) {
  uploadPortfolio(uploadIds: $ids, name: "e2e bench", userEmails: ["dev@example.com"]) {
    portfolio { id }
    job { id }
    userErrors { code message }
  }
}
"""
PROGRESS = """
subscription Progress($id: ID!) {
  rankingProgress(portfolioId: $id) { final status ranking { position name score } }
}
"""


# -- the portfolio ------------------------------------------------------------------------------


def clones(names: list[str], where: Path) -> list[Path]:
    """The clones called NAME.git or NAME in `where`, in the order named; missing ones raise."""
    found = []
    for name in names:
        candidates = [where / f"{name}.git", where / name]
        path = next((p for p in candidates if p.is_dir()), None)
        if path is None:
            raise FileNotFoundError(f"no clone of {name} in {where} (looked for {candidates})")
        found.append(path)
    return found


def ensure_zip(repos: list[Path]) -> Path:
    """bench/.cache/e2e-<names>.zip: each repository under its own directory name, its empty
    directories included (git needs `refs/` to see a repository)."""
    path = CACHE / f"e2e-{'-'.join(r.name.removesuffix('.git') for r in repos)}.zip"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as archive:
        for repo in repos:
            for file in sorted(repo.rglob("*")):
                if file.is_symlink():
                    continue
                name = f"{repo.name}/{file.relative_to(repo).as_posix()}"
                archive.write(file, name + "/" if file.is_dir() else name)
    part.rename(path)
    return path


def git_dirs(root: Path) -> list[Path]:
    """The repositories an extracted portfolio holds (bare, or a work tree's .git)."""
    found = []
    for top in sorted(root.iterdir()):
        found.append(top / ".git" if (top / ".git").is_dir() else top)
    return found


# -- the floor --------------------------------------------------------------------------------


def floor_seconds(archive: Path) -> float:
    """unzip, then the floor pass of each repository, two at a time."""
    target = Path(tempfile.mkdtemp(prefix="e2e-bench-floor-"))
    try:
        started = time.perf_counter()
        subprocess.run(["unzip", "-q", str(archive), "-d", str(target)], check=True)
        pending = git_dirs(target)
        while pending:
            pair, pending = pending[:2], pending[2:]
            running = [
                subprocess.Popen(
                    ["git", f"--git-dir={d}", "log", "--numstat", "--no-renames", "-z", "HEAD"],
                    stdout=subprocess.DEVNULL,
                )
                for d in pair
            ]
            for process in running:
                if process.wait() != 0:
                    raise RuntimeError(f"git log failed: {process.args!r}")
        return time.perf_counter() - started
    finally:
        shutil.rmtree(target, ignore_errors=True)


# -- ours -------------------------------------------------------------------------------------


class HealthProbe:
    """GET /healthz every `interval` seconds from a process of its own (bench/healthz_probe.py),
    latencies in milliseconds of the requests started inside a `measuring()` window."""

    def __init__(self, base: str, interval: float = HEALTH_INTERVAL) -> None:
        self.base, self.interval = base, interval
        self.windows: list[tuple[float, float]] = []
        self.latencies: list[float] = []
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> HealthProbe:
        command = [sys.executable, "-m", "bench.healthz_probe", self.base, str(self.interval)]
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None
        out, _ = self._process.communicate()  # closes its stdin: it stops and prints
        if self._process.returncode != 0:
            raise RuntimeError(f"the /healthz probe failed ({self._process.returncode})")
        for line in out.splitlines():
            at, ms = map(float, line.split())
            if any(start <= at < end for start, end in self.windows):
                self.latencies.append(ms)

    @contextmanager
    def measuring(self) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.windows.append((start, time.monotonic()))


async def ours_seconds(base: str, body: bytes, repositories: int) -> float:
    """Upload to final ranking: POST /uploads (the ZIP's bytes, read before the clock starts),
    uploadPortfolio, then the subscription's final event."""
    headers = {
        "content-type": "application/zip",
        "apollo-require-preflight": "true",
        "x-filename": "portfolio.zip",
    }
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        await client.get("/healthz")  # connected before the clock starts
        started = time.perf_counter()
        response = await client.post("/uploads", content=body, headers=headers)
        upload_id = response.raise_for_status().json()["uploadId"]
        payload = await _graphql(client, UPLOAD, {"ids": [upload_id]})
        payload = payload["uploadPortfolio"]
        if payload["userErrors"] or payload["job"] is None:
            raise RuntimeError(f"uploadPortfolio refused the portfolio: {payload['userErrors']}")
        final = await _final(base, payload["portfolio"]["id"])
        took = time.perf_counter() - started
    if final["status"] != "SUCCEEDED" or len(final["ranking"]) != repositories:
        raise RuntimeError(f"the job ended {final['status']} with ranking {final['ranking']}")
    return took


async def _graphql(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.raise_for_status().json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"]


async def _final(base: str, portfolio_id: str) -> dict[str, Any]:
    """The first `final` rankingProgress event (the subscription sends the current state first,
    so one that ended before we subscribed is seen too)."""
    url = base.replace("http", "ws", 1) + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()  # connection_ack
        request = {"query": PROGRESS, "variables": {"id": portfolio_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": request}))
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] != "next" or "errors" in message["payload"]:
                raise RuntimeError(f"unexpected subscription message: {message}")
            elif (event := message["payload"]["data"]["rankingProgress"])["final"]:
                return dict(event)


# -- the run ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run() -> None:
    names = os.environ.get("BENCH_E2E", "flask,requests").split(",")
    where = os.environ.get("BENCH_REPOS")
    print(f"end to end: a portfolio of {' + '.join(names)}, upload to final ranking over the "
          "server, against unzip + the floor passes two at a time")  # fmt: skip
    if not where:
        print("  skipped: set BENCH_REPOS to a directory holding those clones")
        return
    if shutil.which("unzip") is None:
        print("  skipped: unzip is not installed")
        return
    repos = clones(names, Path(where))
    archive = ensure_zip(repos)
    pairs = int(os.environ.get("BENCH_PAIRS", "5"))
    work = Path(tempfile.mkdtemp(prefix="e2e-bench-"))
    server = Server(work)
    try:
        server.wait_healthy()
        with HealthProbe(server.base) as probe:
            ours, floor = _paired(server.base, archive, len(repos), pairs, probe)
    except BaseException:
        print(f"--- server log (last lines) ---\n{server.log_tail()}\n---")
        raise
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    _report(archive, pairs, ours, floor, probe.latencies)


def _paired(
    base: str, archive: Path, repositories: int, pairs: int, probe: HealthProbe
) -> tuple[list[float], list[float]]:
    body = archive.read_bytes()
    asyncio.run(ours_seconds(base, body, repositories))  # warm the caches for both
    floor_seconds(archive)
    ours, floor = [], []
    for _ in range(pairs):
        with probe.measuring():
            ours.append(asyncio.run(ours_seconds(base, body, repositories)))
        floor.append(floor_seconds(archive))
    return ours, floor


def _report(
    archive: Path, pairs: int, ours: list[float], floor: list[float], latencies: list[float]
) -> None:
    ratios = [o / f for o, f in zip(ours, floor, strict=True)]
    ratio = statistics.median(ratios)
    size = archive.stat().st_size / 1e6
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  {archive.name} ({size:.0f} MB), {pairs} interleaved pairs, load average {load}")
    print(f"  ours {statistics.median(ours):.2f}s  floor {statistics.median(floor):.2f}s  "
          f"ratio {ratio:.2f}x ({min(ratios):.2f}-{max(ratios):.2f}x)  "
          f"goal <= {RATIO_GOAL}x: {_verdict(ratio <= RATIO_GOAL)}")  # fmt: skip
    if not latencies:
        print("  /healthz: no sample")
        return
    p50, p99, worst = percentile(latencies, 0.5), percentile(latencies, 0.99), max(latencies)
    print(f"  /healthz during it ({len(latencies)} requests, one every "
          f"{HEALTH_INTERVAL * 1000:.0f} ms): p50 {p50:.1f} ms, p99 {p99:.1f} ms "
          f"(goal <= {P99_GOAL_MS:.0f}: {_verdict(p99 <= P99_GOAL_MS)}), max {worst:.1f} ms "
          f"(goal <= {MAX_GOAL_MS:.0f}: {_verdict(worst <= MAX_GOAL_MS)})")  # fmt: skip


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    run()
