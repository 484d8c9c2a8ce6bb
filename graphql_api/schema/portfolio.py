"""Portfolio, its mining jobs, and the configuration types (questions, consent)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

import strawberry

from graphql_api.db import models, queries
from graphql_api.db.states import ExportStatus, JobStage, JobStatus
from graphql_api.llm.summary import ConsentLevel
from graphql_api.present.cards import Theme
from graphql_api.schema import connection as conn
from graphql_api.schema import ids
from graphql_api.schema.args import After, Before, First, PageFirst, PageLast
from graphql_api.schema.context import Info
from graphql_api.schema.curation_types import RepresentationPrefsType, UploadedFileType
from graphql_api.schema.enums import AnswerKind, ExportFormat, ExportKind
from graphql_api.schema.pictures import PortfolioCardType, portfolio_cards
from graphql_api.schema.profile import ProfileType
from graphql_api.schema.types import (
    FIRST_OF_LIST,
    NodeType,
    ProjectFilterInput,
    RepoStatType,
    found,
    list_size,
)


@strawberry.type(name="RepoError", description="Why one repository was not mined.")
class RepoErrorType:
    path: str | None = strawberry.field(description="The repository's path in the uploads.")
    code: str = strawberry.field(
        description="Stable: NOT_A_REPO, EMPTY_REPO, CORRUPT, TIMEOUT, TOO_LARGE, "
        "REPO_UNSAFE, GIT_FAILED, ..."
    )
    message: str = strawberry.field(description="What went wrong, for people.")


@strawberry.type(name="MiningJob", description="A background run that mines a portfolio.")
class MiningJobType(NodeType):
    status: JobStatus = strawberry.field(description="Where the job is in its life.")
    stage: JobStage = strawberry.field(description="The step it is at.")
    completed: int = strawberry.field(description="Repositories done so far.")
    total: int = strawberry.field(description="Repositories to mine in all.")
    current: str | None = strawberry.field(description="The repository finished last (path).")
    error_code: str | None = strawberry.field(
        description="Why it failed: NO_PROJECT_MINED, JOB_DEADLINE_EXCEEDED, INTERRUPTED, "
        "DISK_FULL or INTERNAL."
    )
    error: str | None = strawberry.field(description="Why it failed, for people.")
    attempts: int = strawberry.field(description="How many times it was started.")
    created_at: dt.datetime = strawberry.field(description="When it was queued.")
    started_at: dt.datetime | None = strawberry.field(description="When it last started.")
    finished_at: dt.datetime | None = strawberry.field(description="When it ended.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    _portfolio_id: strawberry.Private[str]
    _repo_errors: strawberry.Private[list[RepoErrorType]]

    @classmethod
    def from_model(cls, row: models.MiningJob) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("MiningJob", row.uid)),
            status=JobStatus(row.status),
            stage=JobStage(row.stage),
            completed=row.completed,
            total=row.total,
            current=row.current,
            error_code=row.error_code,
            error=row.error,
            _repo_errors=[
                RepoErrorType(path=e.get("path"), code=e["code"], message=e["message"])
                for e in row.repo_errors
            ],
            attempts=row.attempts,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            updated_at=row.updated_at,
            _portfolio_id=row.portfolio_id,
        )

    @strawberry.field(description="What went wrong, repository by repository. " + FIRST_OF_LIST)
    def repo_errors(self, info: Info, first: First = None) -> list[RepoErrorType]:
        return self._repo_errors[: list_size(info, first)]

    @strawberry.field(description="The portfolio the job mines.")
    async def portfolio(self, info: Info) -> PortfolioType:
        row = await info.context.loaders.portfolio_by_id.load(self._portfolio_id)
        return PortfolioType.from_model(found(row, "portfolio"))


@strawberry.type(name="Portfolio", description="The user's uploads and the projects in them.")
class PortfolioType(NodeType):
    name: str = strawberry.field(description="Its name.")
    user_emails: list[str] = strawberry.field(
        description="The emails that are the user's: their commits are the user's work."
    )
    created_at: dt.datetime = strawberry.field(description="When it was created.")
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")
    _pk: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.Portfolio) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Portfolio", row.id)),
            name=row.name,
            user_emails=list(row.user_emails),
            created_at=row.created_at,
            updated_at=row.updated_at,
            _pk=row.id,
        )

    @strawberry.field(description="The portfolio's projects, ranked by default.")
    async def projects(
        self,
        info: Info,
        first: PageFirst = None,
        after: After = None,
        last: PageLast = None,
        before: Before = None,
        order_by: Annotated[
            queries.ProjectOrder, strawberry.argument(description="The order.")
        ] = queries.ProjectOrder.RANKING,
        filter: Annotated[
            ProjectFilterInput | None, strawberry.argument(description="Which projects.")
        ] = None,
    ) -> conn.ConnectionType[RepoStatType]:
        page_of = conn.window(first, after, last, before, info.context.settings.max_page_size)
        return await project_connection(info, self._pk, page_of, order_by, filter)

    @strawberry.field(
        description="The developer profile across the portfolio: languages by lines and "
        "commits, frameworks, top skills, active period, commit calendar, seniority."
    )
    async def profile(self, info: Info) -> ProfileType:
        # Analysing a portfolio reads every mined report: done once per state of its inputs.
        stamp = await info.context.loaders.analysis_stamp_by_portfolio.load(self._pk)
        profile = await info.context.services.profile(
            self._pk, info.context.owner_id, (self.updated_at, stamp)
        )
        return ProfileType.of(profile)

    @strawberry.field(
        description="The profile's SVG cards (top languages, top skills, activity calendar), "
        "each with the URL it is served from and its current ETag."
    )
    async def cards(
        self,
        info: Info,
        theme: Annotated[
            Theme, strawberry.argument(description="The colours the cards are drawn in.")
        ] = Theme.LIGHT,
    ) -> list[PortfolioCardType]:
        return await portfolio_cards(info, self._pk, self.updated_at, theme)

    @strawberry.field(description="The newest mining job of this portfolio.")
    async def latest_job(self, info: Info) -> MiningJobType | None:
        row = await info.context.loaders.latest_job_by_portfolio.load(self._pk)
        return None if row is None else MiningJobType.from_model(row)

    @strawberry.field(description="How you want the portfolio shown, as stored (typed).")
    async def representation_prefs(self, info: Info) -> RepresentationPrefsType:
        row = await info.context.loaders.prefs_by_portfolio.load(self._pk)
        if row is None:
            return RepresentationPrefsType.from_json({}, None)
        return RepresentationPrefsType.from_json(row.prefs_json, row.updated_at)

    @strawberry.field(description="The ZIP files uploaded into it, oldest first, a page at a time.")
    async def uploads(
        self, info: Info, first: PageFirst = None, after: After = None
    ) -> conn.ConnectionType[UploadedFileType]:
        kind = "Portfolio.uploads"
        start = conn.child_start(after, kind)
        size = conn.page_size(first, info.context.settings.max_page_size)
        rows = await info.context.loaders.uploads_by_portfolio.load(self._pk)
        return conn.child_page(
            rows[start:],
            len(rows),
            start=start,
            size=size,
            kind=kind,
            convert=UploadedFileType.from_model,
        )


async def project_connection(
    info: Info,
    portfolio_id: str | None,
    page_of: conn.Window,
    order: queries.ProjectOrder,
    filt: ProjectFilterInput | None,
) -> conn.ConnectionType[RepoStatType]:
    kind = f"projects:{order.value}"
    with conn.cursor_checked():
        async with info.context.db.read() as session:
            page = await queries.projects_page(
                session,
                owner_id=info.context.owner_id,
                portfolio_id=portfolio_id,
                filt=(filt or ProjectFilterInput()).to_query(),
                order=order,
                first=page_of.size,
                after=conn.decode_cursor(page_of.cursor, kind),
                backward=page_of.backward,
            )
    for row in page.rows:  # later fields of this request find them without a query
        info.context.loaders.project_by_id.prime(row.id, row)
    return conn.build(
        page,
        convert=RepoStatType.from_model,
        cursor_of=lambda row: conn.encode_cursor(kind, queries.project_cursor_values(row, order)),
        window=page_of,
    )


@strawberry.type(name="Question", description="A configuration question for the user.")
class QuestionType(NodeType):
    key: str = strawberry.field(description="Stable: the key an answer names.")
    question_text: str = strawberry.field(description="The question, for people.")
    order: int = strawberry.field(description="Its place in the list.")
    is_active: bool = strawberry.field(description="Still asked.")
    required: bool = strawberry.field(description="An empty answer is refused.")
    answer_type: AnswerKind = strawberry.field(description="What an answer must be.")

    @classmethod
    def from_model(cls, row: models.Question) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Question", row.uid)),
            key=row.key,
            question_text=row.question_text,
            order=row.order,
            is_active=row.is_active,
            required=row.required,
            answer_type=AnswerKind(row.answer_type),
        )


@strawberry.type(name="Answer", description="Your newest answer to one question.")
class AnswerType:
    question: QuestionType = strawberry.field(description="The question answered.")
    answer: str = strawberry.field(description="The answer as stored (trimmed).")
    answered_at: dt.datetime = strawberry.field(description="When it was given.")

    @classmethod
    def from_model(cls, row: models.UserAnswer, question: models.Question) -> Self:
        return cls(
            question=QuestionType.from_model(question),
            answer=row.answer_text,
            answered_at=row.answered_at,
        )


@strawberry.type(name="Consent", description="A consent the user gave.")
class ConsentType(NodeType):
    consent_level: ConsentLevel = strawberry.field(description="What the user allows.")
    llm_model: str | None = strawberry.field(description="The language model allowed, if any.")
    accepted_at: dt.datetime = strawberry.field(description="When it was given.")

    @classmethod
    def from_model(cls, row: models.Consent) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Consent", row.uid)),
            consent_level=ConsentLevel(row.consent_level),
            llm_model=row.llm_model,
            accepted_at=row.accepted_at,
        )


@strawberry.type(name="Export", description="A file written from a portfolio.")
class ExportType(NodeType):
    export_type: ExportKind = strawberry.field(description="What it holds.")
    format: ExportFormat = strawberry.field(description="Its file format.")
    status: ExportStatus = strawberry.field(description="Whether the file is ready.")
    error: str | None = strawberry.field(description="Why it failed, for people.")
    created_at: dt.datetime = strawberry.field(description="When it was asked for.")
    completed_at: dt.datetime | None = strawberry.field(description="When it was written.")
    url: str | None = strawberry.field(description="Where to download it, once completed.")

    @classmethod
    def from_model(cls, row: models.Export) -> Self:
        return cls(
            id=strawberry.ID(ids.encode("Export", row.uid)),
            export_type=ExportKind(row.export_type),
            format=ExportFormat(row.format),
            status=ExportStatus(row.status),
            error=row.error,
            created_at=row.created_at,
            completed_at=row.completed_at,
            url=f"/exports/{row.uid}" if row.status == ExportStatus.COMPLETED else None,
        )
