"""`python -m bench.dashboard_bench`: the dashboard query, ours against Strawberry's own floor.

Ours: the real server (`python -m graphql_api.cli serve`, i.e. `artifact-miner serve`) on
loopback with a fresh DATA_DIR (SQLite), holding a portfolio mined through the real upload path
from generated repositories (several projects, many authors, manifests that give many skills).

The floor: the same query shape answered from plain Python objects (the very data our server
returned, checked equal) by a minimal Strawberry schema, served by the same uvicorn on loopback.

Load comes from `wrk` (installed with apt-get when missing) at 1 and 16 connections, in
interleaved pairs (each pair: ours and the floor at 1 connection, then both at 16, then ours
with WORKERS=N on the same DATA_DIR; every other pair in the reverse order) whose medians are
printed with the per-pair ratios: ours vs the floor, 16 vs 1 connection for each, and WORKERS=N
vs 1 at 16 connections. The same query is also timed in process (ASGI call, no socket) for
both, and the SQL statements of one dashboard query are counted on our app.

    python -m bench.dashboard_bench [--pairs 5] [--seconds 5] [--workers 2]

`--pairs 1` is a probe of about a minute (one run of each, no spread).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import dashboard_floor
from bench.ingest_bench import free_port, proc_status_mb
from bench.synth import CACHE, Spec, fast_import_stream
from mining.git.runner import HardenedGitRunner

ROOT = Path(__file__).resolve().parent.parent
USER = "dev0@example.com"
PROJECTS = 8
COMMITS = 1_500
# The dashboard of README.md ("Read the dashboard"), word for word.
DASHBOARD = (
    "{ portfolios(first: 5) { nodes { id name profile { firstActive lastActive seniority { level "
    "score } topSkills { name level proficiency } languagesByLines { name lines commits } } "
    "projects(first: 10, orderBy: RANKING) "
    "{ totalCount nodes { projectName rankingScore healthScore rankingComponents { name "
    "contribution } skills { nodes { skill { name } proficiency level evidence } } evidence { "
    "nodes { type content } } resumeItems { nodes { content } } userStats { nodes { sharePercent "
    "role } } } } } } }"
)
GOAL_P50 = 1.3  # ours / floor, at most
GOAL_THROUGHPUT = 0.8  # ours / floor at 16 connections, at least
GOAL_GROW = 1.0  # ours at 16 connections / ours at 1, at least: throughput must not fall
GOAL_WORKERS = 1.0  # ours at WORKERS=N / WORKERS=1, 16 connections, more than: grows with cores

# -- the portfolio ----------------------------------------------------------------------------

_PY_DEPS = ("django", "flask", "fastapi", "sqlalchemy", "pydantic", "celery", "numpy", "pandas",
            "requests", "redis", "httpx", "pytest", "mypy", "ruff", "alembic", "boto3")  # fmt: skip
_JS_DEPS = ("react", "express", "typescript", "jest", "webpack", "eslint", "redux", "axios",
            "next", "vite", "tailwindcss", "prettier", "graphql", "lodash")  # fmt: skip


def manifest_files(k: int) -> dict[str, str]:
    """Manifests and CI files for project k: a different mix of frameworks and tools each."""
    py = [d for i, d in enumerate(_PY_DEPS) if (i + k) % 3 != 0]
    js = [d for i, d in enumerate(_JS_DEPS) if (i + k) % 2 == 0]
    deps = ", ".join(f'"{d}>=1"' for d in py)
    package = {"name": f"web{k}", "dependencies": dict.fromkeys(js, "^1.0.0")}
    return {
        "pyproject.toml": f'[project]\nname = "proj{k}"\ndependencies = [{deps}]\n'
        "[tool.pytest.ini_options]\naddopts = '-q'\n[tool.ruff]\nline-length = 100\n",
        "web/package.json": json.dumps(package, indent=2) + "\n",
        "Dockerfile": "FROM python:3.12-slim\nRUN pip install .\n",
        ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: pytest\n",
        "tests/conftest.py": "import pytest\n",
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n  cache:\n"
        "    image: redis:7\n",
    }


def repository_stream(k: int) -> bytes:
    """fast-import(1) input: a first commit of manifests by the user, then synthetic history
    (bench.synth) with 30 + 10k authors; its first commit has no `from`, so it continues the
    main branch from the manifests commit."""
    when = 1_400_000_000
    head = (f"commit refs/heads/main\nmark :999999\nauthor Dev 0 <{USER}> {when} +0000\n"
            f"committer Dev 0 <{USER}> {when} +0000\ndata 10\nmanifests\n").encode()  # fmt: skip
    files = b"".join(
        b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data.encode()), data.encode())
        for path, data in manifest_files(k).items()
    )
    return head + files + b"\n" + fast_import_stream(Spec(COMMITS, authors=30 + 10 * k, seed=k))


def ensure_portfolio_zip() -> Path:
    """The portfolio ZIP (cached in bench/.cache): PROJECTS bare repositories."""
    path = CACHE / f"dashboard-portfolio-{PROJECTS}x{COMMITS}-v1.zip"
    if path.exists():
        return path
    work = Path(tempfile.mkdtemp(prefix="dashboard-repos-"))
    runner = HardenedGitRunner(timeout=600)
    try:

        async def build() -> None:
            for k in range(PROJECTS):
                repo = work / f"service-{k}.git"
                await runner.run(["init", "--bare", "--quiet", "--template=", str(repo)], cwd=work)
                await runner.run(["symbolic-ref", "HEAD", "refs/heads/main"], git_dir=repo)
                stream = repository_stream(k)
                await runner.run(["fast-import", "--quiet"], git_dir=repo, input=stream)

        asyncio.run(build())
        CACHE.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(work.rglob("*")):
                if file.is_file():
                    zf.write(file, f"portfolio/{file.relative_to(work)}")
        part.rename(path)
    finally:
        runner.close()
        shutil.rmtree(work, ignore_errors=True)
    return path


# -- servers ----------------------------------------------------------------------------------


class Server:
    """A uvicorn server in a subprocess on a free loopback port."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [*argv, "--port", str(self.port)],
                cwd=ROOT,
                env={**os.environ, **env, "PORT": str(self.port), "HOST": "127.0.0.1"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-2000:]}")
            try:
                httpx.get(self.base + path, timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f}s")

    def cpu_ms(self) -> float:
        """CPU (user + system) the server and its workers have used, in milliseconds."""
        ticks = 0
        for pid in (self.process.pid, *children(self.process.pid)):
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime: proc(5)
        return ticks * 1000 / os.sysconf("SC_CLK_TCK")

    def load(self, binary: str, script: Path, connections: int, seconds: int, timeout: int) -> Load:
        """A wrk run against this server, with the server's CPU per answer: unlike latency and
        throughput, it barely moves when other work shares the machine."""
        before = self.cpu_ms()
        result = wrk(binary, script, self.base, connections, seconds, timeout)
        answers = result.rps * seconds
        cpu = (self.cpu_ms() - before) / answers if answers else math.nan
        return dataclasses.replace(result, cpu_ms=cpu)

    def rss_mb(self, key: str = "VmHWM") -> float:
        """VmHWM (the peak) or VmRSS (now) of the server and its children (uvicorn workers)."""
        pids = [self.process.pid, *children(self.process.pid)]
        return sum(proc_status_mb(pid, key) for pid in pids)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def graphql(base: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables or {}},
                          timeout=120, headers={"apollo-require-preflight": "1"})  # fmt: skip
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body


def load_portfolio(base: str, archive: Path) -> None:
    """Upload the ZIP, start mining with the user's email, wait for the job to succeed."""
    with archive.open("rb") as f:
        headers = {"content-type": "application/zip", "x-filename": archive.name,
                   "apollo-require-preflight": "1"}  # fmt: skip
        upload = httpx.post(f"{base}/uploads", content=f.read(), headers=headers, timeout=300)
    upload_id = upload.raise_for_status().json()["uploadId"]
    mutation = (
        'mutation($ids: [String!]) { uploadPortfolio(uploadIds: $ids, name: "bench", '
        f'userEmails: ["{USER}"]) {{ job {{ id }} userErrors {{ code message }} }} }}'
    )
    payload = graphql(base, mutation, {"ids": [upload_id]})["data"]["uploadPortfolio"]
    if payload["userErrors"]:
        raise RuntimeError(f"upload refused: {payload['userErrors']}")
    job_query = "query($id: ID!) { job(id: $id) { status error repoErrors { code message } } }"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        job = graphql(base, job_query, {"id": payload["job"]["id"]})["data"]["job"]
        if job["status"] == "SUCCEEDED":
            return
        if job["status"] in {"PARTIAL", "FAILED", "CANCELLED"}:
            raise RuntimeError(f"mining job ended {job}")
        time.sleep(0.2)
    raise RuntimeError("mining took more than 10 minutes")


# -- load -------------------------------------------------------------------------------------

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = %s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "us": %%d, "errors": %%d, "p50": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float = math.nan  # the server's CPU (user + system, all its processes) per answer


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True, check=False).returncode:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
        subprocess.run(install, capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


def wrk(
    binary: str, script: Path, base: str, connections: int, seconds: int, timeout: int = 30
) -> Load:
    argv = [binary, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout}s",
            "-s", str(script), f"{base}/graphql"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    stats = json.loads(line[4:])
    if stats["errors"] or not stats["requests"]:
        print(f"  {base}, {connections} connections: {stats['errors']} errors (timeouts, 5xx), "
              f"{stats['requests']} answers")  # fmt: skip
    nan = float("nan")
    p50, p99 = (stats["p50"] / 1e3, stats["p99"] / 1e3) if stats["requests"] else (nan, nan)
    return Load(stats["requests"] / (stats["us"] / 1e6), p50, p99, stats["errors"])


# -- in process -------------------------------------------------------------------------------


async def asgi_post(app: Any, body: bytes) -> bytes:
    """One POST /graphql through an ASGI app, no socket and no HTTP client."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    }  # fmt: skip
    sent = False
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the client never disconnects
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return b"".join(chunks)


async def in_process(
    data_dir: Path, floor_data: dict[str, Any], pairs: int, n: int
) -> dict[str, Any]:
    """p50 of the query in process, ours vs the floor, interleaved; and our statement count."""
    from sqlalchemy import event

    from graphql_api.app import create_app
    from graphql_api.settings import Settings

    body = json.dumps({"query": DASHBOARD}).encode()
    ours = create_app(Settings(data_dir=data_dir))
    floor = dashboard_floor.app(floor_data)
    async with ours.router.lifespan_context(ours):
        engine = ours.state.app_state.ready().db.engine.sync_engine
        statements: list[str] = []

        def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        answer = await asgi_post(ours, body)  # this process's first: the profile is analysed
        cold = len(statements)
        statements.clear()
        await asgi_post(ours, body)
        event.remove(engine, "before_cursor_execute", record)
        if json.loads(answer)["data"] != json.loads(await asgi_post(floor, body))["data"]:
            raise RuntimeError("in process, the floor's answer differs from ours")
        times: dict[str, list[float]] = {"ours": [], "floor": []}
        for i in range(pairs * 2):
            name, app = (("ours", ours), ("floor", floor))[(i + i // 2) % 2]
            for _ in range(n):
                start = time.perf_counter()
                await asgi_post(app, body)
                times[name].append((time.perf_counter() - start) * 1e3)
    return {
        "statements": f"{len(statements)} (the first query of a process: {cold})",
        "ours": statistics.median(times["ours"]),
        "floor": statistics.median(times["floor"]),
    }


# -- the run ----------------------------------------------------------------------------------

CONNECTIONS = (1, 16)


@dataclass
class Runs:
    """Every run's figures by (server, connections); pair i's run of each at index i."""

    by: dict[tuple[str, int], list[Load]] = dataclasses.field(default_factory=dict)

    def med(self, key: tuple[str, int], pick: Callable[[Load], float]) -> float:
        return statistics.median(pick(x) for x in self.by[key])

    def ratios(
        self, a: tuple[str, int], b: tuple[str, int], pick: Callable[[Load], float]
    ) -> list[float]:
        pairs = zip(self.by[a], self.by[b], strict=True)
        return [pick(x) / pick(y) if pick(y) else math.nan for x, y in pairs]

    def ratio(self, a: tuple[str, int], b: tuple[str, int]) -> tuple[float, str]:
        """The median of the pairs' throughput ratios, and their spread."""
        values = self.ratios(a, b, rps)
        return statistics.median(values), f"{min(values):.2f}-{max(values):.2f}"


def rps(x: Load) -> float:
    return x.rps


def plan(scaled: str | None) -> list[tuple[str, int]]:
    """One pair's runs, in an order whose neighbours are the runs compared: ours and the floor
    at each count of connections, ours at 1 and 16, ours at WORKERS=1 and N."""
    runs = [("ours", 1), ("floor", 1), ("floor", 16), ("ours", 16)]
    return [*runs, (scaled, 16)] if scaled else runs


def interleaved(pairs: int, order: list[tuple[str, int]], run: Callable[[str, int], Load]) -> Runs:
    """`order` for even pairs, reversed for odd ones: no run always goes first, and the runs
    of a pair are a few seconds apart, so what else the machine does weighs on both sides."""
    result = Runs()
    for i in range(pairs):
        for key in order if i % 2 == 0 else order[::-1]:
            result.by.setdefault(key, []).append(run(*key))
    return result


def row(what: str, ours: float, floor: float, ratios: list[float], goal: str, unit: str) -> str:
    spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
    ratio = f"{statistics.median(ratios):.2f}x ({spread})"
    return f"| {what} | {ours:.1f} {unit} | {floor:.1f} {unit} | {ratio} | {goal} |"


FIGURES: list[tuple[str, Callable[[Load], float], str]] = [
    ("p50", lambda x: x.p50_ms, "ms"),
    ("p99", lambda x: x.p99_ms, "ms"),
    ("throughput", rps, "req/s"),
    ("server CPU per answer", lambda x: x.cpu_ms, "ms"),
]


def table(runs: Runs, inproc: dict[str, Any]) -> Iterator[str]:
    yield "| what | ours | floor | ratio, median (min-max of pairs) | goal |"
    yield "|---|---|---|---|---|"
    goals = {(1, "p50"): f"<= {GOAL_P50}x", (16, "throughput"): f">= {GOAL_THROUGHPUT}x"}
    for c in CONNECTIONS:
        ours, floor = ("ours", c), ("floor", c)
        for name, pick, unit in FIGURES:
            ratios = runs.ratios(ours, floor, pick)
            goal = goals.get((c, name), "")
            yield row(f"{c} conn {name}", runs.med(ours, pick), runs.med(floor, pick), ratios,
                      goal, unit)  # fmt: skip
    grow = {side: runs.ratio((side, 16), (side, 1)) for side in ("ours", "floor")}
    yield (f"| throughput, 16 vs 1 conn | {grow['ours'][0]:.2f}x ({grow['ours'][1]}) | "
           f"{grow['floor'][0]:.2f}x ({grow['floor'][1]}) | | ours >= {GOAL_GROW}x |")  # fmt: skip
    errors = {side: sum(x.errors for k, v in runs.by.items() if k[0] == side for x in v)
              for side in ("ours", "floor")}  # fmt: skip
    yield f"| errors (timeouts, 5xx) | {errors['ours']} | {errors['floor']} | | 0 |"
    ratio = inproc["ours"] / inproc["floor"]
    yield (f"| in process p50 | {inproc['ours']:.1f} ms | {inproc['floor']:.1f} ms | "
           f"{ratio:.2f}x | |")  # fmt: skip


def verdict(what: str, value: float, goal: str, ok: bool) -> str:
    return f"{what}: {value:.2f}x (goal {goal}): {'OK' if ok else 'NOT MET'}"


def verdicts(runs: Runs, scaled: str | None) -> Iterator[str]:
    p50 = statistics.median(runs.ratios(("ours", 1), ("floor", 1), lambda x: x.p50_ms))
    yield verdict("p50 at 1 connection, ours vs the floor", p50, f"<= {GOAL_P50}x",
                  p50 <= GOAL_P50)  # fmt: skip
    at16, _ = runs.ratio(("ours", 16), ("floor", 16))
    yield verdict("throughput at 16 connections, ours vs the floor", at16,
                  f">= {GOAL_THROUGHPUT}x", at16 >= GOAL_THROUGHPUT)  # fmt: skip
    ours, spread = runs.ratio(("ours", 16), ("ours", 1))
    floor, floor_spread = runs.ratio(("floor", 16), ("floor", 1))
    yield verdict(f"our throughput, 16 vs 1 connection ({spread} over the pairs; the floor's "
                  f"{floor:.2f}x, {floor_spread})", ours, f">= {GOAL_GROW}x, must not fall",
                  ours >= GOAL_GROW)  # fmt: skip
    if scaled:
        grow, spread = runs.ratio((scaled, 16), ("ours", 16))
        yield verdict(f"our throughput at 16 connections, {scaled} vs WORKERS=1 ({spread} over "
                      f"the pairs; {os.cpu_count()} cores, wrk on the same ones)", grow,
                      f"> {GOAL_WORKERS}x, grows with cores", grow > GOAL_WORKERS)  # fmt: skip


def start_ours(work: Path, workers: int) -> Server:
    env = {"DATA_DIR": str(work / "data"), "WORKERS": str(workers), "DATABASE_URL": ""}
    server = Server(f"WORKERS={workers}" if workers > 1 else "ours",
                    [sys.executable, "-m", "graphql_api.cli", "serve"], env,
                    work / f"ours-{workers}.log")  # fmt: skip
    server.wait_ready("/healthz")
    return server


def start_floor(work: Path, answer: dict[str, Any]) -> Server:
    data_file = work / "floor.json"
    data_file.write_text(json.dumps(answer["data"]))
    floor = Server("floor", [sys.executable, "-m", "bench.dashboard_floor", str(data_file)],
                   {}, work / "floor.log")  # fmt: skip
    floor.wait_ready("/graphql")
    if graphql(floor.base, DASHBOARD)["data"] != answer["data"]:
        raise RuntimeError("the floor's answer differs from ours")
    return floor


def measure(args: argparse.Namespace, binary: str, script: Path, servers: list[Server]) -> Runs:
    """The interleaved pairs of wrk runs. A warm-up (not counted) says how long one answer
    takes: each run is made long enough for tens of answers even when the machine is busy."""
    by_name = {s.name: s for s in servers}
    warm = [wrk(binary, script, s.base, 1, 3) for s in servers]
    serial = max(1 / w.rps if w.rps else 3.0 for w in warm)
    seconds = {c: max(args.seconds, math.ceil((30 + 2 * c) * serial)) for c in CONNECTIONS}
    timeout = {c: max(30, math.ceil(4 * c * serial)) for c in CONNECTIONS}  # behind c - 1
    scaled = servers[2].name if len(servers) > 2 else None
    order = plan(scaled)
    print(f"{args.pairs} interleaved pairs of wrk runs ({seconds[1]}s at 1 connection, "
          f"{seconds[16]}s at 16): {', '.join(f'{n} {c}' for n, c in order)}")  # fmt: skip

    def run(name: str, c: int) -> Load:
        return by_name[name].load(binary, script, c, seconds[c], timeout[c])

    return interleaved(args.pairs, order, run)


def run(args: argparse.Namespace) -> None:
    binary = ensure_wrk()
    archive = ensure_portfolio_zip()
    work = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    servers: list[Server] = []
    try:
        servers.append(start_ours(work, 1))
        ours = servers[0]
        started = time.perf_counter()
        load_portfolio(ours.base, archive)
        print(f"portfolio of {PROJECTS} x {COMMITS} commits mined in "
              f"{time.perf_counter() - started:.1f}s")  # fmt: skip
        answer = graphql(ours.base, DASHBOARD)
        describe(answer)
        servers.append(start_floor(work, answer))
        if args.workers > 1:  # the same DATA_DIR; ours (WORKERS=1) keeps running the jobs
            servers.append(start_ours(work, args.workers))
            if graphql(servers[2].base, DASHBOARD)["data"] != answer["data"]:
                raise RuntimeError(f"the answer of {servers[2].name} differs")
        script = work / "dashboard.lua"
        script.write_text(WRK_SCRIPT % json.dumps(json.dumps({"query": DASHBOARD})))
        inproc = asyncio.run(in_process(work / "data", answer["data"], args.pairs, 10))
        print(f"SQL statements per dashboard query: {inproc['statements']}")
        load = os.getloadavg()[0]
        runs = measure(args, binary, script, servers)
        print(f"\nmedians of the runs; floor: the same answer from plain objects in a minimal "
              f"Strawberry schema, uvicorn; load average {load:.2f} before the runs, "
              f"{os.getloadavg()[0]:.2f} after")  # fmt: skip
        print("\n".join(table(runs, inproc)))
        if len(servers) > 2:
            name = servers[2].name
            print(f"| 16 conn throughput, {name} | {runs.med((name, 16), rps):.1f} req/s | | "
                  f"{runs.ratio((name, 16), ('ours', 16))[0]:.2f}x of WORKERS=1 | "
                  f"> {GOAL_WORKERS}x |")  # fmt: skip
        # Our peak is the mining of the portfolio (the same process mined it); after the load
        # is what serving the dashboard holds.
        print(f"RSS after the load: ours {ours.rss_mb('VmRSS'):.0f} MB, floor "
              f"{servers[1].rss_mb('VmRSS'):.0f} MB; peak: ours {ours.rss_mb():.0f} MB (mining "
              f"the portfolio included), floor {servers[1].rss_mb():.0f} MB")  # fmt: skip
        print("\n".join(verdicts(runs, servers[2].name if len(servers) > 2 else None)))
    except BaseException:
        for s in servers:
            print(f"--- {s.name} log ---\n{s.log.read_text(errors='replace')[-1500:]}")
        raise
    finally:
        for s in servers:
            s.stop()
        if args.keep:
            print(f"kept {work} (data/, floor.json, server logs)")
        else:
            shutil.rmtree(work, ignore_errors=True)


def describe(answer: dict[str, Any]) -> None:
    nodes = answer["data"]["portfolios"]["nodes"]
    projects = [p for node in nodes for p in node["projects"]["nodes"]]
    skills = sum(len(p["skills"]["nodes"]) for p in projects)
    evidence = sum(len(p["evidence"]["nodes"]) for p in projects)
    size = len(json.dumps(answer))
    print(f"dashboard answer: {len(projects)} projects, {skills} skills, {evidence} evidence, "
          f"{size / 1e3:.0f} kB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs (>= 5; 1: a probe)")
    parser.add_argument("--seconds", type=int, default=5, help="shortest wrk run")
    parser.add_argument("--workers", type=int, default=2,
                        help="WORKERS of a second server of ours, set against WORKERS=1 at 16 "
                        "connections (1: none)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    run(parser.parse_args())


if __name__ == "__main__":
    main()
