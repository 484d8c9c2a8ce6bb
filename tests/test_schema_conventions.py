"""The schema's conventions: Python `XType` (objects, interfaces) and `XInput` (inputs) for the
GraphQL type `X`; every closed set an enum whose values all have descriptions."""

from __future__ import annotations

from enum import StrEnum

import pytest
from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from graphql_api.ingest.errors import IngestErrorCode
from graphql_api.schema import build_schema
from graphql_api.schema.enums import EvidenceKind, UserErrorCode, described
from graphql_api.schema.errors import ApiError
from graphql_api.schema.types import found
from mining.analyze import EvidenceType

ROOTS = {"Query", "Mutation", "Subscription"}


def _named_types() -> list[tuple[str, type, bool, bool]]:
    """(GraphQL name, the Python class behind it, is an input, is generic) of ours."""
    schema = build_schema()._schema
    found = []
    for name, gql_type in schema.type_map.items():
        kinds = GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        if name.startswith("__") or name in ROOTS or not isinstance(gql_type, kinds):
            continue
        definition = gql_type.extensions["strawberry-definition"]
        origin = definition.origin
        if origin.__module__.startswith("graphql_api"):
            is_input = isinstance(gql_type, GraphQLInputObjectType)
            generic = definition.specialized_type_var_map is not None
            found.append((name, origin, is_input, generic))
    return found


def test_every_type_is_named_x_type_or_x_input() -> None:
    wrong = []
    for name, origin, is_input, generic in _named_types():
        if generic:  # RepoStatConnection is ConnectionType[RepoStatType]
            ok = origin.__name__.endswith("Type")
        elif is_input:  # AnswerInput, or ProjectFilterInput for ProjectFilter
            ok = origin.__name__ == (name if name.endswith("Input") else name + "Input")
        else:
            ok = origin.__name__ == name + "Type"
        if not ok:
            wrong.append(f"{origin.__module__}.{origin.__name__} is the GraphQL type {name}")
    assert wrong == [], "name the class XType (XInput) with @strawberry.type(name='X')"


def test_the_ingest_codes_are_user_error_codes() -> None:
    assert {c.name for c in IngestErrorCode} <= {c.name for c in UserErrorCode}


def test_every_mined_evidence_type_is_an_evidence_kind() -> None:
    assert {(t.name, t.value) for t in EvidenceType} <= {(k.name, k.value) for k in EvidenceKind}


def test_an_enum_value_without_a_description_is_refused_by_name() -> None:
    class Colour(StrEnum):
        RED = "red"
        BLUE = "blue"

    with pytest.raises(ValueError, match=r"enum Colour: no description for \['BLUE'\]"):
        described(Colour, "Colour", "A colour.", {"RED": "Red."})


def test_a_related_row_gone_is_not_found_not_a_server_error() -> None:
    with pytest.raises(ApiError) as raised:
        found(None, "project")
    assert (raised.value.code, str(raised.value)) == ("NOT_FOUND", "no such project")
    assert found("row", "project") == "row"
