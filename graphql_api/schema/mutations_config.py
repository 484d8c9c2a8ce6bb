"""Mutations that configure: answers to the questions, consent, representation preferences,
soft delete and restore of projects."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import jsonschema
import strawberry

from graphql_api.db import models, queries, writes
from graphql_api.db.types import utcnow
from graphql_api.llm.summary import ConsentLevel
from graphql_api.schema import ids
from graphql_api.schema.args import Id, PortfolioId
from graphql_api.schema.context import Info
from graphql_api.schema.curation_types import RepresentationPrefsType
from graphql_api.schema.payloads import (
    EMAIL,
    UserErrorType,
    not_found,
    user_error,
    user_errors_field,
)
from graphql_api.schema.portfolio import ConsentType, QuestionType
from graphql_api.schema.prefs import RepresentationPrefsInput
from graphql_api.schema.types import RepoStatType
from mining.analyze import REPRESENTATION_PREFS_SCHEMA

log = logging.getLogger("graphql_api.mutations")

_PREFS = jsonschema.Draft202012Validator(
    REPRESENTATION_PREFS_SCHEMA, format_checker=jsonschema.FormatChecker()
)


@strawberry.input(description="An answer to one configuration question.")
class AnswerInput:
    key: str = strawberry.field(description="The question's key.")
    answer: str = strawberry.field(description="The answer.")


@strawberry.type(name="AnswerQuestionsPayload", description="What answerQuestions did.")
class AnswerQuestionsPayloadType:
    questions: list[QuestionType] = strawberry.field(
        description="The questions answered (none when refused)."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(name="SetConsentPayload", description="What setConsent did.")
class SetConsentPayloadType:
    consent: ConsentType | None = strawberry.field(description="The consent now in force.")
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(
    name="SetRepresentationPrefsPayload", description="What setRepresentationPrefs did."
)
class SetRepresentationPrefsPayloadType:
    prefs: RepresentationPrefsType | None = strawberry.field(
        description="The preferences now stored."
    )
    user_errors: list[UserErrorType] = user_errors_field()


@strawberry.type(name="ProjectPayload", description="What deleteProject or restoreProject did.")
class ProjectPayloadType:
    project: RepoStatType | None = strawberry.field(description="The project, if done.")
    user_errors: list[UserErrorType] = user_errors_field()


def _answer_errors(
    answers: list[AnswerInput], questions: dict[str, models.Question]
) -> list[UserErrorType]:
    errors = []
    for i, item in enumerate(answers):
        question = questions.get(item.key)
        text = item.answer.strip()
        if question is None:
            errors.append(user_error("UNKNOWN_QUESTION", f"no question {item.key!r}", str(i)))
        elif question.required and not text:
            errors.append(user_error("ANSWER_REQUIRED", f"{item.key!r} needs an answer", str(i)))
        elif question.answer_type == "email" and not all(
            EMAIL.match(part.strip()) for part in text.split(",")
        ):
            errors.append(user_error("INVALID_EMAIL", f"{text!r} is not an email address", str(i)))
    return errors


def _prefs_errors(prefs: RepresentationPrefsInput, document: Any) -> list[UserErrorType]:
    repeated = [
        user_error("INVALID_PREFS", f"{project!r} is named twice", name, project)
        for name, project in prefs.repeated_projects()
    ]
    return repeated + [
        user_error("INVALID_PREFS", error.message, *map(str, error.absolute_path))
        for error in sorted(_PREFS.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


@strawberry.type
class ConfigMutations:
    @strawberry.mutation(description="Answer configuration questions (all or nothing).")
    async def answer_questions(
        self,
        info: Info,
        answers: Annotated[
            list[AnswerInput], strawberry.argument(description="The answers, by question key.")
        ],
    ) -> AnswerQuestionsPayloadType:
        async with info.context.db.write() as session:
            questions = await writes.questions_by_key(session, [a.key for a in answers])
            errors = _answer_errors(answers, questions)
            if not errors:
                await writes.save_answers(
                    session,
                    [(questions[a.key], a.answer.strip()) for a in answers],
                    owner_id=info.context.owner_id,
                )
        if errors:
            log.info("answerQuestions refused: %s", [e.code for e in errors])
        answered = (
            [QuestionType.from_model(questions[a.key]) for a in answers] if not errors else []
        )
        return AnswerQuestionsPayloadType(questions=answered, user_errors=errors)

    @strawberry.mutation(description="Record consent; the newest one given is in force.")
    async def set_consent(
        self,
        info: Info,
        level: Annotated[ConsentLevel, strawberry.argument(description="What you allow.")],
        llm_model: Annotated[
            str | None, strawberry.argument(description="The language model you allow.")
        ] = None,
    ) -> SetConsentPayloadType:
        async with info.context.db.write() as session:
            row = await writes.add_consent(
                session, level.value, llm_model, owner_id=info.context.owner_id
            )
        return SetConsentPayloadType(consent=ConsentType.from_model(row), user_errors=[])

    @strawberry.mutation(
        description="Replace a portfolio's representation preferences. They apply at once "
        "(ranking, showcased projects and their resume items, hidden skills in every skill "
        "list, compared ranking components); read them back as `representationPrefs`."
    )
    async def set_representation_prefs(
        self,
        info: Info,
        portfolio_id: PortfolioId,
        prefs: Annotated[
            RepresentationPrefsInput, strawberry.argument(description="All the preferences.")
        ],
    ) -> SetRepresentationPrefsPayloadType:
        _, pid = ids.decode(portfolio_id, "Portfolio")
        document = prefs.to_document()
        errors = _prefs_errors(prefs, document)
        if errors:
            log.info("setRepresentationPrefs refused: %s", [e.message for e in errors])
            return SetRepresentationPrefsPayloadType(prefs=None, user_errors=errors)
        async with info.context.db.write() as session:
            mine = await queries.by_uid(
                session, models.Portfolio, pid, owner_id=info.context.owner_id
            )
            if mine is None:
                missing = not_found("portfolio", "portfolioId")
                return SetRepresentationPrefsPayloadType(prefs=None, user_errors=[missing])
            await writes.put_prefs(session, pid, document, owner_id=info.context.owner_id)
        # At once: ranking, showcase, compared components, skill lists, resume items.
        await info.context.services.apply_prefs(pid, info.context.owner_id)
        stored = RepresentationPrefsType.from_json(document, utcnow())
        return SetRepresentationPrefsPayloadType(prefs=stored, user_errors=[])

    @strawberry.mutation(
        description="Soft-delete a project: hidden from listings; the others are ranked again."
    )
    async def delete_project(self, info: Info, id: Id) -> ProjectPayloadType:
        return await _set_deleted(info, id, deleted=True)

    @strawberry.mutation(description="Undo deleteProject; the projects are ranked again.")
    async def restore_project(self, info: Info, id: Id) -> ProjectPayloadType:
        return await _set_deleted(info, id, deleted=False)


async def _set_deleted(info: Info, project_id: str, *, deleted: bool) -> ProjectPayloadType:
    _, uid = ids.decode(project_id, "RepoStat")
    async with info.context.db.read() as session:
        row = await queries.by_uid(session, models.RepoStat, uid, owner_id=info.context.owner_id)
        if row is None:
            return ProjectPayloadType(project=None, user_errors=[not_found("project", "id")])
    await info.context.services.set_deleted(row, deleted)
    async with info.context.db.read() as session:
        fresh = await queries.by_uid(session, models.RepoStat, uid, owner_id=info.context.owner_id)
    return ProjectPayloadType(project=RepoStatType.from_model(fresh or row), user_errors=[])
