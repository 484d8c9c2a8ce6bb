"""What mutations ask of the job layer: take uploads in, start and stop jobs, and recompute
rankings, resume items and the profile from the stored mining reports (no git)."""

from __future__ import annotations

import functools
import logging
import shutil
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from graphql_api.db import models, queries, writes
from graphql_api.db.engine import Database
from graphql_api.db.states import TERMINAL, JobStage, JobStatus
from graphql_api.db.types import utcnow
from graphql_api.ingest import ArchiveLimits, IngestError, StoredUpload, UploadStore, extract_zip
from graphql_api.ingest.errors import IngestErrorCode
from graphql_api.jobs import identities, persist
from graphql_api.jobs.bus import EventBus
from graphql_api.jobs.events import EventKind, JobEvent, publish
from graphql_api.jobs.memo import Memo
from graphql_api.jobs.queue import JobQueue
from graphql_api.jobs.runner import JobRunner
from graphql_api.llm.summary import SummarySettings, provider_for, summarize_project
from graphql_api.settings import Settings
from mining.analyze import (
    DeveloperProfile,
    PortfolioAnalysis,
    RepresentationPrefs,
    analyze_portfolio,
)
from mining.git.discover import discover
from mining.records import Identity, ProjectReport
from mining.text import PORTFOLIO_NAME, cap

log = logging.getLogger("graphql_api.jobs")


class JobStateError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Services:
    db: Database
    settings: Settings
    bus: EventBus
    runner: JobRunner
    store: UploadStore
    archive_limits: ArchiveLimits
    queue: JobQueue  # where jobs wait: this process's runner, or procrastinate's (QUEUE)
    profiles: Memo[DeveloperProfile] = field(default_factory=Memo)

    # --- uploads -----------------------------------------------------------------------------

    async def ingest(
        self,
        files: Sequence[UploadFile],
        upload_ids: Sequence[str],
        *,
        owner_id: int,
        portfolio_id: str | None,
        name: str | None,
        user_emails: Sequence[str] | None,
    ) -> tuple[models.Portfolio, models.MiningJob]:
        """Store and extract every archive, then record them and queue a mining job — or, on
        any failure, leave nothing behind (no file, no folder, no row) and raise IngestError."""
        stored: list[StoredUpload] = []
        extracted: list[Path] = []
        try:
            for file in files:
                stored.append(
                    await self.store.save_upload_file(file, self.settings.max_upload_bytes)
                )
            kept = [
                await self._kept(upload_id, owner_id) for upload_id in dict.fromkeys(upload_ids)
            ]
            for upload in [*stored, *kept]:
                # A fresh folder for every extraction: an upload id may be used again.
                async with self.store.opened(upload.id) as path:
                    extract = functools.partial(
                        extract_zip, path, self.settings.extracted_dir, self.archive_limits
                    )
                    extracted.append((await anyio.to_thread.run_sync(extract)).path)
                await anyio.to_thread.run_sync(self._check_projects, extracted[-1], upload)
            portfolio, job, duplicates = await self._record(
                [*stored, *kept],
                extracted,
                owner_id,
                portfolio_id,
                name,
                user_emails,
                {upload.id for upload in stored},
            )
        except BaseException:
            for path in extracted:
                await anyio.to_thread.run_sync(shutil.rmtree, path, True)
            for upload in stored:  # uploads sent earlier through /uploads stay for a retry
                await self.store.discard(upload.id)
            raise
        await self._drop_duplicates(duplicates, {upload.id for upload in stored})
        return portfolio, job

    async def _drop_duplicates(
        self, duplicates: Sequence[tuple[StoredUpload, Path]], sent_now: set[str]
    ) -> None:
        """The copies of uploads the portfolio already holds: their extracted folders, and
        the files sent with this request (one sent to POST /uploads stays the owner's)."""
        for upload, path in duplicates:
            log.info("upload %s holds the same bytes as one the portfolio has", upload.id)
            await anyio.to_thread.run_sync(shutil.rmtree, path, True)
            if upload.id in sent_now:
                await self.store.discard(upload.id)

    async def _kept(self, upload_id: str, owner_id: int) -> StoredUpload:
        """An upload the owner sent to POST /uploads; another owner's reads as missing."""
        try:
            self.store.check_id(upload_id)  # a malformed id never reaches SQL (nor its logs)
            async with self.db.read() as session:
                row = await queries.stored_upload(session, upload_id, owner_id=owner_id)
            if row is None or not await self.store.exists(upload_id):
                raise IngestError(IngestErrorCode.UPLOAD_NOT_FOUND, "not recorded")
        except (IngestError, ValueError) as exc:
            if isinstance(exc, IngestError) and exc.code == IngestErrorCode.STORE_UNAVAILABLE:
                raise
            raise IngestError(IngestErrorCode.UPLOAD_NOT_FOUND, "no such upload") from exc
        location = self.store.location(upload_id)
        return StoredUpload(upload_id, location, row.filename, row.size, row.sha256)

    async def record_upload(
        self, upload: StoredUpload, owner_id: int, token_id: int | None
    ) -> None:
        """Remember whose an upload sent to POST /uploads is (uploadPortfolio checks it), and
        audit it."""
        async with self.db.write() as session:
            await self._check_stored_bytes(session, owner_id, upload.size)
            await writes.add_audit(session, owner_id, token_id, "upload", upload.id, "ok")
            session.add(
                models.StoredUpload(
                    id=upload.id,
                    owner_id=owner_id,
                    filename=upload.filename,
                    size=upload.size,
                    sha256=upload.sha256,
                )
            )

    async def _record(
        self,
        uploads: Sequence[StoredUpload],
        extracted: Sequence[Path],
        owner_id: int,
        portfolio_id: str | None,
        name: str | None,
        user_emails: Sequence[str] | None,
        sent_now: set[str],
    ) -> tuple[models.Portfolio, models.MiningJob, list[tuple[StoredUpload, Path]]]:
        """Record the uploads and queue a job. An upload with the same bytes (sha256) as one
        the portfolio holds, or as another of this request, is not recorded again: the same
        ZIP under another name adds no project (its plain folders would be new paths)."""
        async with self.db.write() as session:
            # The owner's lock first (the quotas take it): inserting a row that refers to the
            # owner takes a share lock on it, and two uploads holding that while each waits
            # for the other's to upgrade is a deadlock on PostgreSQL.
            await writes.lock_owner(session, owner_id)
            if portfolio_id is None:
                portfolio = models.Portfolio(owner_id=owner_id)
                session.add(portfolio)
            else:
                found = await queries.by_uid(
                    session, models.Portfolio, portfolio_id, owner_id=owner_id
                )
                if found is None:
                    raise JobStateError("NOT_FOUND", "no such portfolio")
                portfolio = found
            if name is not None:
                portfolio.name = cap(name, PORTFOLIO_NAME)  # shown: no bidi, fits its column
            if user_emails is not None:
                portfolio.user_emails = [e.strip().lower() for e in user_emails]
            await session.flush()
            held = await queries.portfolio_uploads(session, portfolio.id, owner_id=owner_id)
            fresh, duplicates = _distinct(zip(uploads, extracted, strict=True), held)
            # Files sent to POST /uploads were counted then; those sent now are new.
            new_bytes = sum(upload.size for upload, _ in fresh if upload.id in sent_now)
            await self._check_stored_bytes(session, portfolio.owner_id, new_bytes)
            session.add_all(
                models.UploadedZip(
                    portfolio_id=portfolio.id,
                    owner_id=portfolio.owner_id,
                    filename=upload.filename,
                    path=upload.location,
                    size=upload.size,
                    sha256=upload.sha256,
                    extraction_path=str(path),
                )
                for upload, path in fresh
            )
            job = await self._new_job(session, portfolio.id, owner_id)
        await self.queue.submit(job.uid, job.portfolio_id)
        return portfolio, job, duplicates

    # --- quotas (each a QUOTA_EXCEEDED userError; the ingest then leaves nothing behind) ----

    def _check_projects(self, extracted: Path, upload: StoredUpload) -> None:
        """Blocking (walks the tree): run it in a worker thread."""
        found, limit = len(discover(extracted)), self.settings.max_projects_per_upload
        if found > limit:
            raise JobStateError(
                "QUOTA_EXCEEDED",
                f"{upload.filename} holds {found} projects; an upload may hold {limit} "
                "(MAX_PROJECTS_PER_UPLOAD)",
            )

    async def _check_stored_bytes(self, session: AsyncSession, owner_id: int, more: int) -> None:
        """Checked wherever an upload is kept: POST /uploads and uploadPortfolio."""
        await writes.lock_owner(session, owner_id)
        total = await queries.stored_upload_bytes(session, owner_id) + more
        limit = self.settings.max_stored_bytes_per_owner
        if total > limit:
            raise JobStateError(
                "QUOTA_EXCEEDED",
                f"stored uploads would take {total} bytes; an owner may keep {limit} "
                "(MAX_STORED_BYTES_PER_OWNER)",
            )

    async def _check_active_jobs(self, session: AsyncSession, owner_id: int) -> None:
        await writes.lock_owner(session, owner_id)
        active, limit = (
            await queries.active_jobs_of_owner(session, owner_id),
            (self.settings.max_active_jobs_per_owner),
        )
        if active >= limit:
            raise JobStateError(
                "QUOTA_EXCEEDED",
                f"{active} jobs of this owner are queued or running; at most {limit} may be "
                "(MAX_ACTIVE_JOBS_PER_OWNER)",
            )

    # --- jobs --------------------------------------------------------------------------------

    async def remine(self, portfolio_id: str, owner_id: int) -> models.MiningJob:
        """A job that mines every repository again (`full`), changed or not."""
        async with self.db.write() as session:
            job = await self._new_job(session, portfolio_id, owner_id, full=True)
        await self.queue.submit(job.uid, job.portfolio_id)
        return job

    async def _new_job(
        self, session: Any, portfolio_id: str, owner_id: int, *, full: bool = False
    ) -> models.MiningJob:
        portfolio = await queries.by_uid(session, models.Portfolio, portfolio_id, owner_id=owner_id)
        if portfolio is None:
            raise JobStateError("NOT_FOUND", "no such portfolio")
        latest = await queries.latest_jobs_by_portfolio(session, [portfolio_id], owner_id=owner_id)
        if latest and latest[0].status not in TERMINAL:
            raise JobStateError(
                "JOB_ALREADY_RUNNING",
                f"portfolio {portfolio_id} already has a {latest[0].status} job",
            )
        await self._check_active_jobs(session, portfolio.owner_id)
        job = models.MiningJob(portfolio_id=portfolio_id, owner_id=portfolio.owner_id, full=full)
        try:
            # The check above is a courtesy; the unique partial index on active jobs is what
            # holds when two requests for one portfolio race (PostgreSQL reads no lock).
            async with session.begin_nested():
                session.add(job)
                await session.flush()
        except IntegrityError as exc:
            raise JobStateError(
                "JOB_ALREADY_RUNNING", f"portfolio {portfolio_id} already has an active job"
            ) from exc
        return job

    async def cancel(self, job: models.MiningJob) -> models.MiningJob:
        async with self.db.write() as session:
            job = await writes.lock_job(session, job.id)  # the status now, not when read
            if job.status in TERMINAL:
                raise JobStateError("JOB_FINISHED", f"the job is already {job.status}")
            job.cancel_requested = True
            if job.status == JobStatus.QUEUED:  # never started: it ends here
                job.status, job.stage = JobStatus.CANCELLED, JobStage.CANCELLED
                job.finished_at = utcnow()
        if job.status == JobStatus.CANCELLED:
            publish(self.bus, JobEvent.of(job, EventKind.STAGE, final=True))
        await self.queue.cancel(job.uid, job.portfolio_id)
        return job

    # --- recomputation from stored reports ---------------------------------------------------

    async def analyze(
        self,
        portfolio_id: str,
        owner_id: int,
        weights: dict[str, float] | None = None,
        *,
        deleting: tuple[int, bool] | None = None,
    ) -> tuple[list[ProjectReport], PortfolioAnalysis]:
        """Analyse the live projects from their stored reports; `deleting` (project id, True
        to delete or False to restore) analyses as if that change were made."""
        async with self.db.read() as session:
            portfolio = await queries.by_uid(
                session, models.Portfolio, portfolio_id, owner_id=owner_id
            )
            if portfolio is None:
                raise JobStateError("NOT_FOUND", "no such portfolio")
            rows = await queries.portfolio_projects(
                session, portfolio_id, owner_id=owner_id, include_deleted=deleting is not None
            )
            if deleting is not None:
                rows = [row for row in rows if _live_after(row, *deleting)]
            prefs = RepresentationPrefs.from_json(
                await queries.prefs_of(session, portfolio_id, owner_id=owner_id)
            )
            emails = list(portfolio.user_emails)
            weights = dict(portfolio.ranking_weights) if weights is None else weights
        reports = await anyio.to_thread.run_sync(  # CPU: off the event loop
            lambda: [persist.load_report(row) for row in rows if row.report is not None]
        )
        now = utcnow()
        analysis = await anyio.to_thread.run_sync(
            lambda: analyze_portfolio(
                reports, Identity.of(*emails), now=now, prefs=prefs, weights=weights or None
            )
        )
        return reports, analysis

    async def profile(self, portfolio_id: str, owner_id: int, stamp: Hashable) -> DeveloperProfile:
        """The developer profile of the owner's portfolio, analysed again only when
        `stamp`, the state of the analysis' inputs (`queries.analysis_stamps` and the
        portfolio's `updated_at`), changes."""

        async def compute() -> DeveloperProfile:
            _, analysis = await self.analyze(portfolio_id, owner_id)
            return analysis.profile

        return await self.profiles.get((portfolio_id, owner_id, stamp), compute)

    async def rerank(
        self, portfolio_id: str, owner_id: int, weights: dict[str, float] | None
    ) -> None:
        """Rank again (InvalidWeightsError for bad weights); the weights are kept for later."""
        reports, analysis = await self.analyze(portfolio_id, owner_id, weights)
        if weights is not None:
            async with self.db.write() as session:
                portfolio = await session.get_one(models.Portfolio, portfolio_id)
                portfolio.ranking_weights = weights
        await persist.save_ranking(self.db, portfolio_id, reports, analysis, with_resume=False)

    async def set_deleted(self, project: models.RepoStat, deleted: bool) -> None:
        """Soft-delete or restore a project and rank the portfolio again, in one transaction
        (the others move up or make room at once)."""
        pid, owner_id = project.portfolio_id, project.owner_id
        reports, analysis = await self.analyze(pid, owner_id, deleting=(project.id, deleted))
        async with self.db.write() as session:
            row = await session.get_one(models.RepoStat, project.id)
            await writes.mark_deleted(session, row, deleted)
            await persist.write_ranking(session, pid, reports, analysis, with_resume=False)

    # --- identities: whose work is the user's ----------------------------------------------

    async def suggested_identities(
        self, portfolio_id: str, owner_id: int
    ) -> list[identities.Suggestion]:
        """Addresses in the portfolio's mined histories likely to be the user's."""
        async with self.db.read() as session:
            portfolio = await self._portfolio(session, portfolio_id, owner_id)
            rows = await queries.portfolio_projects(session, portfolio_id, owner_id=owner_id)
        reports = await anyio.to_thread.run_sync(
            lambda: [persist.load_report(row) for row in rows if row.report is not None]
        )
        return await anyio.to_thread.run_sync(
            identities.suggest, reports, list(portfolio.user_emails)
        )

    async def set_identities(
        self, portfolio_id: str, owner_id: int, emails: Sequence[str]
    ) -> models.Portfolio:
        """The user is who `emails` name: user stats, skills, evidence, ranking and resume
        items re-derived from the stored reports (no git; their per-author work), written in
        one transaction with the addresses. JobStateError: NOT_FOUND, JOB_ALREADY_RUNNING (a
        job would write over it), REMINE_REQUIRED (reports older than the per-author work)."""
        async with self.db.read() as session:
            portfolio = await self._portfolio(session, portfolio_id, owner_id)
            await self._no_active_job(session, portfolio_id, owner_id)
            rows = await queries.portfolio_projects(
                session, portfolio_id, owner_id=owner_id, include_deleted=True
            )
            prefs = RepresentationPrefs.from_json(
                await queries.prefs_of(session, portfolio_id, owner_id=owner_id)
            )
        addresses = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
        rederive = functools.partial(
            identities.rederive,
            rows,
            Identity.of(*addresses),
            prefs,
            dict(portfolio.ranking_weights),
            utcnow(),
        )
        try:
            result = await anyio.to_thread.run_sync(rederive)  # CPU: off the event loop
        except identities.NotRestatable as exc:
            raise JobStateError("REMINE_REQUIRED", str(exc)) from exc
        async with self.db.write() as session:
            portfolio = await self._portfolio(session, portfolio_id, owner_id)
            await self._no_active_job(session, portfolio_id, owner_id)
            portfolio.user_emails = addresses
            await persist.write_results(
                session, portfolio_id, result.fresh, result.reports, result.analysis
            )
        return portfolio

    async def _portfolio(
        self, session: AsyncSession, portfolio_id: str, owner_id: int
    ) -> models.Portfolio:
        portfolio = await queries.by_uid(session, models.Portfolio, portfolio_id, owner_id=owner_id)
        if portfolio is None:
            raise JobStateError("NOT_FOUND", "no such portfolio")
        return portfolio

    async def _no_active_job(self, session: AsyncSession, portfolio_id: str, owner_id: int) -> None:
        latest = await queries.latest_jobs_by_portfolio(session, [portfolio_id], owner_id=owner_id)
        if latest and latest[0].status not in TERMINAL:
            raise JobStateError(
                "JOB_ALREADY_RUNNING",
                f"portfolio {portfolio_id} has a {latest[0].status} job; "
                "set the identities when it has ended",
            )

    async def apply_prefs(self, portfolio_id: str, owner_id: int) -> None:
        """Apply the stored representation preferences now, from the stored reports: the
        ranking, skill lists without hidden skills, resume items (the profile follows by its
        stamp)."""
        reports, analysis = await self.analyze(portfolio_id, owner_id)
        await persist.save_curated(self.db, portfolio_id, reports, analysis)

    async def regenerate_resume(self, portfolio_id: str, owner_id: int) -> None:
        """Resume items again from the stored reports (idempotent), and a summary per
        showcased project: from an LLM only when the consent in force allows it."""
        reports, analysis = await self.analyze(portfolio_id, owner_id)
        await persist.save_ranking(self.db, portfolio_id, reports, analysis)
        async with self.db.read() as session:
            portfolio = await session.get_one(models.Portfolio, portfolio_id)
            consent = await queries.current_consent(session, owner_id=owner_id)
        emails = portfolio.user_emails
        provider = provider_for(
            consent.consent_level if consent else "none",
            SummarySettings(
                ollama_url=self.settings.llm_local_url or None,
                openai_url=self.settings.llm_cloud_url or None,
                openai_api_key=self.settings.llm_cloud_key or None,
            ),
        )
        summaries = {
            p.path: await summarize_project(p, provider)
            for p in analysis.projects
            if p.rank.showcased
        }
        await persist.save_summaries(
            self.db,
            portfolio_id,
            reports,
            summaries,
            provider=type(provider).__name__,
            user_email=emails[0] if emails else "",
        )


def _live_after(row: models.RepoStat, project_id: int, deleted: bool) -> bool:
    return not deleted if row.id == project_id else row.deleted_at is None


def _distinct(
    uploads: Iterable[tuple[StoredUpload, Path]], held: Sequence[models.UploadedZip]
) -> tuple[list[tuple[StoredUpload, Path]], list[tuple[StoredUpload, Path]]]:
    """The uploads whose bytes are new to the portfolio, and the others."""
    seen = {upload.sha256 for upload in held if upload.sha256}
    fresh, duplicates = [], []
    for upload, path in uploads:
        if upload.sha256 and upload.sha256 in seen:
            duplicates.append((upload, path))
        else:
            seen.add(upload.sha256)
            fresh.append((upload, path))
    return fresh, duplicates
