"""Relay-style connections: `first`/`after`, `edges { cursor node }`, `pageInfo`,
`totalCount`. Pages are cut in SQL by keyset (see graphql_api.db.queries), never by slicing a
list in Python; a cursor is the opaque encoding of the key to resume after.

`PageInfo` is strawberry.relay's. Its `Connection` and `Edge` are not used: their node type
must be a `relay.Node`, whose global IDs are encoded otherwise than ours (ids.py), and
adopting them would change every ID a client holds."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.relay import PageInfo

from graphql_api.db.queries import BadCursor, Page
from graphql_api.ingest.errors import shown
from graphql_api.schema.errors import ApiError

__all__ = ["ConnectionType", "EdgeType", "PageInfo", "Window", "window"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PAGE_SIZE = 20


@strawberry.type(name="Edge", description="One item of a page, with its cursor.")
class EdgeType(Generic[T]):
    cursor: str = strawberry.field(description="Where the page resumes after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(name="Connection", description="One page of a listing.")
class ConnectionType(Generic[T]):
    """A page's items and the cursor of each by its place in the page: the cursors (JSON
    and base64 each) are encoded only for the `edges` a query selects; a dashboard reads
    `nodes`, and a page's first and last cursors (pageInfo) are the only others made."""

    page_info: PageInfo = strawberry.field(description="Where the page is in the listing.")
    total_count: int = strawberry.field(description="Items in the whole listing.")
    _nodes: strawberry.Private[list[T]]
    _cursor_at: strawberry.Private[Callable[[int], str]]

    @classmethod
    def of(
        cls,
        nodes: list[T],
        cursor_at: Callable[[int], str],
        *,
        has_next: bool,
        has_previous: bool,
        total: int,
    ) -> ConnectionType[T]:
        """The page of `nodes`, the n-th resuming at `cursor_at(n)`."""
        return cls(
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=has_previous,
                start_cursor=cursor_at(0) if nodes else None,
                end_cursor=cursor_at(len(nodes) - 1) if nodes else None,
            ),
            total_count=total,
            _nodes=nodes,
            _cursor_at=cursor_at,
        )

    @strawberry.field(description="The page's items, with cursors.")
    def edges(self) -> list[EdgeType[T]]:
        return [
            EdgeType(cursor=self._cursor_at(n), node=node) for n, node in enumerate(self._nodes)
        ]

    @strawberry.field(description="The page's items (the edges' nodes).")
    def nodes(self) -> list[T]:
        return self._nodes


def encode_cursor(kind: str, values: Sequence[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR = 512  # characters; ours are well under 200
MAX_CURSOR_VALUE = 256  # characters of one string value in a cursor
_MAX_INT = 2**63


def decode_cursor(cursor: str | None, kind: str) -> list[Any] | None:
    """The key values in `cursor`, which must have been made for the same listing `kind`:
    a short JSON list of scalars (no NUL or lone surrogate, no NaN), else BAD_CURSOR."""
    if cursor is None:
        return None
    decoded = _parse(cursor) if len(cursor) <= MAX_CURSOR else None
    if not isinstance(decoded, list) or not decoded or decoded[0] != kind:
        raise ApiError(f"cursor {shown(cursor)} does not belong to this listing", code="BAD_CURSOR")
    if not all(_plain(value) for value in decoded[1:]):
        raise ApiError(f"cursor {shown(cursor)} holds values no listing has", code="BAD_CURSOR")
    return decoded[1:]


def _parse(cursor: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        return json.loads(raw, parse_constant=_no_constant)
    except (binascii.Error, ValueError, RecursionError):
        return None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a cursor value")


def _plain(value: Any) -> bool:
    """A value a keyset bound can hold; anything else would fail in SQL, not here."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_MAX_INT < value < _MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= MAX_CURSOR_VALUE and "\x00" not in value and _encodable(value)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the JSON)
        return False
    return True


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


@dataclass(frozen=True, slots=True)
class Window:
    """Which page of a listing: `size` items after the cursor, or before it (`backward`)."""

    size: int
    cursor: str | None
    backward: bool = False


def window(
    first: int | None, after: str | None, last: int | None, before: str | None, maximum: int
) -> Window:
    """Forwards (`first`/`after`) or backwards (`last`/`before`), never both at once."""
    if last is None and before is None:
        return Window(page_size(first, maximum), after)
    if first is not None or after is not None:
        message = "page forwards (first/after) or backwards (last/before), not both"
        raise ApiError(message, code="BAD_PAGE_SIZE")
    return Window(page_size(last, maximum), before, backward=True)


def list_size(first: int | None, maximum: int) -> int:
    """The length of a plain (unpaginated) list field: `first`, or all up to `maximum`."""
    return page_size(maximum if first is None else first, maximum)


def build(
    page: Page[R],
    *,
    convert: Callable[[R], T],
    cursor_of: Callable[[R], str],
    after: str | None = None,
    window: Window | None = None,
) -> ConnectionType[T]:
    """The connection of a page read forwards after `after`, or through `window`."""
    window = window or Window(len(page.rows), after)
    rows = page.rows
    return ConnectionType.of(
        [convert(row) for row in rows],
        lambda n: cursor_of(rows[n]),
        has_next=page.has_next if not window.backward else window.cursor is not None,
        has_previous=page.has_next if window.backward else window.cursor is not None,
        total=page.total,
    )


async def newest_first(
    context: Any,
    kind: str,
    fetch: Callable[..., Awaitable[Page[R]]],
    cursor_values: Callable[[R], Sequence[Any]],
    *,
    first: int | None,
    after: str | None,
    convert: Callable[[R], T],
    last: int | None = None,
    before: str | None = None,
) -> ConnectionType[T]:
    """A connection over one of the caller's keyset listings (`fetch` is a `queries.*_page`
    taking `owner_id`, `first`, the decoded cursor as `after`, and `backward`)."""
    page_of = window(first, after, last, before, context.settings.max_page_size)
    start = decode_cursor(page_of.cursor, kind)
    with cursor_checked():
        async with context.db.read() as session:
            page = await fetch(
                session,
                owner_id=context.owner_id,
                first=page_of.size,
                after=start,
                backward=page_of.backward,
            )
    return build(
        page,
        convert=convert,
        cursor_of=lambda row: encode_cursor(kind, cursor_values(row)),
        window=page_of,
    )


# --- child lists: pages of one parent's children, cut from a batch ---------------------------

MAX_OFFSET = 2**31  # a cursor past this points at no child any parent has


def child_start(after: str | None, kind: str) -> int:
    """Where a page of children starts: after the child at the offset `after` holds."""
    values = decode_cursor(after, kind)
    if values is None:
        return 0
    if len(values) != 1 or not isinstance(values[0], int) or not 0 <= values[0] < MAX_OFFSET:
        raise ApiError(f"cursor {shown(after or '')} holds no place in a list", code="BAD_CURSOR")
    return values[0] + 1


def child_page(
    rows: Sequence[R],
    total: int,
    *,
    start: int,
    size: int,
    kind: str,
    convert: Callable[[R], T],
) -> ConnectionType[T]:
    """The connection of `size` children from `start`, given the parent's children read from
    `start` on (or from 0: `rows` then holds more than the page) and their count."""
    return ConnectionType.of(
        [convert(row) for row in rows[:size]],
        lambda n: encode_cursor(kind, [start + n]),
        has_next=start + size < total,
        has_previous=start > 0,
        total=total,
    )
