"""Prometheus metrics (prometheus-client), scraped at GET /metrics.

Counted in this process as things happen: request latency (`RequestIdMiddleware`), the seconds
of each job attempt (the job runner), the git processes running (mining/git.py counts them and
tells us; mining does not know about metrics). Read from the database when scraped: jobs by
state and the queue depth, over every owner but as bare counts — no owner, portfolio, job id or
path is ever a label, so a scrape says nothing about anyone's data. Routes are labelled by
their template (`/exports/{uid}`), unknown paths as `other`, so labels stay few.

Several uvicorn workers (WORKERS > 1): `serve` points PROMETHEUS_MULTIPROC_DIR at
DATA_DIR/metrics before the workers start (prometheus-client's multi-process mode: each process
writes its values to files there), and a scrape of any worker adds up every worker's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from mining import git

__all__ = [
    "CONTENT_TYPE_LATEST",
    "GIT_PROCESSES",
    "MINING_SECONDS",
    "REQUEST_SECONDS",
    "exposition",
    "prepare_multiprocess",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
JOB_STATES = ("queued", "running", "succeeded", "partial", "failed", "cancelled")

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
            value=self.jobs.get("queued", 0),
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
