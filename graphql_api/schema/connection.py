"""Relay-style connections: `first`/`after`, `edges { cursor node }`, `pageInfo`,
`totalCount`. Pages are cut in SQL by keyset (see graphql_api.db.queries), never by slicing a
list in Python; a cursor is the opaque encoding of the key to resume after."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import strawberry

from graphql_api.db.queries import BadCursor, Page
from graphql_api.schema.errors import ApiError

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def encode_cursor(kind: str, values: Sequence[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str) -> list[Any] | None:
    """The key values in `cursor`, which must have been made for the same listing `kind`."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        decoded = json.loads(raw)
    except (binascii.Error, ValueError):
        decoded = None
    if not isinstance(decoded, list) or not decoded or decoded[0] != kind:
        raise ApiError(f"cursor {cursor!r} does not belong to this listing", code="BAD_CURSOR")
    return decoded[1:]


@contextmanager
def cursor_checked() -> Iterator[None]:
    """Turn a cursor whose values do not fit its listing into BAD_CURSOR."""
    try:
        yield
    except BadCursor as exc:
        raise ApiError(str(exc), code="BAD_CURSOR") from exc


def page_size(first: int | None, maximum: int) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= maximum:
        raise ApiError(f"first must be between 0 and {maximum}, got {size}", code="BAD_PAGE_SIZE")
    return size


def list_size(first: int | None, maximum: int) -> int:
    """The length of a plain (unpaginated) list field: `first`, or all up to `maximum`."""
    return page_size(maximum if first is None else first, maximum)


def build(
    page: Page[R],
    *,
    convert: Callable[[R], T],
    cursor_of: Callable[[R], str],
    after: str | None,
) -> Connection[T]:
    edges = [Edge(cursor=cursor_of(row), node=convert(row)) for row in page.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
