"""The job runner: runs mining jobs in the background, one portfolio at a time per worker,
with bounded concurrency across repositories, and reports progress as it goes.

Life of a job: queued -> running -> succeeded | partial | failed | cancelled.
- No transaction is held while git runs. Results are atomic: reports stay in memory while the
  job mines (provisional rankings for subscribers come from them), and the job's whole result
  (projects, ranking, resume items) is written with its final status in ONE transaction, so a
  kill at any moment leaves the portfolio as it was before the job, or as the job left it.
- Writers are serialised by one lock (skills are a shared catalogue).
- Analysis is CPU work: it runs in a worker thread so the event loop stays responsive.
- On start-up, jobs that a dead process left running are re-queued (attempts counts them) or,
  after MAX_ATTEMPTS, failed with INTERRUPTED. A graceful shutdown re-queues what it stops.
- Scratch (clean copies, git's HOME) lives in this process's area under DATA_DIR/scratch;
  what a dead process left there is swept at start-up (see scratch.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import functools
import logging
import operator
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from graphql_api import leftovers
from graphql_api.db import models, queries, writes
from graphql_api.db.engine import Database
from graphql_api.db.states import ACTIVE, TERMINAL, JobStage, JobStatus
from graphql_api.db.types import utcnow
from graphql_api.ingest import ArchiveLimits, UploadStore, extract_zip
from graphql_api.jobs import persist, scratch
from graphql_api.jobs.bus import EventBus
from graphql_api.jobs.events import EventKind, JobEvent, RankEntry, publish
from graphql_api.ops.logs import JOB_ID
from graphql_api.ops.metrics import MINING_SECONDS
from graphql_api.pagecache import Evictions, evict_tree
from graphql_api.settings import Settings
from mining.analyze import PortfolioAnalysis, RepresentationPrefs, analyze_portfolio
from mining.errors import MiningError
from mining.git.discover import DiscoveredProject, discover
from mining.git.runner import HardenedGitRunner
from mining.history import identities
from mining.history.split import Cores, processes_for
from mining.pipeline import Split, default_processes, mine_each, probe_head
from mining.records import Identity, ProjectFailure, ProjectKind, ProjectReport

log = logging.getLogger("graphql_api.jobs")

MAX_ATTEMPTS = 3
WORKER = f"{socket.gethostname()}:{os.getpid()}"[:300]  # who runs a job (mining_jobs.worker)
_UNEXPECTED = ("INTERNAL", "an unexpected error stopped the job (see the server log)")


@dataclass
class _Run:
    """What one job has produced so far."""

    job: models.MiningJob
    identity: Identity
    prefs: RepresentationPrefs
    weights: dict[str, float]
    reports: dict[str, ProjectReport] = field(default_factory=dict)  # by project key
    # Each mined report's own columns (persist.report_values), made in a worker thread from the
    # moment it was mined, while other repositories still mine and the job's steps after it
    # (event, ranking's reads) run, by project key, with the report they are of.
    columns: dict[str, tuple[ProjectReport, asyncio.Future[dict[str, Any]]]] = field(
        default_factory=dict
    )
    making: list[asyncio.Future[dict[str, Any]]] = field(default_factory=list)  # all of them
    # Stored projects attributed to the identity anew (their user part changed), by key.
    restated: dict[str, ProjectReport] = field(default_factory=dict)
    uploads: list[int] = field(default_factory=list)  # the uploads this job's results include
    uids: dict[str, str] = field(default_factory=dict)  # project key -> RepoStat uid
    errors: list[dict[str, str]] = field(default_factory=list)
    extracted: list[Path] = field(default_factory=list)  # extracted again here, for this job
    kept: list[Path] = field(default_factory=list)  # the uploads' own extracted folders it read
    # The last analysis and what it was of (the reports, by identity, and the inputs): the
    # ranking after the last repository is the final one when nothing else is stored.
    analysed: tuple[tuple[ProjectReport, ...], tuple[object, ...], PortfolioAnalysis] | None = None


class JobRunner:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        bus: EventBus,
        *,
        workers: int = 1,
        poll_interval: float | None = None,
        store: UploadStore | None = None,
    ):
        self.db = db
        self.store = store  # where to read an upload whose extracted folder is not here
        self.settings = settings
        self.bus = bus
        self._poll_interval = poll_interval
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()  # what is in _queue, so polling adds nothing twice
        self._tasks: dict[str, asyncio.Task[None]] = {}  # job uid -> running job
        self._workers: list[asyncio.Task[None]] = []
        self._n_workers = workers
        self._write_lock = asyncio.Lock()
        self._stopping = False
        self._scratch: scratch.ScratchArea | None = None
        self._evictions = Evictions()

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, *, queue: bool = True) -> None:
        """Take up jobs. With `queue=False` (QUEUE=postgres) this process keeps no queue of
        its own: the job engine hands it jobs through `run_claimed`, and recovering a dead
        process's job is the engine's work (stalled-job retry), not this start's."""
        root, settings = self.settings.scratch_dir, self.settings
        await anyio.to_thread.run_sync(scratch.sweep, root)
        half_written = [  # uploads' partial files are the upload store's (its sweep)
            (settings.exports_dir, "*.part"),
            (settings.extracted_dir, ".extract-*"),
        ]
        if swept := await anyio.to_thread.run_sync(leftovers.sweep, half_written):
            log.warning("removed %d half-written export(s) or extraction(s)", swept)
        self._scratch = await anyio.to_thread.run_sync(scratch.ScratchArea, root)
        if not queue:
            return
        await self.recover()
        self._workers = [asyncio.create_task(self._work()) for _ in range(self._n_workers)]
        if self._poll_interval is not None:
            self._workers.append(asyncio.create_task(self._poll(self._poll_interval)))

    async def stop(self) -> None:
        self._stopping = True
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        await self._evictions.aclose()
        if self._scratch is not None:
            await anyio.to_thread.run_sync(self._scratch.close)
            self._scratch = None

    @property
    def scratch(self) -> Path:
        assert self._scratch is not None, "the runner has not started"
        return self._scratch.path

    async def recover(self) -> None:
        """Resolve what a previous process left: running jobs are re-queued or failed."""
        async with self.db.write() as session:
            for job in await queries.jobs_in(session, ACTIVE):
                if _resolve_interrupted(job):
                    self.enqueue(job.uid)

    async def run_claimed(self, uid: str, *, stopping: Callable[[], bool] | None = None) -> None:
        """Run a job the job engine gave this process (QUEUE=postgres). The engine's lock on
        the portfolio means no other process runs it now, so a job still marked running was
        left by a dead worker: it is queued again, or failed after MAX_ATTEMPTS, as at a
        start-up. Cancelling the calling task cancels the job (its git processes are killed);
        when `stopping()` holds then, the job is handed back (queued) and CancelledError
        raised. Running it again after it ended does nothing: a job ends once."""
        async with self.db.write() as session:
            job = await queries.job_to_run(session, uid)
            if job is None or job.status not in ACTIVE:
                return
            interrupted = job.status == JobStatus.RUNNING and not _resolve_interrupted(job)
            failed = job if interrupted else None
        if failed is not None:
            publish(self.bus, JobEvent.of(failed, EventKind.STAGE, final=True))
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks[uid] = task
        try:
            await self._run_job(uid, stopping)
        finally:
            self._tasks.pop(uid, None)

    def enqueue(self, job_uid: str) -> None:
        if job_uid not in self._queued:
            self._queued.add(job_uid)
            self._queue.put_nowait(job_uid)

    async def _poll(self, interval: float) -> None:
        """With several server processes (WORKERS > 1) only one runs jobs: it takes up the
        jobs that the others queued, and stops a running job that another was asked to
        cancel (cancel_requested)."""
        while True:
            await asyncio.sleep(interval)
            async with self.db.read() as session:
                jobs = await queries.jobs_in(session, ACTIVE)
            for job in jobs:
                if job.status == JobStatus.QUEUED:
                    self.enqueue(job.uid)
                elif job.cancel_requested and job.uid in self._tasks:
                    self._tasks[job.uid].cancel()

    async def check(self) -> None:
        """For /readyz: raises when this process runs jobs and its queue's workers died."""
        dead = [worker for worker in self._workers if worker.done()]
        if dead and not self._stopping:
            raise RuntimeError(f"{len(dead)} of the job runner's tasks have stopped")

    async def cancel(self, job_uid: str) -> None:
        """Stop a job: its task is cancelled, which kills its git processes."""
        task = self._tasks.get(job_uid)
        if task is not None:
            task.cancel()

    async def _work(self) -> None:
        while True:
            uid = await self._queue.get()
            self._queued.discard(uid)
            task = asyncio.create_task(self._run_job(uid))
            self._tasks[uid] = task
            try:
                # wait() does not pass cancelJob's cancellation of the task on to the worker.
                await asyncio.wait([task])
            except asyncio.CancelledError:  # shutting down: stop the job too
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise
            finally:
                self._tasks.pop(uid, None)

    # --- one job -----------------------------------------------------------------------------

    async def _run_job(self, uid: str, stopping: Callable[[], bool] | None = None) -> None:
        JOB_ID.set(uid)  # this task's context: every log line of the job names it
        run = await self._begin(uid)
        if run is None:
            return
        log.info("job started (attempt %d)", run.job.attempts)
        started = time.monotonic()
        try:
            await self._attempt(run, stopping)
        finally:
            seconds = time.monotonic() - started
            MINING_SECONDS.labels(run.job.status).observe(seconds)
            log.info("job %s after %.1f s", run.job.status, seconds)
            for path in run.kept:  # read: out of the page cache, in the background
                self._evictions.start(evict_tree, path)

    async def _attempt(self, run: _Run, stopping: Callable[[], bool] | None) -> None:
        try:
            await self._attempt_once(run, stopping)
        finally:  # columns the job did not take (it failed, or a copy replaced them) end first
            for future in run.making:
                future.cancel()
            await asyncio.gather(*run.making, return_exceptions=True)

    async def _attempt_once(self, run: _Run, stopping: Callable[[], bool] | None) -> None:
        deadline = asyncio.timeout(self.settings.job_deadline_seconds)
        try:
            async with deadline:  # when it passes, the job is cancelled: its git is killed
                await self._mine(run)
                result = await self._rank(run)
            await self._save(run, *result)  # past the deadline's reach
        except asyncio.CancelledError:
            if run.job.status in TERMINAL:
                raise  # cancelled while it saved: the job ended as it did
            if await self._interrupted(run, stopping):
                raise
        except Exception as exc:
            if isinstance(exc, TimeoutError) and deadline.expired():
                await self._over_deadline(run)
            else:
                await self._failed(run, exc)

    async def _interrupted(self, run: _Run, stopping: Callable[[], bool] | None) -> bool:
        """End a job cancelled midway: handed back (queued again, True) when this runner or
        the job engine is stopping, otherwise cancelled (False)."""
        handing_back = self._stopping or (stopping is not None and stopping())
        status = JobStatus.QUEUED if handing_back else JobStatus.CANCELLED
        await self._end(run, status, stage=JobStage(status))
        return handing_back

    async def _failed(self, run: _Run, exc: Exception) -> None:
        """A bug: logged in full; the job says only what kind of failure it was."""
        log.error("job %s failed", run.job.uid, exc_info=exc)
        full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
        code, error = ("DISK_FULL", "no space left on the server") if full else _UNEXPECTED
        await self._end(run, JobStatus.FAILED, stage=JobStage.FAILED, error_code=code, error=error)

    async def _over_deadline(self, run: _Run) -> None:
        seconds = self.settings.job_deadline_seconds
        log.warning("job %s ran over its deadline of %g s", run.job.uid, seconds)
        await self._end(
            run,
            JobStatus.FAILED,
            stage=JobStage.FAILED,
            error_code="JOB_DEADLINE_EXCEEDED",
            error=f"the job ran over its deadline of {seconds:g} s",
        )

    async def _begin(self, uid: str) -> _Run | None:
        async with self.db.write() as session:
            job = await queries.job_to_run(session, uid)
            if job is None or job.status != JobStatus.QUEUED:
                return None
            if job.cancel_requested:  # cancelled while its process was down: it ends here
                job.status, job.stage = JobStatus.CANCELLED, JobStage.CANCELLED
                job.finished_at = utcnow()
            else:
                job.status, job.stage = JobStatus.RUNNING, JobStage.DISCOVERING
                job.attempts += 1
                job.worker = WORKER
                job.started_at = utcnow()
                job.completed, job.total, job.repo_errors = 0, 0, []
                job.error_code = job.error = job.current = None
        if job.status == JobStatus.CANCELLED:
            publish(self.bus, JobEvent.of(job, EventKind.STAGE, final=True))
            return None
        run = _Run(job, *await self._inputs(job.portfolio_id, job.owner_id))
        self._publish(run, EventKind.STAGE)
        return run

    async def _inputs(
        self, portfolio_id: str, owner_id: int
    ) -> tuple[Identity, RepresentationPrefs, dict[str, float]]:
        """Whose work, how to present it, how to rank it: read again before the final ranking,
        so a rankProjects or setRepresentationPrefs during the job is not undone by it."""
        async with self.db.read() as session:
            portfolio = await session.get(models.Portfolio, portfolio_id)
            assert portfolio is not None
            emails = list(portfolio.user_emails) or _split(
                await queries.latest_answer(session, "email", owner_id=owner_id)
            )
            prefs = RepresentationPrefs.from_json(
                await queries.prefs_of(session, portfolio_id, owner_id=owner_id)
            )
            return Identity.of(*emails), prefs, dict(portfolio.ranking_weights)

    async def _roots(self, run: _Run) -> list[tuple[Path, models.UploadedZip]]:
        """Each upload's extracted folder, with its upload."""
        async with self.db.read() as session:
            uploads = await queries.portfolio_uploads(
                session, run.job.portfolio_id, owner_id=run.job.owner_id
            )
        roots = []
        for upload in uploads:
            if not upload.extraction_path:
                continue
            path = Path(upload.extraction_path)
            if not await anyio.Path(path).is_dir():  # extracted on another machine
                path = await self._extract_again(upload)
                run.extracted.append(path)
            else:
                run.kept.append(path)
            roots.append((path, upload))
            run.uploads.append(upload.id)
        return roots

    async def _extract_again(self, upload: models.UploadedZip) -> Path:
        """The upload extracted from the store, on this machine: an API process on another
        machine extracted it when it came in (README, "Deploying")."""
        upload_id = self.store.upload_id_of(upload.path) if self.store else None
        if self.store is None or upload_id is None:
            raise FileNotFoundError(f"upload {upload.id}: no extracted folder and no store copy")
        log.info("extracting upload %s again from the store", upload.id)
        async with self.store.opened(upload_id) as archive:
            extract = functools.partial(
                extract_zip, archive, self.settings.extracted_dir, ArchiveLimits()
            )
            return (await anyio.to_thread.run_sync(extract)).path

    async def _mine(self, run: _Run) -> None:
        try:
            await self._mine_roots(run)
        finally:
            for path in run.extracted:
                await anyio.to_thread.run_sync(shutil.rmtree, path, True)

    async def _mine_roots(self, run: _Run) -> None:
        labels: dict[DiscoveredProject, str] = {}
        mined_before: set[DiscoveredProject] = set()  # of uploads an earlier job included
        for root, upload in await self._roots(run):
            for project in await anyio.to_thread.run_sync(discover, root):
                labels[project] = label(upload.filename)
                if upload.mined_at is not None:
                    mined_before.add(project)
        if not run.job.full:
            for project in await self._unchanged(run, labels, mined_before):
                del labels[project]
        await self._update(run, stage=JobStage.MINING, total=len(labels))
        self._publish(run, EventKind.STAGE)
        ceiling = self.settings.extracted_dir.resolve()
        runner = HardenedGitRunner(ceiling=ceiling, scratch=self.scratch)
        try:
            histories = sum(p.kind is not ProjectKind.PLAIN for p in labels)
            mined = mine_each(
                labels,
                run.identity,
                runner,
                concurrency=self.settings.mining_concurrency,
                split=self._split(histories),
                scratch=self.scratch,
            )
            async with contextlib.aclosing(mined) as results:
                async for project, result in results:
                    await self._repository_done(run, qualified(result, labels[project]))
        finally:
            runner.close()

    def _split(self, histories: int) -> Split:
        """How each of a job's `histories` is read: by the cores shared among those mined at
        once (MINING_PROCESSES, when set), and by one more once a core is spare."""
        cores = self.settings.mining_processes or default_processes()
        shared = processes_for(histories, self.settings.mining_concurrency, cores)
        return Split(self.settings.mining_processes or shared, spare=Cores(cores))

    async def _unchanged(
        self,
        run: _Run,
        projects: Iterable[DiscoveredProject],
        mined_before: set[DiscoveredProject],
    ) -> list[DiscoveredProject]:
        """What need not be mined again: a repository whose HEAD (read without git) is a
        stored project's, mined with the per-author work a new identity is attributed from;
        a plain folder of an upload an earlier job included (its bytes never change)."""
        async with self.db.read() as session:
            rows = await queries.portfolio_projects(
                session, run.job.portfolio_id, owner_id=run.job.owner_id, include_deleted=True
            )
        # Nothing stored, no HEAD to match: none is read (a new portfolio's first job).
        heads = await anyio.to_thread.run_sync(_restatable_heads, rows) if rows else set()
        same = []
        for project in projects:
            if project.kind is ProjectKind.PLAIN:
                if project in mined_before:
                    same.append(project)
                continue
            if heads and await _head(project) in heads:
                same.append(project)
        if same:
            log.info("%d project(s) unchanged since they were mined: not mined again", len(same))
        return same

    async def _repository_done(self, run: _Run, result: ProjectReport | ProjectFailure) -> None:
        error, key = None, None
        if isinstance(result, ProjectFailure):
            error = {"path": result.path, "code": result.code, "message": result.message}
            run.errors.append(error)
            log.info("repository %s not mined: %s", result.path, result.code)
        else:
            key = persist.project_key(result)
            kept = run.reports.get(key)
            # The same repository twice (two uploads): keep the copy with more history.
            if kept is None or _commits(result) >= _commits(kept):
                run.reports[key] = result
                made = asyncio.ensure_future(
                    anyio.to_thread.run_sync(persist.report_values, result)
                )
                run.columns[key] = (result, made)
                run.making.append(made)
        reports = list(run.reports.values())
        analysis = await self._analyze(run, reports)  # a provisional ranking, from memory
        await self._update(
            run, completed=run.job.completed + 1, current=result.path, repo_errors=run.errors
        )
        self._publish(
            run,
            EventKind.REPOSITORY,
            repository=result.path,
            repository_error=error["code"] if error else None,
            ranking=self._ranking(run, reports, analysis),
        )

    async def _rank(
        self, run: _Run
    ) -> tuple[list[persist.Fresh], list[ProjectReport], PortfolioAnalysis]:
        """Rank every live project (stored ones, replaced by what this job mined)."""
        run.identity, run.prefs, run.weights = await self._inputs(
            run.job.portfolio_id, run.job.owner_id
        )
        await self._update(run, stage=JobStage.RANKING)
        self._publish(run, EventKind.STAGE)
        live, deleted = await self._stored(run)
        live.update(run.reports)
        reports = [r for key, r in live.items() if key not in deleted]
        analysis = await self._analyze(run, reports)
        return await self._fresh(run, analysis, deleted), reports, analysis

    async def _stored(self, run: _Run) -> tuple[dict[str, ProjectReport], set[str]]:
        """The portfolio's stored projects attributed to the job's identity, by key, and the
        keys of the soft-deleted ones. Those the attribution changed are kept in
        `run.restated`: they are written again, with what this job mined."""
        async with self.db.read() as session:
            rows = await queries.portfolio_projects(
                session, run.job.portfolio_id, owner_id=run.job.owner_id, include_deleted=True
            )
        rows = [row for row in rows if row.report is not None]
        loaded = await anyio.to_thread.run_sync(_restated, rows, run.identity)
        run.uids.update({row.project_key: row.uid for row in rows})
        run.restated = {persist.project_key(r): r for r, changed in loaded if changed}
        deleted = {row.project_key for row in rows if row.deleted_at is not None}
        return {persist.project_key(r): r for r, _ in loaded}, deleted

    async def _save(
        self,
        run: _Run,
        fresh: list[persist.Fresh],
        reports: list[ProjectReport],
        analysis: PortfolioAnalysis,
    ) -> None:
        """Write the job's result and its final status in one transaction."""
        status = _final_status(run)
        code = "NO_PROJECT_MINED" if status == JobStatus.FAILED else None
        await self._update(run, stage=JobStage.SAVING)
        self._publish(run, EventKind.STAGE)

        async def write() -> None:
            async with self.db.write() as session:
                uids = await persist.write_results(
                    session, run.job.portfolio_id, fresh, reports, analysis
                )
                await writes.mark_mined(session, run.uploads, owner_id=run.job.owner_id)
                job = await self._ended(session, run, status, stage=JobStage.DONE, error_code=code)
            run.job = job  # committed
            run.uids.update(uids)

        async with self._write_lock:  # until it is ours, a cancellation still stops the job
            await _uncut(write())
        self._publish(
            run, EventKind.RANKING, ranking=self._ranking(run, reports, analysis), final=True
        )

    async def _fresh(
        self, run: _Run, analysis: PortfolioAnalysis, deleted: set[str]
    ) -> list[persist.Fresh]:
        """What this job mined, with each project's analysis and columns. A soft-deleted
        project is updated too (it stays deleted) but is analysed apart: it is not ranked."""
        written = {**run.restated, **run.reports}
        hidden = [r for key, r in written.items() if key in deleted]
        extra = await self._analyze(run, hidden) if hidden else None
        analysed = {p.path: p for p in analysis.projects}
        analysed.update({p.path: p for p in extra.projects} if extra else {})

        made = {}
        for key, report in written.items():
            if (columns := run.columns.get(key)) is not None and columns[0] is report:
                made[key] = await columns[1]

        def values(key: str, report: ProjectReport) -> dict[str, Any]:
            own = made[key] if key in made else persist.report_values(report)
            return {**own, **persist.analysis_values(analysed[report.path])}

        def build() -> list[persist.Fresh]:
            return [
                persist.Fresh(r, analysed[r.path], values(key, r)) for key, r in written.items()
            ]

        return await anyio.to_thread.run_sync(build)  # CPU: off the event loop

    async def _analyze(self, run: _Run, reports: Sequence[ProjectReport]) -> PortfolioAnalysis:
        """The analysis of `reports` with the job's inputs; the last one again when it was of
        the same (the final ranking of a portfolio of new projects is the one published with
        its last repository: ~50 ms of CPU less between the last git and the final event)."""
        inputs = (run.identity, run.prefs, run.weights)
        if run.analysed is not None and _same_analysis(run.analysed, reports, inputs):
            return run.analysed[2]
        now = utcnow()
        analysis = await anyio.to_thread.run_sync(
            lambda: analyze_portfolio(
                reports, run.identity, now=now, prefs=run.prefs, weights=run.weights or None
            )
        )
        run.analysed = (tuple(reports), inputs, analysis)
        return analysis

    # --- state and events --------------------------------------------------------------------

    async def _update(self, run: _Run, **values: object) -> None:
        async def write() -> None:
            async with self.db.write() as session:
                run.job = await writes.update_job(session, run.job.id, **values)

        await _uncut(write())

    async def _end(
        self,
        run: _Run,
        status: JobStatus,
        *,
        stage: JobStage,
        error_code: str | None = None,
        error: str | None = None,
    ) -> None:
        async def write() -> None:
            async with self.db.write() as session:
                run.job = await self._ended(
                    session, run, status, stage=stage, error_code=error_code, error=error
                )

        await _uncut(write())
        self._publish(run, EventKind.STAGE, final=status in TERMINAL)

    async def _ended(
        self,
        session: AsyncSession,
        run: _Run,
        status: JobStatus,
        *,
        stage: JobStage,
        error_code: str | None = None,
        error: str | None = None,
    ) -> models.MiningJob:
        assert status in TERMINAL or status == JobStatus.QUEUED
        return await writes.update_job(
            session,
            run.job.id,
            status=status,
            stage=stage,
            error_code=error_code,
            error=error,
            finished_at=utcnow() if status in TERMINAL else None,
        )

    def _ranking(
        self, run: _Run, reports: Sequence[ProjectReport], analysis: PortfolioAnalysis
    ) -> tuple[RankEntry, ...]:
        keys = {r.path: persist.project_key(r) for r in reports}
        return tuple(
            RankEntry(
                project_uid=run.uids.get(keys.get(p.path, "")),
                name=p.name,
                path=p.path,
                score=p.rank.score,
                position=p.rank.position,
            )
            for p in analysis.projects
        )

    def _publish(self, run: _Run, kind: EventKind, **extra: object) -> None:
        publish(self.bus, JobEvent.of(run.job, kind, **extra))


def _resolve_interrupted(job: models.MiningJob) -> bool:
    """A job a dead process left queued or running: queued again (True), or failed with
    INTERRUPTED once it has been started MAX_ATTEMPTS times (False)."""
    if job.status == JobStatus.RUNNING and job.attempts >= MAX_ATTEMPTS:
        job.status, job.stage = JobStatus.FAILED, JobStage.FAILED
        job.error_code = "INTERRUPTED"
        job.error = f"the server stopped during this job {job.attempts} times"
        job.finished_at = utcnow()
        log.warning("job %s failed: interrupted too often", job.uid)
        return False
    if job.status == JobStatus.RUNNING:
        log.warning("job %s was interrupted; queued again", job.uid)
    job.status, job.stage = JobStatus.QUEUED, JobStage.QUEUED
    return True


async def _head(project: DiscoveredProject) -> tuple[str | None, bool] | None:
    """The repository's HEAD and whether it is shallow, read without git (None when that
    fails: mined, it fails the same way and says so)."""
    try:
        return await anyio.to_thread.run_sync(probe_head, project)
    except MiningError:
        return None


def _final_status(run: _Run) -> JobStatus:
    if not run.errors:
        return JobStatus.SUCCEEDED
    return JobStatus.PARTIAL if run.reports else JobStatus.FAILED


def _restatable_heads(rows: Sequence[models.RepoStat]) -> set[tuple[str | None, bool]]:
    """(HEAD, shallow) of the stored repositories whose reports hold the per-author work
    (blocking: loads the reports)."""
    return {
        (row.head_commit, row.shallow)
        for row in rows
        if row.report is not None
        and row.head_commit is not None
        and identities.restatable(persist.load_report(row))
    }


def _restated(
    rows: Sequence[models.RepoStat], identity: Identity
) -> list[tuple[ProjectReport, bool]]:
    """Each stored report attributed to `identity` (blocking), and whether that changed it (a
    report stored before the per-author work was kept is taken as it is)."""
    restated = []
    for row in rows:
        report = persist.load_report(row)
        again = identities.restate(report, identity) if identities.restatable(report) else report
        restated.append((again, again.history != report.history))
    return restated


def _same_analysis(
    analysed: tuple[tuple[ProjectReport, ...], tuple[object, ...], PortfolioAnalysis],
    reports: Sequence[ProjectReport],
    inputs: tuple[object, ...],
) -> bool:
    """Whether `analysed` is of these very reports (the same objects) and inputs."""
    before, used, _ = analysed
    same = len(before) == len(reports) and all(map(operator.is_, before, reports))
    return same and used == inputs


def _commits(report: ProjectReport) -> int:
    return report.history.total_commits if report.history else 0


def _split(answer: str | None) -> list[str]:
    return [part.strip() for part in (answer or "").split(",") if part.strip()]


def label(filename: str) -> str:
    """What an upload's projects are known by: its file name without the extension, in
    characters safe for a path ("portfolio.zip" -> "portfolio")."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(filename).stem).strip(".-")
    return stem or "upload"


def qualified(
    result: ProjectReport | ProjectFailure, upload: str
) -> ProjectReport | ProjectFailure:
    """The result with its path prefixed by its upload's label, so that projects of different
    uploads never share a path (the key of a folder without history, and how analysis names
    projects); a repository at an upload's root takes the upload's label as its name."""
    if result.path == ".":
        return dataclasses.replace(result, name=upload, path=upload)
    return dataclasses.replace(result, path=f"{upload}/{result.path}")


async def _uncut(work: Coroutine[Any, Any, None]) -> None:
    """Run a job's write transaction to its end even when the job is cancelled meanwhile (its
    deadline, cancelJob, a shutdown), then let the cancellation go on. A transaction cut in
    half could leave its connection holding SQLite's write lock, and the job's final status
    then waits on that lock and is never written."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise
