"""Prometheus metrics (prometheus-client), scraped at GET /metrics.

Counted in this process as things happen: request latency (`RequestIdMiddleware`), the seconds
of each job attempt (the job runner), the git processes running (mining/git/runner.py counts
them and tells us; mining does not know about metrics). Read from the database when scraped: jobs by
state and the queue depth, over every owner but as bare counts — no owner, portfolio, job id or
path is ever a label, so a scrape says nothing about anyone's data. Routes are labelled by
their template (`/exports/{uid}`), unknown paths as `other`, so labels stay few.

Several uvicorn workers (WORKERS > 1): `serve` points PROMETHEUS_MULTIPROC_DIR at
DATA_DIR/metrics before the workers start (prometheus-client's multi-process mode: each process
writes its values to files there), and a scrape of any worker adds up every worker's.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    make_wsgi_app,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from graphql_api.db.states import JobStatus
from mining.git import runner as git

__all__ = [
    "CONTENT_TYPE_LATEST",
    "GIT_PROCESSES",
    "MINING_SECONDS",
    "REQUEST_SECONDS",
    "exposition",
    "prepare_multiprocess",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
JOB_STATES = tuple(JobStatus)

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "artifact_miner_http_request_duration_seconds",
    "HTTP requests, from the first byte of the request to the end of the response",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
    registry=REGISTRY,
)
MINING_SECONDS = Histogram(
    "artifact_miner_mining_seconds",
    "One attempt of a mining job, from its start to its final status",
    ["status"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    registry=REGISTRY,
)
GIT_PROCESSES = Gauge(
    "artifact_miner_git_processes",
    "git processes running",
    registry=REGISTRY,
    multiprocess_mode="livesum",  # dead workers' values are dropped (mark_process_dead)
)
git.PROCESSES.listen(GIT_PROCESSES.set)


class _Snapshot(Collector):
    """Values read from the database for one scrape."""

    def __init__(self, jobs_by_state: Mapping[str, int]) -> None:
        self.jobs = jobs_by_state

    def collect(self) -> Iterable[GaugeMetricFamily]:
        states = GaugeMetricFamily(
            "artifact_miner_jobs", "Mining jobs by state, every owner's", labels=["state"]
        )
        for state in sorted({*JOB_STATES, *self.jobs}):
            states.add_metric([state], self.jobs.get(state, 0))
        yield states
        yield GaugeMetricFamily(
            "artifact_miner_queue_depth",
            "Mining jobs waiting to start",
            value=self.jobs.get(JobStatus.QUEUED, 0),
        )


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def prepare_multiprocess(folder: Path) -> None:
    """Before the workers start: an empty folder for their values, named in the environment
    they inherit (prometheus-client reads it when it is first imported)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(folder)


def process_exited() -> None:
    """This worker is stopping: its live gauges (git processes) no longer count."""
    if (folder := multiprocess_dir()) is not None:
        multiprocess.mark_process_dead(os.getpid(), str(folder))  # type: ignore[no-untyped-call]


def exposition(jobs_by_state: Mapping[str, int]) -> bytes:
    """The text format of every metric: this process's (or every worker's) and the
    database's."""
    folder = multiprocess_dir()
    if folder is not None:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted, path=str(folder))  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(jobs_by_state))
    return generate_latest(counted) + generate_latest(snapshot)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
        return None


@contextlib.contextmanager
def listening(host: str, port: int, token: str = "") -> Iterator[int]:
    """This process's metrics on an HTTP listener of its own (`artifact-miner worker` serves
    nothing else): GET /metrics on `host`:`port` (0: a free port), in a thread; with `token`,
    only for `Authorization: Bearer <token>`. Yields the port. Jobs by state and the queue
    depth are the API's to report (they are read from the database there)."""
    exporter = make_wsgi_app(REGISTRY)

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        given = environ.get("HTTP_AUTHORIZATION", "").encode()
        if token and not hmac.compare_digest(given, f"Bearer {token}".encode()):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"/metrics needs a bearer token (METRICS_TOKEN)\n"]
        return exporter(environ, start_response)  # type: ignore[no-any-return]

    server = make_server(host, port, app, server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
