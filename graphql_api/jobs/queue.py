"""Where a queued job waits until a worker takes it: the `JobQueue` interface.

- `LocalQueue` (QUEUE=local, the default): the `JobRunner` of this very process, as before.
- `PostgresQueue` (QUEUE=postgres): procrastinate, a job engine on PostgreSQL. The API defers
  a job (`mine`, its argument the job's uid) with the portfolio's id as procrastinate's `lock`
  (no two jobs of one portfolio run at once, whichever worker) and `queueing_lock` (one waits
  at most). Any number of `artifact-miner worker` processes take jobs (LISTEN/NOTIFY, polling
  as a fallback), say every WORKER_HEARTBEAT_SECONDS that they are alive, and retry the job
  of a worker silent for WORKER_STALLED_SECONDS (killed, or its machine gone): the job runs
  again elsewhere and, its results written in one transaction at its end, ends once.
  `cancelJob` asks procrastinate to abort the job; the worker running it cancels its task,
  which kills its git processes.

The job row (mining_jobs) stays the truth of a job's state; procrastinate's rows say only who
runs what. Its tables come with migration 0004.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import text

from graphql_api.db.engine import Database
from graphql_api.db.types import utcnow
from graphql_api.jobs.pgbus import PostgresBus, libpq_url
from graphql_api.settings import Settings

if TYPE_CHECKING:
    import procrastinate

    from graphql_api.jobs.runner import JobRunner

log = logging.getLogger("graphql_api.jobs.queue")

QUEUE_NAME = "mining"
TASK_NAME = "mine"


class JobQueue(Protocol):
    async def submit(self, job_uid: str, portfolio_id: str) -> None:
        """Queue a job whose row (status queued) is committed."""
        ...

    async def cancel(self, job_uid: str, portfolio_id: str) -> None:
        """Stop the job wherever it runs (its row already says cancel_requested)."""
        ...

    async def check(self) -> None:
        """For /readyz: raises when jobs cannot be queued or taken from here."""
        ...


class LocalQueue:
    """The in-process queue of one server (QUEUE=local)."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner

    async def submit(self, job_uid: str, portfolio_id: str) -> None:
        self.runner.enqueue(job_uid)

    async def cancel(self, job_uid: str, portfolio_id: str) -> None:
        await self.runner.cancel(job_uid)

    async def check(self) -> None:
        await self.runner.check()


class HandedBack(Exception):
    """A worker stopping gave its job back: procrastinate queues it again at once."""


def build_app(settings: Settings, *, pool_size: int = 4) -> procrastinate.App:
    """The procrastinate app on DATABASE_URL, with the `mine` task. The task finds the
    process's `JobRunner` in the worker's context (`additional_context["runner"]`)."""
    import procrastinate
    from procrastinate import JobContext, RetryStrategy

    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_url(settings.sqlalchemy_url), min_size=1, max_size=pool_size
    )
    app = procrastinate.App(connector=connector)

    @app.task(
        name=TASK_NAME,
        queue=QUEUE_NAME,
        pass_context=True,
        # Only a hand-back is retried this way; a dead worker's job by the stalled-job retry.
        retry=RetryStrategy(max_attempts=1000, retry_exceptions={HandedBack}),
    )
    async def mine(context: JobContext, job_uid: str) -> None:
        runner: JobRunner = context.additional_context["runner"]

        def stopping() -> bool:
            return context.abort_reason() == procrastinate.job_context.AbortReason.SHUTDOWN

        try:
            await runner.run_claimed(job_uid, stopping=stopping)
        except asyncio.CancelledError:
            if stopping():
                raise HandedBack(job_uid) from None
            raise
        task = asyncio.current_task()
        if task is not None and task.cancelling():  # cancelJob: aborted, not succeeded
            raise asyncio.CancelledError

    return app


class PostgresQueue:
    """Jobs deferred to procrastinate (QUEUE=postgres); see the module's docstring."""

    def __init__(self, app: procrastinate.App, bus: PostgresBus | None = None) -> None:
        self.app = app
        self.bus = bus

    async def check(self) -> None:
        if not await self.app.check_connection_async():
            raise RuntimeError("procrastinate's tables are not reachable")
        if self.bus is not None and self.bus.server_pid is None:
            raise RuntimeError("the event bus is reconnecting")

    async def submit(self, job_uid: str, portfolio_id: str) -> None:
        from procrastinate.exceptions import AlreadyEnqueued

        deferrer = self.app.configure_task(
            TASK_NAME, lock=portfolio_id, queueing_lock=portfolio_id, queue=QUEUE_NAME
        )
        with contextlib.suppress(AlreadyEnqueued):  # one waits already: it runs the job
            await deferrer.defer_async(job_uid=job_uid)

    async def cancel(self, job_uid: str, portfolio_id: str) -> None:
        manager = self.app.job_manager
        for status in ("todo", "doing"):
            for job in await manager.list_jobs_async(
                task=TASK_NAME, lock=portfolio_id, status=status
            ):
                if job.id is not None and job.task_kwargs.get("job_uid") == job_uid:
                    await manager.cancel_job_by_id_async(job.id, abort=status == "doing")

    async def depth(self) -> int:
        """Jobs waiting for a worker (for metrics and the benchmark)."""
        return len(list(await self.app.job_manager.list_jobs_async(status="todo")))


# Active job rows that procrastinate has no waiting or running job for: the API stopped
# between committing the row and deferring it (or the engine's job ended without the row).
ORPHANS = text(
    "SELECT m.uid, m.portfolio_id FROM mining_jobs m "
    "WHERE m.status IN ('queued', 'running') AND m.updated_at < :before "
    "AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.lock = m.portfolio_id "
    "AND j.status IN ('todo', 'doing') AND j.args->>'job_uid' = m.uid)"
)


async def recover(app: procrastinate.App, db: Database, settings: Settings) -> None:
    """Forever, in every worker: every WORKER_HEARTBEAT_SECONDS, give the job of each worker
    silent for WORKER_STALLED_SECONDS back to the queue (another worker, or this one, takes
    it; the first to ask wins, the others find it no longer `doing`); and every
    WORKER_STALLED_SECONDS defer again each active job row older than that which the engine
    has no job for (a row is committed before its job is deferred)."""
    queue = PostgresQueue(app)
    loop = asyncio.get_running_loop()
    next_orphans = loop.time()
    while True:
        await asyncio.sleep(settings.worker_heartbeat_seconds)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                task_name=TASK_NAME, seconds_since_heartbeat=settings.worker_stalled_seconds
            )
            for job in stalled:
                with contextlib.suppress(Exception):  # another worker retried it first
                    await app.job_manager.retry_job(job)
                    log.warning("job %s of a silent worker queued again", job.task_kwargs)
            if loop.time() >= next_orphans:
                next_orphans = loop.time() + settings.worker_stalled_seconds
                before = utcnow() - timedelta(seconds=settings.worker_stalled_seconds)
                async with db.read() as session:
                    orphans = (await session.execute(ORPHANS, {"before": before})).all()
                for uid, portfolio_id in orphans:
                    log.warning("job %s had no queue entry; deferred again", uid)
                    await queue.submit(uid, portfolio_id)
        except Exception:
            log.exception("recovering jobs failed; trying again")


@contextlib.asynccontextmanager
async def running_worker(
    app: procrastinate.App, runner: JobRunner, settings: Settings, *, signals: bool
) -> AsyncIterator[asyncio.Task[None]]:
    """A procrastinate worker (and the stalled-job retry) running on `app`, which must be
    open, in this process; stopped (gracefully) when the context ends."""
    options: dict[str, Any] = {
        "queues": [QUEUE_NAME],
        "concurrency": settings.worker_jobs,
        "additional_context": {"runner": runner},
        "install_signal_handlers": signals,
        "update_heartbeat_interval": settings.worker_heartbeat_seconds,
        "stalled_worker_timeout": settings.worker_stalled_seconds,
        "fetch_job_polling_interval": 5.0,
        "abort_job_polling_interval": 2.0,
        "shutdown_graceful_timeout": settings.worker_shutdown_seconds,
    }
    worker = asyncio.create_task(app.run_worker_async(**options), name="procrastinate worker")
    stalled = asyncio.create_task(recover(app, runner.db, settings), name="job recovery")
    try:
        yield worker
    finally:
        stalled.cancel()
        worker.cancel()
        await asyncio.gather(stalled, worker, return_exceptions=True)
