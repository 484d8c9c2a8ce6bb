"""Mutations that start, stop and redo work: upload, remine, cancel, rank, resume, export."""

from __future__ import annotations

import logging
from typing import Annotated, Any, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from graphql_api.db import models, queries
from graphql_api.ingest import IngestError
from graphql_api.jobs import exports
from graphql_api.jobs.service import JobStateError, Services
from graphql_api.schema import ids
from graphql_api.schema.args import First, Id, PortfolioId
from graphql_api.schema.context import Info
from graphql_api.schema.enums import ExportFormat, ExportKind
from graphql_api.schema.payloads import (
    UserEmails,
    UserErrorType,
    email_errors,
    not_found,
    user_error,
    user_errors_field,
)
from graphql_api.schema.portfolio import ExportType, MiningJobType, PortfolioType
from graphql_api.schema.types import FIRST_OF_LIST, RepoStatType, list_size
from mining.analyze import InvalidWeightsError
from mining.text import PORTFOLIO_NAME, cap

log = logging.getLogger("graphql_api.mutations")

Name = Annotated[str, strawberry.argument(description="The portfolio's name.")]


@strawberry.type(
    name="UploadPortfolioPayload", description="What createPortfolio or uploadPortfolio did."
)
class UploadPortfolioPayloadType:
    portfolio: PortfolioType | None = strawberry.field(description="The portfolio, if done.")
    job: MiningJobType | None = strawberry.field(description="The mining job started, if one was.")
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(name="JobPayload", description="What remine or cancelJob did.")
class JobPayloadType:
    job: MiningJobType | None = strawberry.field(description="The job, if done.")
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(name="RankProjectsPayload", description="What rankProjects or generateResume did.")
class RankProjectsPayloadType:
    user_errors: list[UserErrorType] = user_errors_field()
    _projects: strawberry.Private[list[RepoStatType]]

    @strawberry.field(description="The ranked projects, best first. " + FIRST_OF_LIST)
    def projects(self, info: Info, first: First = None) -> list[RepoStatType]:
        return self._projects[: list_size(info, first)]


@strawberry.type(name="CreateExportPayload", description="What createExport did.")
class CreateExportPayloadType:
    export: ExportType | None = strawberry.field(description="The export, if one was made.")
    user_errors: list[UserErrorType] = user_errors_field()


def _weight(factor: str) -> Any:
    return strawberry.field(default=None, description=f"The weight of {factor}, 0 or more.")


@strawberry.input(
    name="RankingWeights",
    description="Ranking weights; a factor left out keeps its default weight.",
)
class RankingWeightsInput:
    contribution: float | None = _weight("the user's share of the work")
    size: float | None = _weight("the project's size")
    complexity: float | None = _weight("the project's complexity")
    recency: float | None = _weight("how recent the work is")
    diversity: float | None = _weight("the variety of languages and skills")
    health: float | None = _weight("the project's health")
    collaboration: float | None = _weight("collaboration with others")

    def to_dict(self) -> dict[str, float]:
        return {k: v for k, v in vars(self).items() if v is not None}


def _services(info: Info) -> Services:
    services: Services = info.context.services
    return services


def _portfolio_id(global_id: str) -> str:
    return ids.decode(global_id, "Portfolio")[1]


async def _ranked_projects(info: Info, portfolio_id: str) -> list[RepoStatType]:
    async with info.context.db.read() as session:
        page = await queries.projects_page(
            session,
            owner_id=info.context.owner_id,
            portfolio_id=portfolio_id,
            filt=queries.ProjectFilter(),
            order=queries.ProjectOrder.RANKING,
            first=info.context.settings.max_page_size,
            after=None,
        )
    return [RepoStatType.from_model(row) for row in page.rows]


def _upload_errors(
    files: list[Upload] | None, upload_ids: list[str] | None, user_emails: list[str] | None
) -> list[UserErrorType]:
    """What is wrong with an upload's arguments, before anything is read."""
    errors = email_errors(user_emails)
    if not files and not upload_ids:
        errors.append(user_error("EMPTY_UPLOAD", "no file and no upload id given"))
    if any(not isinstance(file, UploadFile) for file in files or []):
        # Upload's parser takes any value; a JSON body can only carry strings and the like
        # (found by tests/test_schemathesis.py).
        message = "files must be multipart file parts (GraphQL multipart request spec)"
        errors.append(user_error("INVALID_UPLOAD", message, "files"))
    return errors


@strawberry.type
class JobMutations:
    @strawberry.mutation(
        description="An empty portfolio, e.g. to subscribe to its progress before uploading."
    )
    async def create_portfolio(
        self, info: Info, name: Name = "", user_emails: UserEmails = None
    ) -> UploadPortfolioPayloadType:
        errors = email_errors(user_emails)
        if errors:
            return UploadPortfolioPayloadType(portfolio=None, job=None, user_errors=errors)
        emails = [e.strip().lower() for e in user_emails or []]
        async with info.context.db.write() as session:
            portfolio = models.Portfolio(
                name=cap(name, PORTFOLIO_NAME), user_emails=emails, owner_id=info.context.owner_id
            )
            session.add(portfolio)
        return UploadPortfolioPayloadType(
            portfolio=PortfolioType.from_model(portfolio), job=None, user_errors=[]
        )

    @strawberry.mutation(
        description="Upload ZIP files (GraphQL multipart request) and/or ids from POST /uploads; "
        "they are extracted safely, recorded, and a mining job starts. Into a new portfolio, "
        "or into `portfolioId`. Multipart requests need an `Apollo-Require-Preflight` header "
        "or a bearer token (CSRF)."
    )
    async def upload_portfolio(
        self,
        info: Info,
        files: Annotated[
            list[Upload] | None,
            strawberry.argument(description="ZIP files (multipart request parts)."),
        ] = None,
        upload_ids: Annotated[
            list[str] | None,
            strawberry.argument(description="Ids of files sent before to POST /uploads."),
        ] = None,
        portfolio_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Add to this portfolio; without it, a new one."),
        ] = None,
        name: Annotated[
            str | None, strawberry.argument(description="The new portfolio's name.")
        ] = None,
        user_emails: UserEmails = None,
    ) -> UploadPortfolioPayloadType:
        errors = _upload_errors(files, upload_ids, user_emails)
        if errors:
            return UploadPortfolioPayloadType(portfolio=None, job=None, user_errors=errors)
        try:
            portfolio, job = await _services(info).ingest(
                cast(list[UploadFile], files or []),
                upload_ids or [],
                owner_id=info.context.owner_id,
                portfolio_id=_portfolio_id(portfolio_id) if portfolio_id else None,
                name=name,
                user_emails=user_emails,
            )
        except (IngestError, JobStateError) as error:
            log.info("uploadPortfolio refused: %s %s", error.code, error)
            return UploadPortfolioPayloadType(
                portfolio=None, job=None, user_errors=[user_error(str(error.code), str(error))]
            )
        return UploadPortfolioPayloadType(
            portfolio=PortfolioType.from_model(portfolio),
            job=MiningJobType.from_model(job),
            user_errors=[],
        )

    @strawberry.mutation(description="Mine every upload of the portfolio again, in place.")
    async def remine(self, info: Info, portfolio_id: PortfolioId) -> JobPayloadType:
        try:
            job = await _services(info).remine(_portfolio_id(portfolio_id), info.context.owner_id)
        except JobStateError as error:
            return JobPayloadType(job=None, user_errors=[user_error(error.code, str(error))])
        return JobPayloadType(job=MiningJobType.from_model(job), user_errors=[])

    @strawberry.mutation(description="Stop a queued or running job; its git processes end.")
    async def cancel_job(self, info: Info, id: Id) -> JobPayloadType:
        _, uid = ids.decode(id, "MiningJob")
        async with info.context.db.read() as session:
            job = await queries.by_uid(
                session, models.MiningJob, uid, owner_id=info.context.owner_id
            )
        if job is None:
            return JobPayloadType(job=None, user_errors=[not_found("job", "id")])
        try:
            job = await _services(info).cancel(job)
        except JobStateError as error:
            return JobPayloadType(job=None, user_errors=[user_error(error.code, str(error))])
        return JobPayloadType(job=MiningJobType.from_model(job), user_errors=[])

    @strawberry.mutation(description="Rank the projects again, optionally with new weights.")
    async def rank_projects(
        self,
        info: Info,
        portfolio_id: PortfolioId,
        weights: Annotated[
            RankingWeightsInput | None,
            strawberry.argument(description="New weights, kept for later rankings."),
        ] = None,
    ) -> RankProjectsPayloadType:
        pid = _portfolio_id(portfolio_id)
        try:
            await _services(info).rerank(
                pid, info.context.owner_id, weights.to_dict() if weights else None
            )
        except InvalidWeightsError as error:
            field = ("weights", error.key) if error.key else ("weights",)
            return RankProjectsPayloadType(
                _projects=[], user_errors=[user_error("INVALID_WEIGHTS", str(error), *field)]
            )
        except JobStateError as error:
            return RankProjectsPayloadType(
                _projects=[], user_errors=[user_error(error.code, str(error))]
            )
        return RankProjectsPayloadType(_projects=await _ranked_projects(info, pid), user_errors=[])

    @strawberry.mutation(
        description="Write the resume items again (idempotent): generated items are updated in "
        "place (same ids), items you edited or added stay as they are, and items you deleted "
        "stay out. Summaries use an LLM only when the consent in force allows it."
    )
    async def generate_resume(
        self, info: Info, portfolio_id: PortfolioId
    ) -> RankProjectsPayloadType:
        pid = _portfolio_id(portfolio_id)
        try:
            await _services(info).regenerate_resume(pid, info.context.owner_id)
        except JobStateError as error:
            return RankProjectsPayloadType(
                _projects=[], user_errors=[user_error(error.code, str(error))]
            )
        return RankProjectsPayloadType(_projects=await _ranked_projects(info, pid), user_errors=[])

    @strawberry.mutation(
        description="Export the portfolio or its resume as a file; download it from the "
        "export's `url`."
    )
    async def create_export(
        self,
        info: Info,
        portfolio_id: PortfolioId,
        kind: Annotated[
            ExportKind, strawberry.argument(description="What to export.")
        ] = ExportKind.RESUME,
        format: Annotated[
            ExportFormat, strawberry.argument(description="The file format.")
        ] = ExportFormat.JSON,
    ) -> CreateExportPayloadType:
        pid = _portfolio_id(portfolio_id)
        async with info.context.db.read() as session:
            found = await queries.by_uid(
                session, models.Portfolio, pid, owner_id=info.context.owner_id
            )
        if found is None:
            return CreateExportPayloadType(
                export=None, user_errors=[not_found("portfolio", "portfolioId")]
            )
        row = await exports.create_export(
            _services(info), pid, info.context.owner_id, kind.value, format.value
        )
        failed = exports.failure_code(row)  # DISK_FULL is the client's to know (and retry)
        user_errors = [] if failed is None else [user_error(failed, row.error or "")]
        return CreateExportPayloadType(export=ExportType.from_model(row), user_errors=user_errors)
