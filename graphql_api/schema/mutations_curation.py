"""Mutations that curate a project by hand: its thumbnail, the user's role, evidence and
resume items. Each finds its object by the caller's owner in SQL (another owner's reads as
missing), refuses bad input with a typed userError before anything is written, and is audited
(audit.py puts the extension on every mutation).

What is kept when the project is mined or its resume regenerated again is in
graphql_api/db/curation.py: the user's evidence and edited or added items stay; deleted
mined evidence and deleted generated items do not come back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

import anyio
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from graphql_api.db import curation, models, queries
from graphql_api.db.types import utcnow
from graphql_api.ingest.images import ImageError, ImageLimits, make_thumbnail
from graphql_api.schema import ids
from graphql_api.schema.context import Info
from graphql_api.schema.enums import EvidenceKind, UserErrorCode
from graphql_api.schema.payloads import UserErrorType, not_found, user_error
from graphql_api.schema.types import EvidenceType, RepoStatType, ResumeItemType
from mining.analyze import ResumeCategory
from mining.text import displayable

log = logging.getLogger("graphql_api.mutations")

MAX_ROLE = 100
MAX_EVIDENCE = 2000
MAX_TITLE = 300
MAX_CONTENT = 4000
MAX_POSITION = 10_000
EARLIEST = dt.date(1970, 1, 1)


@strawberry.type(name="CurateProjectPayload", description="The project as it is now.")
class CurateProjectPayloadType:
    project: RepoStatType | None = strawberry.field(description="Null when refused.")
    user_errors: list[UserErrorType] = strawberry.field(description="Why it was refused.")


@strawberry.type(name="EvidencePayload", description="The evidence added.")
class EvidencePayloadType:
    evidence: EvidenceType | None = strawberry.field(description="Null when refused.")
    user_errors: list[UserErrorType] = strawberry.field(description="Why it was refused.")


@strawberry.type(name="ResumeItemPayload", description="The resume item as it is now.")
class ResumeItemPayloadType:
    resume_item: ResumeItemType | None = strawberry.field(description="Null when refused.")
    user_errors: list[UserErrorType] = strawberry.field(description="Why it was refused.")


@strawberry.type(name="DeletePayload", description="What was deleted.")
class DeletePayloadType:
    deleted_id: strawberry.ID | None = strawberry.field(
        description="The ID of the deleted object; null when refused."
    )
    user_errors: list[UserErrorType] = strawberry.field(description="Why it was refused.")


def _text(
    value: str, limit: int, code: UserErrorCode, field: str
) -> tuple[str, list[UserErrorType]]:
    """`value` trimmed and without control or bidi characters; an error when it is empty or
    longer than `limit`."""
    text = displayable(value).strip()
    if not text:
        return text, [user_error(code, f"{field} must not be empty", field)]
    if len(text) > limit:
        return text, [
            user_error(code, f"{field} has {len(text)} characters; at most {limit}", field)
        ]
    return text, []


def _refused(operation: str, errors: list[UserErrorType]) -> list[UserErrorType]:
    """`errors`, logged by code (never the input: it may be anything the client sent)."""
    log.info("%s refused: %s", operation, [error.code.value for error in errors])
    return errors


def _date_errors(when: dt.date | None) -> list[UserErrorType]:
    if when is None or EARLIEST <= when <= utcnow().date():
        return []
    message = f"{when.isoformat()} is not between {EARLIEST.isoformat()} and today"
    return [user_error(UserErrorCode.INVALID_EVIDENCE, message, "date")]


def _position_errors(position: int | None) -> list[UserErrorType]:
    if position is None or 0 <= position <= MAX_POSITION:
        return []
    message = f"position {position} is not between 0 and {MAX_POSITION}"
    return [user_error(UserErrorCode.INVALID_RESUME_ITEM, message, "position")]


async def _owned(
    session: AsyncSession, info: Info, model: type[Any], global_id: str, type_name: str
) -> Any:
    """The caller's row of `model` named by `global_id`, or None (missing or another's)."""
    _, uid = ids.decode(global_id, type_name)
    return await queries.by_uid(session, model, uid, owner_id=info.context.owner_id)


async def _image_bytes(image: Any, limit: int) -> bytes | UserErrorType:
    """The upload's bytes, refused before they are read whole when over `limit`."""
    if not isinstance(image, UploadFile):
        message = "image must be a multipart file part (GraphQL multipart request spec)"
        return user_error(UserErrorCode.INVALID_UPLOAD, message, "image")
    too_large = user_error(
        UserErrorCode.IMAGE_TOO_LARGE,
        f"the image is over {limit} bytes (MAX_THUMBNAIL_BYTES)",
        "image",
    )
    if image.size is not None and image.size > limit:
        return too_large
    data = await image.read(limit + 1)
    return too_large if len(data) > limit else data


def _limits(info: Info) -> ImageLimits:
    return ImageLimits(max_bytes=info.context.settings.max_thumbnail_bytes)


@strawberry.type
class CurationMutations:
    @strawberry.mutation(
        description="Set a project's picture from an image upload (GraphQL multipart request; "
        "PNG, JPEG, GIF or WebP, at most MAX_THUMBNAIL_BYTES, each side 16 to 4096 pixels), "
        "or remove it with `image: null`. It is served re-encoded as PNG (at most 512 pixels "
        "a side) from the project's `thumbnailUrl`."
    )
    async def set_project_thumbnail(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID, strawberry.argument(description="The project (RepoStat).")
        ],
        image: Annotated[
            Upload | None, strawberry.argument(description="The picture; null removes it.")
        ] = None,
    ) -> CurateProjectPayloadType:
        picture = None
        if image is not None:
            data = await _image_bytes(image, info.context.settings.max_thumbnail_bytes)
            if isinstance(data, UserErrorType):
                refused = _refused("setProjectThumbnail", [data])
                return CurateProjectPayloadType(project=None, user_errors=refused)
            try:
                picture = await anyio.to_thread.run_sync(make_thumbnail, data, _limits(info))
            except ImageError as error:
                refused = _refused(
                    "setProjectThumbnail", [user_error(error.code, str(error), "image")]
                )
                return CurateProjectPayloadType(project=None, user_errors=refused)
        async with info.context.db.write() as session:
            project = await _owned(session, info, models.RepoStat, project_id, "RepoStat")
            if project is None:
                missing = not_found("project", "projectId")
                return CurateProjectPayloadType(project=None, user_errors=[missing])
            if picture is None:
                await curation.clear_thumbnail(session, project)
            else:
                await curation.put_thumbnail(
                    session,
                    project,
                    data=picture.data,
                    media_type=picture.media_type,
                    width=picture.width,
                    height=picture.height,
                    sha256=picture.sha256,
                )
        return CurateProjectPayloadType(project=RepoStatType.from_model(project), user_errors=[])

    @strawberry.mutation(
        description="Say what your role in a project was (shown as its `role` instead of the "
        "mined one), or go back to the mined role with `role: null`."
    )
    async def set_project_role(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID, strawberry.argument(description="The project (RepoStat).")
        ],
        role: Annotated[
            str | None,
            strawberry.argument(description=f"1 to {MAX_ROLE} characters; null: the mined role."),
        ] = None,
    ) -> CurateProjectPayloadType:
        text, errors = (
            (None, [])
            if role is None
            else _text(role, MAX_ROLE, UserErrorCode.INVALID_ROLE, "role")
        )
        if errors:
            return CurateProjectPayloadType(
                project=None, user_errors=_refused("setProjectRole", errors)
            )
        async with info.context.db.write() as session:
            project = await _owned(session, info, models.RepoStat, project_id, "RepoStat")
            if project is None:
                missing = not_found("project", "projectId")
                return CurateProjectPayloadType(project=None, user_errors=[missing])
            project.user_role_override = text
        return CurateProjectPayloadType(project=RepoStatType.from_model(project), user_errors=[])

    @strawberry.mutation(
        description="Add your own evidence to a project: feedback, an award, or anything "
        "(custom, or one of the mined types). Mining again keeps it."
    )
    async def add_evidence(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID, strawberry.argument(description="The project (RepoStat).")
        ],
        type: Annotated[
            EvidenceKind, strawberry.argument(description="What kind of evidence it is.")
        ],
        content: Annotated[
            str, strawberry.argument(description=f"1 to {MAX_EVIDENCE} characters.")
        ],
        date: Annotated[
            dt.date | None,
            strawberry.argument(description="When it happened (1970-01-01 to today), if known."),
        ] = None,
    ) -> EvidencePayloadType:
        text, errors = _text(content, MAX_EVIDENCE, UserErrorCode.INVALID_EVIDENCE, "content")
        errors += _date_errors(date)
        if errors:
            return EvidencePayloadType(evidence=None, user_errors=_refused("addEvidence", errors))
        async with info.context.db.write() as session:
            project = await _owned(session, info, models.RepoStat, project_id, "RepoStat")
            if project is None:
                missing = not_found("project", "projectId")
                return EvidencePayloadType(evidence=None, user_errors=[missing])
            row = await curation.add_evidence(session, project, type.value, text, date)
        return EvidencePayloadType(evidence=EvidenceType.from_model(row), user_errors=[])

    @strawberry.mutation(
        description="Delete a piece of evidence. Yours is gone; mined evidence is gone and "
        "stays out when the project is mined again (a changed sentence is new evidence)."
    )
    async def delete_evidence(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The evidence.")],
    ) -> DeletePayloadType:
        async with info.context.db.write() as session:
            row = await _owned(session, info, models.ProjectEvidence, id, "Evidence")
            if row is None:
                return DeletePayloadType(deleted_id=None, user_errors=[not_found("evidence", "id")])
            await curation.delete_evidence(session, row)
        return DeletePayloadType(deleted_id=id, user_errors=[])

    @strawberry.mutation(
        description="Add your own resume item to a project; regenerating the resume keeps it."
    )
    async def add_resume_item(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID, strawberry.argument(description="The project (RepoStat).")
        ],
        title: Annotated[str, strawberry.argument(description=f"1 to {MAX_TITLE} characters.")],
        content: Annotated[str, strawberry.argument(description=f"1 to {MAX_CONTENT} characters.")],
        category: Annotated[
            ResumeCategory, strawberry.argument(description="Where it goes.")
        ] = ResumeCategory.PROJECTS,
        position: Annotated[
            int | None,
            strawberry.argument(
                description=f"0 to {MAX_POSITION}, lower first; null: after the others.",
            ),
        ] = None,
    ) -> ResumeItemPayloadType:
        code = UserErrorCode.INVALID_RESUME_ITEM
        title_text, errors = _text(title, MAX_TITLE, code, "title")
        content_text, more = _text(content, MAX_CONTENT, code, "content")
        errors += more + _position_errors(position)
        if errors:
            refused = _refused("addResumeItem", errors)
            return ResumeItemPayloadType(resume_item=None, user_errors=refused)
        async with info.context.db.write() as session:
            project = await _owned(session, info, models.RepoStat, project_id, "RepoStat")
            if project is None:
                missing = not_found("project", "projectId")
                return ResumeItemPayloadType(resume_item=None, user_errors=[missing])
            row = await curation.add_resume_item(
                session,
                project,
                title=title_text,
                content=content_text,
                category=category.value,
                position=position,
            )
        return ResumeItemPayloadType(resume_item=ResumeItemType.from_model(row), user_errors=[])

    @strawberry.mutation(
        description="Change a resume item; it is marked `edited`, and regenerating the resume "
        "keeps it as you left it. Arguments left out stay as they are."
    )
    async def update_resume_item(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The resume item.")],
        title: Annotated[
            str | None, strawberry.argument(description=f"1 to {MAX_TITLE} characters.")
        ] = None,
        content: Annotated[
            str | None, strawberry.argument(description=f"1 to {MAX_CONTENT} characters.")
        ] = None,
        category: Annotated[
            ResumeCategory | None, strawberry.argument(description="Where it goes.")
        ] = None,
        position: Annotated[
            int | None, strawberry.argument(description=f"0 to {MAX_POSITION}, lower first.")
        ] = None,
    ) -> ResumeItemPayloadType:
        code = UserErrorCode.INVALID_RESUME_ITEM
        values: dict[str, Any] = {}
        errors: list[UserErrorType] = _position_errors(position)
        for name, value, limit in (("title", title, MAX_TITLE), ("content", content, MAX_CONTENT)):
            if value is not None:
                values[name], more = _text(value, limit, code, name)
                errors += more
        if errors:
            refused = _refused("updateResumeItem", errors)
            return ResumeItemPayloadType(resume_item=None, user_errors=refused)
        if category is not None:
            values["category"] = category.value
        if position is not None:
            values["position"] = position
        async with info.context.db.write() as session:
            row = await _owned(session, info, models.ResumeItem, id, "ResumeItem")
            if row is None:
                missing = not_found("resume item", "id")
                return ResumeItemPayloadType(resume_item=None, user_errors=[missing])
            await curation.update_resume_item(session, row, **values)
        return ResumeItemPayloadType(resume_item=ResumeItemType.from_model(row), user_errors=[])

    @strawberry.mutation(
        description="Delete a resume item; a generated one stays out when the resume is "
        "regenerated."
    )
    async def delete_resume_item(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The resume item.")],
    ) -> DeletePayloadType:
        async with info.context.db.write() as session:
            row = await _owned(session, info, models.ResumeItem, id, "ResumeItem")
            if row is None:
                missing = not_found("resume item", "id")
                return DeletePayloadType(deleted_id=None, user_errors=[missing])
            await curation.delete_resume_item(session, row)
        return DeletePayloadType(deleted_id=id, user_errors=[])
