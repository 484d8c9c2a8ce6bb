"""Opaque global IDs: base64url of "TypeName:uid".

The uid is random (uuid4), so an ID reveals no row count and cannot be guessed by counting;
the type name lets `node(id:)` find the table.
"""

from __future__ import annotations

import base64
import binascii

from graphql_api.ingest.errors import shown
from graphql_api.schema.errors import ApiError

MAX_UID = 64  # ours are 32 hex digits; anything much longer is not one of ours


def encode(type_name: str, uid: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{uid}".encode()).decode().rstrip("=")


def decode(global_id: str, expected: str | None = None) -> tuple[str, str]:
    """Split an ID into (type name, uid); raise BAD_ID when it is not one of ours."""
    type_name, uid = _split(global_id) if len(global_id) <= 4 * MAX_UID else ("", "")
    valid = type_name and uid.isascii() and uid.isalnum() and len(uid) <= MAX_UID
    if not valid or (expected and type_name != expected):
        wanted = f" of a {expected}" if expected else ""
        raise ApiError(f"{shown(global_id)} is not a valid ID{wanted}", code="BAD_ID")
    return type_name, uid


def _split(global_id: str) -> tuple[str, str]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, uid = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", ""
    return type_name, uid
