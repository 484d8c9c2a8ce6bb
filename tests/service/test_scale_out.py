"""Scale-out (QUEUE=postgres): 2 API processes and 2 mining workers as real subprocesses, on
PostgreSQL, sharing one DATA_DIR (the upload store), coordinating through the database only.

20 portfolios are uploaded through both APIs while no worker runs; subscriptions on API 1 see
each job's snapshot (so each is listening), then the workers start. Every subscription sees
every event of its job, whichever worker mines it; one worker is SIGKILLed mid-job, and that
job is retried by the other (stalled-job recovery) and finishes once, with the right results;
procrastinate's event log shows no portfolio's job ever running twice at once."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from graphql_api.db.engine import create_engine
from graphql_api.schema import ids
from tests.conftest import PG_URL
from tests.mining.repo_builder import Repo
from tests.processes import Server, Worker, cli_env, fresh_database, run_cli
from tests.service.flows import ADA, DAY, T0, synthetic_repo, upload
from tests.service.live import Subscription, zip_folder

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]

PORTFOLIOS = 20
KILLED = 9  # the portfolio whose worker is killed: a larger one, so the kill lands mid-job
PROGRESS = """subscription($id: ID!) { rankingProgress(portfolioId: $id) {
  kind jobId status stage completed total repository final } }"""
CANCEL = """mutation($id: ID!) { cancelJob(id: $id) { job { id } userErrors { code } } }"""
CREATE = """mutation { createPortfolio(userEmails: ["ada@example.com"]) { portfolio { id } } }"""

Event = dict[str, Any]


def _portfolio(root: Path, home: Path, n: int) -> tuple[bytes, dict[str, int]]:
    """Portfolio n: its ZIP and the commits of each of its repositories."""
    repos = 6 if n == KILLED else 1 + n % 2
    expected = {}
    for r in range(repos):
        name = f"p{n}r{r}"
        repo = Repo(root / str(n) / name, home)
        commits = 4 if n == KILLED else 1 + (n + r) % 3
        for c in range(commits):
            repo.write(f"src/m{c}.py", f"VALUE = {c}\n" * (3 + r))
            repo.commit(f"change {c}", author=ADA, when=T0 + c * DAY)
        expected[name] = commits
    return zip_folder(root / str(n)), expected


async def _sql(url: str, query: str, **params: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            return list((await conn.execute(text(query), params)).all())
    finally:
        await engine.dispose()


async def _follow(
    subscription: Subscription, first: Event, killed: asyncio.Future[str] | None
) -> list[Event]:
    """Every event after the snapshot until the final one; for the killed portfolio, resolve
    `killed` with its job id at its first repository."""
    events = [first]
    while (data := await subscription.next()) is not None:
        event: Event = data["rankingProgress"]
        events.append(event)
        if killed is not None and not killed.done() and event["kind"] == "REPOSITORY":
            killed.set_result(event["jobId"])
        if event["final"]:
            break
    return events


def _one_attempt(events: list[Event]) -> list[tuple[str, str]]:
    """What one clean run of a job sends, as (kind, stage)."""
    return [(e["kind"], e["stage"]) for e in events]


def _expected_run(repositories: int) -> list[tuple[str, str]]:
    return [
        ("STAGE", "DISCOVERING"),
        ("STAGE", "MINING"),
        *[("REPOSITORY", "MINING")] * repositories,
        ("STAGE", "RANKING"),
        ("STAGE", "SAVING"),
        ("RANKING", "DONE"),
    ]


def _never_twice_at_once(rows: list[Any]) -> None:
    """procrastinate's events (job, lock, type), in order: a job of a lock starts only when
    no other job of that lock is running (a retried or ended one has stopped)."""
    running: dict[str, int] = {}
    for job_id, lock, kind in rows:
        if kind == "started":
            assert lock not in running, f"{lock}: job {job_id} started while {running[lock]} ran"
            running[lock] = job_id
        elif kind in {"succeeded", "failed", "aborted", "deferred_for_retry"}:
            assert running.pop(lock, None) == job_id, (lock, job_id, kind)


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
async def test_two_apis_two_workers_one_killed_every_job_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    portfolios = [_portfolio(tmp_path / "src", home, n) for n in range(PORTFOLIOS)]

    async with fresh_database("postgresql", PG_URL, tmp_path) as url:
        env = cli_env(
            tmp_path / "data",  # one DATA_DIR: the upload store every process shares
            url,
            QUEUE="postgres",
            MINING_CONCURRENCY="1",
            MAX_ACTIVE_JOBS_PER_OWNER=str(PORTFOLIOS),
            RATE_LIMIT_UPLOADS="",
            RATE_LIMIT_MUTATIONS="",
            WORKER_HEARTBEAT_SECONDS="0.5",
            WORKER_STALLED_SECONDS="3",
        )
        code, output = await run_cli(env, "migrate")
        assert code == 0, output
        apis = [Server(env, tmp_path / f"api{i}.log") for i in (1, 2)]
        for api in apis:
            await api.start()
        workers: list[Worker] = []
        try:
            await asyncio.gather(*(api.healthy() for api in apis))
            api1 = apis[0]

            # Upload every portfolio (alternating APIs) while no worker runs: all queue up.
            pids, jobs = [], []
            async with (
                httpx.AsyncClient(base_url=api1.url, timeout=60) as http1,
                httpx.AsyncClient(base_url=apis[1].url, timeout=60) as http2,
            ):
                for n, (archive, _) in enumerate(portfolios):
                    created = (await http1.post("/graphql", json={"query": CREATE})).json()
                    pid = created["data"]["createPortfolio"]["portfolio"]["id"]
                    sent = await upload(http1 if n % 2 == 0 else http2, archive, pid)
                    assert sent["userErrors"] == [], sent
                    pids.append(pid)
                    jobs.append(sent["job"]["id"])

            async with contextlib.AsyncExitStack() as stack:
                subscriptions = [
                    await stack.enter_async_context(
                        Subscription.open(api1.url, PROGRESS, {"id": pid})
                    )
                    for pid in pids
                ]
                snapshots = [(await s.next() or {})["rankingProgress"] for s in subscriptions]
                assert {(e["kind"], e["status"]) for e in snapshots} == {("SNAPSHOT", "QUEUED")}

                killed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
                follow = [
                    asyncio.create_task(_follow(s, first, killed if n == KILLED else None))
                    for n, (s, first) in enumerate(zip(subscriptions, snapshots, strict=True))
                ]
                workers = [await Worker(env, tmp_path / f"worker{i}.log").start() for i in (1, 2)]
                async with asyncio.timeout(90):
                    job_id = await killed
                    _, uid = ids.decode(job_id, "MiningJob")
                    [(worker,)] = await _sql(
                        url, "SELECT worker FROM mining_jobs WHERE uid = :uid", uid=uid
                    )
                    [victim] = [w for w in workers if worker.endswith(f":{w.pid}")]
                    await victim.kill()
                    seen = await asyncio.gather(*follow)

            # Every job: succeeded, its events all seen on API 1, once each.
            for n, events in enumerate(seen):
                repositories = len(portfolios[n][1])
                final = events[-1]
                assert (final["kind"], final["status"], final["final"]) == (
                    "RANKING",
                    "SUCCEEDED",
                    True,
                ), (n, events)
                assert [e["jobId"] for e in events] == [jobs[n]] * len(events)
                run = _one_attempt(events[1:])
                if n != KILLED:
                    assert run == _expected_run(repositories), (n, events)
                else:  # the dead worker's start, cut short, then the whole run elsewhere
                    restart = len(run) - len(_expected_run(repositories))
                    assert restart >= 3, events  # at least discovering, mining, a repository
                    assert run[restart:] == _expected_run(repositories), events
                    assert run[:3] == _expected_run(repositories)[:3], events

            # Results: each portfolio's projects with their commits, one ranking, one row each.
            for n, pid in enumerate(pids):
                _, portfolio_id = ids.decode(pid, "Portfolio")
                rows = await _sql(
                    url,
                    "SELECT project_name, total_commits, ranking_position FROM repo_stats "
                    "WHERE portfolio_id = :pid",
                    pid=portfolio_id,
                )
                assert {r[0]: r[1] for r in rows} == portfolios[n][1], (n, rows)
                assert sorted(r[2] for r in rows) == list(range(1, len(rows) + 1)), rows
            attempts = await _sql(url, "SELECT uid, attempts, worker FROM mining_jobs")
            by_uid = {row[0]: row for row in attempts}
            decoded = [ids.decode(j, "MiningJob")[1] for j in jobs]
            assert [by_uid[u][1] for u in decoded] == [2 if n == KILLED else 1 for n in range(20)]
            ran = {by_uid[u][2] for n, u in enumerate(decoded) if n != KILLED}
            assert len(ran) == 2, ran  # both workers mined jobs to their end
            assert by_uid[decoded[KILLED]][2] != worker  # finished by the survivor

            events = await _sql(
                url,
                "SELECT e.job_id, j.lock, e.type::text FROM procrastinate_events e "
                "JOIN procrastinate_jobs j ON j.id = e.job_id ORDER BY e.at, e.id",
            )
            _never_twice_at_once(events)
            statuses = await _sql(
                url, "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1"
            )
            assert dict(statuses) == {"succeeded": PORTFOLIOS}
        finally:
            for w in workers:
                if w.process is not None and w.process.returncode is None:
                    assert await w.stop() == 0, w.log.read_text()[-3000:]
            for api in apis:
                await api.stop()


def _git_children(pid: int) -> list[int]:
    """git processes whose parent is `pid` (a worker's mining)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            command, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1]
            if command == "git" and int(rest.split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def _git_reaped(pid: int) -> None:
    """Killed git processes are reaped as the worker's tasks unwind, which may end a moment
    after the job's final event: wait for it, boundedly."""
    for _ in range(200):  # 10 s at most
        if not _git_children(pid):
            return
        await asyncio.sleep(0.05)  # a process's end cannot be awaited from outside its parent
    raise AssertionError(f"git processes still running: {_git_children(pid)}")


async def _engine_status_settled(url: str) -> str:
    """The job's status in procrastinate once it has left `doing`: the engine records the
    task's end after the task returns, which may be a moment after the job's final event (as
    with _git_reaped, boundedly; another process's row change cannot be awaited here)."""
    for _ in range(200):  # 10 s at most
        [(status,)] = await _sql(url, "SELECT status::text FROM procrastinate_jobs")
        if status != "doing":
            return str(status)
        await asyncio.sleep(0.05)
    raise AssertionError("the engine still has the job as doing")


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
async def test_cancel_job_on_the_api_stops_the_job_and_its_git_in_the_worker(
    tmp_path: Path,
) -> None:
    for n in range(4):
        synthetic_repo(tmp_path / "src" / f"big{n}", 4000)
    archive = zip_folder(tmp_path / "src")
    async with fresh_database("postgresql", PG_URL, tmp_path) as url:
        env = cli_env(tmp_path / "data", url, QUEUE="postgres", MINING_CONCURRENCY="2")
        code, output = await run_cli(env, "migrate")
        assert code == 0, output
        api = await Server(env, tmp_path / "api.log").start()
        worker = await Worker(env, tmp_path / "worker.log").start()
        try:
            await api.healthy()
            async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
                sent = await upload(http, archive)
                pid = sent["portfolio"]["id"]
                async with Subscription.open(api.url, PROGRESS, {"id": pid}) as subscription:
                    while (data := await subscription.next()) is not None:
                        if data["rankingProgress"]["stage"] == "MINING":
                            break  # the worker runs git now
                    response = await http.post(
                        "/graphql", json={"query": CANCEL, "variables": {"id": sent["job"]["id"]}}
                    )
                    assert response.json()["data"]["cancelJob"]["userErrors"] == []
                    last: Event = {}
                    while (data := await subscription.next()) is not None:
                        last = data["rankingProgress"]
            assert (last["status"], last["stage"], last["final"]) == (
                "CANCELLED",
                "CANCELLED",
                True,
            )
            assert last["completed"] < last["total"]  # stopped mid-job, not run to its end
            await _git_reaped(worker.pid)
            # the engine's abort reached the worker's task
            assert await _engine_status_settled(url) == "aborted"
        finally:
            assert await worker.stop() == 0, worker.log.read_text()[-3000:]
            await api.stop()


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
async def test_a_job_whose_api_died_before_deferring_it_is_deferred_by_a_worker(
    tmp_path: Path,
) -> None:
    archive, expected = _portfolio(tmp_path / "src", tmp_path / "home", 0)
    async with fresh_database("postgresql", PG_URL, tmp_path) as url:
        env = cli_env(
            tmp_path / "data",
            url,
            QUEUE="postgres",
            WORKER_HEARTBEAT_SECONDS="0.2",
            WORKER_STALLED_SECONDS="1",
        )
        code, output = await run_cli(env, "migrate")
        assert code == 0, output
        api = await Server(env, tmp_path / "api.log").start()
        worker: Worker | None = None
        try:
            await api.healthy()
            async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
                sent = await upload(http, archive)
            # As if the API had died between committing the job's row and deferring it.
            await _sql(url, "DELETE FROM procrastinate_jobs RETURNING id")
            pid = sent["portfolio"]["id"]
            async with Subscription.open(api.url, PROGRESS, {"id": pid}) as subscription:
                first = await subscription.next()
                assert first is not None
                assert first["rankingProgress"]["status"] == "QUEUED"
                worker = await Worker(env, tmp_path / "worker.log").start()
                last: Event = {}
                while (data := await subscription.next()) is not None:
                    last = data["rankingProgress"]
            assert (last["status"], last["final"]) == ("SUCCEEDED", True)
            _, portfolio_id = ids.decode(pid, "Portfolio")
            rows = await _sql(
                url,
                "SELECT project_name, total_commits FROM repo_stats WHERE portfolio_id = :pid",
                pid=portfolio_id,
            )
            assert dict(rows) == expected
        finally:
            if worker is not None:
                assert await worker.stop() == 0, worker.log.read_text()[-3000:]
            await api.stop()
