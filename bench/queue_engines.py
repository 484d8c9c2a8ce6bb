"""Job engines side by side (`make bench-queues`): procrastinate (PostgreSQL) vs SAQ (Redis).

    python -m bench.queue_engines     # BENCH_PAIRS=3 BENCH_JOBS=200 BENCH_IDLE_JOBS=30

The same synthetic job on both (about 20 ms of CPU, its start and end written by the worker
to a file of its own), workers as real subprocesses (`worker_main(ENGINE)`), one job
at a time each, as `artifact-miner worker` runs them (WORKER_JOBS=1). PostgreSQL:
BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres@127.0.0.1:5432 (a fresh database of
its own, dropped at the end). Redis: BENCH_REDIS_URL, else redis://127.0.0.1:6379/7 (a queue
of a fresh name; its keys deleted at the end, nothing else touched).

Per engine and pair, the engines interleaved (A B A B ...):
1. enqueue-to-start on an idle worker: BENCH_IDLE_JOBS jobs one after the other, each the
   worker's start time minus the time just before the enqueue call;
2. throughput: BENCH_JOBS jobs enqueued at once, with 1 and 2 workers, from the first
   enqueue to the last job's end;
3. a worker killed: 2 workers, a job of KILL_JOB_SECONDS (asleep, so the worker's event loop
   stays free), the worker running it SIGKILLed 1 s into it; is it run again by the other
   worker, and how long after the kill. procrastinate with graphql_api/jobs/queue.py's
   settings (heartbeat every WORKER_HEARTBEAT_SECONDS, a job of a worker silent for
   WORKER_STALLED_SECONDS retried by the surviving worker's check every heartbeat); SAQ with
   the nearest equivalents (printed): the job touches itself every heartbeat, a job untouched
   for the stalled time is stuck, each worker sweeps every heartbeat, 2 attempts per job.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saq.types import Context

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
TASK = "bench_job"
QUEUE = "bench"
CPU_SECONDS = 0.020
KILL_JOB_SECONDS = 8.0
KILL_AFTER = 1.0
KILL_LIMIT = 180.0
ENGINES = ("procrastinate", "saq")
# A worker imports this module by its name (not as __main__: procrastinate's app is found so).
WORKER = "import sys; from bench.queue_engines import worker_main; worker_main(sys.argv[1])"


def _settings() -> tuple[float, float, float]:
    """The worker settings of graphql_api (heartbeat, stalled, shutdown seconds)."""
    from graphql_api.settings import Settings

    s = Settings.from_env({})
    return s.worker_heartbeat_seconds, s.worker_stalled_seconds, s.worker_shutdown_seconds


HEARTBEAT, STALLED, SHUTDOWN = _settings()


# --- the job, the same on both engines ---------------------------------------------------


def _record(*fields: object) -> None:
    """One line to this worker's own results file (unbuffered: a SIGKILL loses nothing)."""
    line = " ".join(str(f) for f in fields) + "\n"
    os.write(_RESULTS_FD, line.encode())


_RESULTS_FD = -1


async def body(job_id: str, kind: str, attempt: int) -> None:
    _record("start", job_id, f"{time.time():.6f}", os.getpid(), attempt)
    if kind == "long":
        await asyncio.sleep(KILL_JOB_SECONDS)
    elif kind == "warm":
        await asyncio.sleep(0.3)
    else:
        until = time.process_time() + CPU_SECONDS
        n = 0
        while time.process_time() < until:
            n += 1
    _record("end", job_id, f"{time.time():.6f}", os.getpid(), attempt)


# --- workers (subprocesses) --------------------------------------------------------------


def procrastinate_app(pg_url: str) -> Any:
    import procrastinate

    from graphql_api.jobs.pgbus import libpq_url

    connector = procrastinate.PsycopgConnector(conninfo=libpq_url(pg_url), min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)

    @app.task(name=TASK, queue=QUEUE, pass_context=True)
    async def bench_job(context: procrastinate.JobContext, job_id: str, kind: str) -> None:
        assert context.job is not None
        await body(job_id, kind, context.job.attempts + 1)

    return app


async def procrastinate_worker(pg_url: str) -> None:
    """As graphql_api.jobs.queue.running_worker and its stalled-job retry (`recover`)."""
    app = procrastinate_app(pg_url)
    async with app.open_async():

        async def recover() -> None:
            while True:
                await asyncio.sleep(HEARTBEAT)
                with contextlib.suppress(Exception):
                    for job in await app.job_manager.get_stalled_jobs(
                        task_name=TASK, seconds_since_heartbeat=STALLED
                    ):
                        with contextlib.suppress(Exception):
                            await app.job_manager.retry_job(job)

        stalled = asyncio.create_task(recover())
        _record("ready", os.getpid())
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=1,
                install_signal_handlers=True,
                update_heartbeat_interval=HEARTBEAT,
                stalled_worker_timeout=STALLED,
                fetch_job_polling_interval=5.0,
                abort_job_polling_interval=2.0,
                shutdown_graceful_timeout=SHUTDOWN,
            )
        finally:
            stalled.cancel()


SAQ_JOB = {"timeout": 0, "heartbeat": int(STALLED), "retries": 2}
SAQ_TIMERS = {"sweep": int(HEARTBEAT)}


async def saq_job(ctx: Context, *, job_id: str, kind: str) -> None:
    job = ctx["job"]
    assert job is not None

    async def touch() -> None:  # SAQ's heartbeat is the job's to give
        while True:
            await asyncio.sleep(HEARTBEAT)
            await job.update()

    toucher = asyncio.create_task(touch())
    try:
        await body(job_id, kind, job.attempts)
    finally:
        toucher.cancel()


saq_job.__qualname__ = saq_job.__name__ = TASK


async def saq_worker(redis_url: str, name: str) -> None:
    from saq import Queue, Worker

    queue = Queue.from_url(redis_url, name=name)
    worker = Worker(
        queue,
        functions=[saq_job],
        concurrency=1,
        timers=SAQ_TIMERS,  # type: ignore[arg-type]
        shutdown_grace_period_s=int(SHUTDOWN),
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(worker.stop()))
    _record("ready", os.getpid())
    await worker.start()


def worker_main(engine: str) -> None:
    global _RESULTS_FD
    path = Path(os.environ["BENCH_RESULTS"]) / f"{os.getpid()}.log"
    _RESULTS_FD = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    if engine == "procrastinate":
        asyncio.run(procrastinate_worker(os.environ["BENCH_PG_URL"]))
    else:
        asyncio.run(saq_worker(os.environ["BENCH_REDIS_URL"], os.environ["BENCH_SAQ_QUEUE"]))


# --- the coordinator ---------------------------------------------------------------------


@dataclass
class Records:
    starts: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    ends: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    ready: set[int] = field(default_factory=set)


def read_records(results: Path) -> Records:
    r = Records()
    for path in results.glob("*.log"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if parts[0] == "ready":
                r.ready.add(int(parts[1]))
            elif len(parts) == 5:
                target = r.starts if parts[0] == "start" else r.ends
                target.setdefault(parts[1], []).append((float(parts[2]), int(parts[3])))
    return r


async def wait_for(results: Path, test: Any, limit: float, step: float = 0.002) -> Records:
    async with asyncio.timeout(limit):
        while True:
            r = read_records(results)
            if test(r):
                return r
            await asyncio.sleep(step)


class Engine:
    name = ""

    def __init__(self, pg_url: str, redis_url: str, results: Path) -> None:
        self.pg_url, self.redis_url, self.results = pg_url, redis_url, results
        self.saq_name = f"{QUEUE}-{uuid.uuid4().hex[:8]}"
        self.workers: list[subprocess.Popen[bytes]] = []

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def enqueue(self, job_id: str, kind: str) -> None: ...
    def settings(self) -> str:
        return ""

    def start_workers(self, n: int) -> None:
        env = {
            **os.environ,
            "BENCH_RESULTS": str(self.results),
            "BENCH_PG_URL": self.pg_url,
            "BENCH_REDIS_URL": self.redis_url,
            "BENCH_SAQ_QUEUE": self.saq_name,
        }
        log = open(self.results.parent / f"{self.name}-workers.log", "ab")  # noqa: SIM115
        for _ in range(n):
            self.workers.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, self.name],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        log.close()

    async def ready(self, n: int) -> None:
        """Every worker up and taking jobs: warm-up jobs until each has run one."""
        pids = {w.pid for w in self.workers if w.poll() is None}
        await wait_for(self.results, lambda r: pids <= r.ready, 120, 0.05)
        while True:
            ids = [f"warm-{uuid.uuid4().hex}" for _ in range(n)]
            for job_id in ids:
                await self.enqueue(job_id, "warm")
            r = await wait_for(
                self.results, lambda r, ids=ids: all(i in r.ends for i in ids), 120, 0.05
            )
            ran = {pid for i in ids for _, pid in r.starts[i]}
            if pids <= ran or n == 1:
                return

    async def stop_workers(self) -> None:
        for w in self.workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in self.workers:
            try:
                w.wait(60)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
        self.workers = []


class Procrastinate(Engine):
    name = "procrastinate"

    async def open(self) -> None:
        self.app = procrastinate_app(self.pg_url)
        await self.app.open_async()

    async def close(self) -> None:
        await self.app.close_async()

    async def enqueue(self, job_id: str, kind: str) -> None:
        await self.app.configure_task(TASK, queue=QUEUE).defer_async(job_id=job_id, kind=kind)

    def settings(self) -> str:
        from importlib.metadata import version

        return (
            f"procrastinate {version('procrastinate')}: worker heartbeat every {HEARTBEAT:.0f} s, "
            f"a job of a worker silent {STALLED:.0f} s retried (checked every {HEARTBEAT:.0f} s "
            "by each worker), LISTEN/NOTIFY + polling every 5 s"
        )


class Saq(Engine):
    name = "saq"

    async def open(self) -> None:
        from saq import Queue

        self.queue = Queue.from_url(self.redis_url, name=self.saq_name)
        await self.queue.connect()

    async def close(self) -> None:
        redis = self.queue.redis  # type: ignore[attr-defined]
        async for key in redis.scan_iter(match=f"saq:{self.saq_name}:*"):
            await redis.delete(key)
        async for key in redis.scan_iter(match=f"saq:job:{self.saq_name}:*"):
            await redis.delete(key)
        await self.queue.disconnect()

    async def enqueue(self, job_id: str, kind: str) -> None:
        await self.queue.enqueue(TASK, job_id=job_id, kind=kind, **SAQ_JOB)

    def settings(self) -> str:
        from importlib.metadata import version

        return (
            f"saq {version('saq')} (redis-py {version('redis')}): job timeout "
            f"{SAQ_JOB['timeout']} (off), heartbeat {SAQ_JOB['heartbeat']} s (the job touches "
            f"itself every {HEARTBEAT:.0f} s), retries {SAQ_JOB['retries']} (attempts), sweep "
            f"every {SAQ_TIMERS['sweep']} s, blocking dequeue (BLMOVE)"
        )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def idle_latency(engine: Engine, count: int) -> list[float]:
    engine.start_workers(1)
    await engine.ready(1)
    out: list[float] = []
    for _ in range(count):
        job_id = f"idle-{uuid.uuid4().hex}"
        sent = time.time()
        await engine.enqueue(job_id, "cpu")
        r = await wait_for(engine.results, lambda r, job_id=job_id: job_id in r.ends, 60)
        out.append(r.starts[job_id][0][0] - sent)
        await asyncio.sleep(0.05)
    await engine.stop_workers()
    return out


async def throughput(engine: Engine, workers: int, count: int) -> dict[str, float]:
    engine.start_workers(workers)
    await engine.ready(workers)
    ids = [f"tp-{uuid.uuid4().hex}" for _ in range(count)]
    first = time.time()
    for job_id in ids:
        await engine.enqueue(job_id, "cpu")
    enqueued = time.time() - first
    r = await wait_for(engine.results, lambda r: all(i in r.ends for i in ids), 600, 0.05)
    last = max(r.ends[i][0][0] for i in ids)
    await engine.stop_workers()
    return {"per_minute": count / (last - first) * 60, "seconds": last - first, "enq": enqueued}


async def kill_test(engine: Engine) -> dict[str, Any]:
    engine.start_workers(2)
    await engine.ready(2)
    job_id = f"kill-{uuid.uuid4().hex}"
    await engine.enqueue(job_id, "long")
    r = await wait_for(engine.results, lambda r: job_id in r.starts, 60)
    started, victim = r.starts[job_id][0]
    await asyncio.sleep(max(0.0, started + KILL_AFTER - time.time()))
    os.kill(victim, signal.SIGKILL)
    killed = time.time()
    result: dict[str, Any] = {"rerun": None, "ended": None, "runs": 1}
    with contextlib.suppress(TimeoutError):
        r = await wait_for(engine.results, lambda r: job_id in r.ends, KILL_LIMIT, 0.05)
        again = [(t, pid) for t, pid in r.starts[job_id] if pid != victim]
        result["rerun"] = again[0][0] - killed if again else None
        result["ended"] = r.ends[job_id][0][0] - killed
    r = read_records(engine.results)
    result["runs"] = len(r.starts.get(job_id, []))
    result["ends"] = len(r.ends.get(job_id, []))
    await engine.stop_workers()
    return result


async def create_database(url: str) -> tuple[str, Any]:
    from sqlalchemy import make_url, text

    from graphql_api.db.engine import create_engine

    base = make_url(url)
    own = base.set(database=f"queue_bench_{uuid.uuid4().hex[:8]}")
    admin = create_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    await admin.dispose()

    async def drop() -> None:
        admin = create_engine(
            base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
        )
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        await admin.dispose()

    return own.render_as_string(hide_password=False), drop


async def main() -> None:
    pairs = int(os.environ.get("BENCH_PAIRS", "3"))
    count = int(os.environ.get("BENCH_JOBS", "200"))
    idle_count = int(os.environ.get("BENCH_IDLE_JOBS", "30"))
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    pg_url, drop = await create_database(base or DEFAULT_PG)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    idle: dict[str, list[float]] = {e: [] for e in ENGINES}
    tput: dict[tuple[str, int], list[float]] = {(e, n): [] for e in ENGINES for n in (1, 2)}
    kills: dict[str, list[dict[str, Any]]] = {e: [] for e in ENGINES}
    with tempfile.TemporaryDirectory(prefix="queue-bench-") as tmp:
        results = Path(tmp) / "records"
        results.mkdir()
        pg, sq = Procrastinate(pg_url, redis_url, results), Saq(pg_url, redis_url, results)
        engines: dict[str, Engine] = {"procrastinate": pg, "saq": sq}
        try:
            await engines["procrastinate"].open()
            await pg.app.schema_manager.apply_schema_async()
            await engines["saq"].open()
            for e in engines.values():
                print(e.settings())
            print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start")
            for pair in range(1, pairs + 1):
                for name, e in engines.items():
                    lat = await idle_latency(e, idle_count)
                    idle[name] += lat
                    line = (
                        f"pair {pair} {name:13}: idle enqueue-to-start p50 "
                        f"{percentile(lat, 0.5) * 1000:.1f} ms p99 "
                        f"{percentile(lat, 0.99) * 1000:.1f} ms"
                    )
                    for n in (1, 2):
                        t = await throughput(e, n, count)
                        tput[(name, n)].append(t["per_minute"])
                        line += (
                            f"; {n} worker(s) {t['per_minute']:.0f} jobs/min "
                            f"({t['seconds']:.2f} s, enqueue {t['enq']:.2f} s)"
                        )
                    k = await kill_test(e)
                    kills[name].append(k)
                    line += f"; kill: {_kill(k)}"
                    print(line, flush=True)
        finally:
            for e in engines.values():
                await e.stop_workers()
            with contextlib.suppress(Exception):
                await engines["procrastinate"].close()
            with contextlib.suppress(Exception):
                await engines["saq"].close()
            await drop()

    print()
    print(
        f"{pairs} pairs, interleaved (procrastinate, saq, ...); {count} jobs of "
        f"{CPU_SECONDS * 1000:.0f} ms CPU per throughput run"
    )
    for name in ENGINES:
        print(
            f"  {name:13}: idle enqueue-to-start ({len(idle[name])} jobs one at a time) "
            f"p50 {percentile(idle[name], 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(idle[name], 0.99) * 1000:.1f} ms"
        )
        for n in (1, 2):
            v = tput[(name, n)]
            print(
                f"  {name:13}: {n} worker(s) {statistics.median(v):.0f} jobs/min "
                f"(runs: {', '.join(f'{x:.0f}' for x in v)})"
            )
        print(f"  {name:13}: worker killed: {'; '.join(_kill(k) for k in kills[name])}")
    for n in (1, 2):
        ratios = [s / p for p, s in zip(tput[("procrastinate", n)], tput[("saq", n)], strict=True)]
        print(
            f"  saq vs procrastinate, {n} worker(s), paired: x{statistics.median(ratios):.2f} "
            f"(pairs: {', '.join(f'x{r:.2f}' for r in ratios)})"
        )
    for name in ENGINES:
        ratios = [b / a for a, b in zip(tput[(name, 1)], tput[(name, 2)], strict=True)]
        print(
            f"  {name:13}: 2 vs 1 workers, paired: x{statistics.median(ratios):.2f} "
            f"(pairs: {', '.join(f'x{r:.2f}' for r in ratios)})"
        )


def _kill(k: dict[str, Any]) -> str:
    if k["rerun"] is None:
        return f"not run again within {KILL_LIMIT:.0f} s ({k['runs']} start(s))"
    return (
        f"run again {k['rerun']:.1f} s after the kill, done at {k['ended']:.1f} s "
        f"({k['runs']} starts, {k['ends']} end)"
    )


if __name__ == "__main__":
    from bench import queue_engines  # the module by its name, as in the workers

    asyncio.run(queue_engines.main())
