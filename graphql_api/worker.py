"""`artifact-miner worker`: a mining process of a QUEUE=postgres deployment.

It serves nothing: it migrates (under the migration lock), then takes jobs from procrastinate
and mines them with the same `JobRunner` as a single server, publishing progress over
PostgreSQL LISTEN/NOTIFY so that subscriptions on any API process follow them. SIGTERM or
SIGINT stops it gracefully: it takes no new job and waits up to WORKER_SHUTDOWN_SECONDS for
the running one, then hands it back to the queue (another worker takes it up).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from graphql_api.db import migrate
from graphql_api.db.engine import Database
from graphql_api.ingest.backends import upload_store
from graphql_api.jobs.pgbus import PostgresBus
from graphql_api.jobs.queue import build_app, running_worker
from graphql_api.jobs.runner import JobRunner
from graphql_api.settings import Settings

log = logging.getLogger("graphql_api.worker")


@contextlib.asynccontextmanager
async def _metrics(settings: Settings) -> AsyncIterator[None]:
    """METRICS_PORT: this worker's mining seconds and git processes for Prometheus."""
    if not settings.metrics_port:
        yield
        return
    from graphql_api.ops import metrics

    with metrics.listening(
        settings.metrics_host, settings.metrics_port, settings.metrics_token
    ) as port:
        log.info("metrics on %s:%d/metrics", settings.metrics_host, port)
        yield


async def run(settings: Settings) -> None:
    settings.check_queue()
    if not settings.distributed:
        raise ValueError("`artifact-miner worker` needs QUEUE=postgres (and a PostgreSQL URL)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.sqlalchemy_url)
    try:
        await migrate.upgrade(db.engine)
        bus = PostgresBus(settings.sqlalchemy_url)
        await bus.start()
        store = upload_store(settings)  # uploads whose extracted folder is not on this machine
        runner = JobRunner(db, settings, bus, store=store)
        await runner.start(queue=False)
        engine = build_app(settings)
        try:
            async with (
                engine.open_async(),
                running_worker(engine, runner, settings, signals=True) as worker,
                _metrics(settings),
            ):
                log.info("worker ready: %d job(s) at once", settings.worker_jobs)
                await worker  # until SIGTERM / SIGINT
        finally:
            await runner.stop()
            await bus.stop()
            await store.aclose()
    finally:
        await db.dispose()
