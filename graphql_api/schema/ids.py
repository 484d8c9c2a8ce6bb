"""Opaque global IDs: base64url of "TypeName:uid".

The uid is random (uuid4), so an ID reveals no row count and cannot be guessed by counting;
the type name lets `node(id:)` find the table.
"""

from __future__ import annotations

import base64
import binascii

from graphql_api.schema.errors import ApiError


def encode(type_name: str, uid: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{uid}".encode()).decode().rstrip("=")


def decode(global_id: str, expected: str | None = None) -> tuple[str, str]:
    """Split an ID into (type name, uid); raise BAD_ID when it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, uid = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        type_name, uid = "", ""
    if not type_name or not uid.isalnum() or (expected and type_name != expected):
        wanted = f" of a {expected}" if expected else ""
        raise ApiError(f"{global_id!r} is not a valid ID{wanted}", code="BAD_ID")
    return type_name, uid
