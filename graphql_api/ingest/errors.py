"""Typed errors of the ingest package.

Every failure a client can cause is an ``IngestError`` whose ``code`` is one of the stable
``IngestErrorCode`` values below (GraphQL payloads and HTTP bodies carry it as is) and whose
message names the offending value.  Anything else that escapes this package is a server bug.

    IngestError
      code: IngestErrorCode
        UPLOAD_TOO_LARGE        the upload passed UploadLimits.max_upload_bytes (HTTP 413)
        UPLOAD_NOT_FOUND        a malformed upload id, or one with no stored file (HTTP 404)
        UPLOAD_STALLED          the client sent nothing for UploadStore.idle_timeout (HTTP 408)
        UPLOAD_TIMEOUT          a request body not whole within its deadline (HTTP 408)
        UPLOAD_TOO_SLOW         a request body arriving under the minimum rate (HTTP 408)
        HEAD_TIMEOUT            a request head not whole within its deadline (HTTP 408)
        DISK_FULL               no space left to store or extract an upload (HTTP 507)
        STORE_UNAVAILABLE       the upload store (an S3 bucket) could not be reached (HTTP 503)
        QUOTA_EXCEEDED          the owner's stored uploads would pass their quota (HTTP 413)
        PAYLOAD_TOO_LARGE       a request body passed the middleware's cap (HTTP 413)
        EMPTY_UPLOAD            zero bytes uploaded, or an archive without a single file
        NOT_A_ZIP               the first bytes are not a ZIP signature (HTTP 415)
        UNSUPPORTED_MEDIA_TYPE  the upload route got a Content-Type it does not take (HTTP 415)
        CSRF_HEADER_REQUIRED    a simple cross-site request without a preflight header (HTTP 403)
        ARCHIVE_CORRUPT         not a ZIP, truncated, bad CRC, overlapping entries
        ARCHIVE_UNSAFE_PATH     "..", absolute, "\\", "C:", control chars, device files
        ARCHIVE_SYMLINK         an entry whose Unix mode says symbolic link
        ARCHIVE_DUPLICATE_ENTRY two entries that land on the same path (or a file/dir clash)
        ARCHIVE_TOO_LARGE       entry/total size or compression ratio over ArchiveLimits
        TOO_MANY_ENTRIES        more entries than ArchiveLimits.max_entries
        ARCHIVE_TOO_DEEP        more path components than max_depth, or a path over max_path_length
        ARCHIVE_ENCRYPTED       an entry with the encryption flag (traditional or strong)
        ARCHIVE_UNSUPPORTED     a compression method other than stored/deflate/bzip2/lzma

Messages quote client values through ``shown`` (at most SHOWN_CHARS characters) and are cut
to MESSAGE_CHARS.
"""

from __future__ import annotations

import errno
from enum import StrEnum

SHOWN_CHARS = 64  # of a client-given value quoted in an error message
MESSAGE_CHARS = 500  # of any error message a client sees (and the log line that repeats it)


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with its length named,
    so a megabyte ID is neither echoed whole nor logged whole."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    return f"{text[:limit]!r}... ({len(text)} characters)"


def clip(message: str, limit: int = MESSAGE_CHARS) -> str:
    """A message cut to ``limit`` characters: the backstop behind ``shown``."""
    return message if len(message) <= limit else message[: limit - 3] + "..."


class IngestErrorCode(StrEnum):
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    UPLOAD_NOT_FOUND = "UPLOAD_NOT_FOUND"
    UPLOAD_STALLED = "UPLOAD_STALLED"
    UPLOAD_TIMEOUT = "UPLOAD_TIMEOUT"
    UPLOAD_TOO_SLOW = "UPLOAD_TOO_SLOW"
    HEAD_TIMEOUT = "HEAD_TIMEOUT"
    DISK_FULL = "DISK_FULL"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    EMPTY_UPLOAD = "EMPTY_UPLOAD"
    NOT_A_ZIP = "NOT_A_ZIP"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    CSRF_HEADER_REQUIRED = "CSRF_HEADER_REQUIRED"
    ARCHIVE_CORRUPT = "ARCHIVE_CORRUPT"
    ARCHIVE_UNSAFE_PATH = "ARCHIVE_UNSAFE_PATH"
    ARCHIVE_SYMLINK = "ARCHIVE_SYMLINK"
    ARCHIVE_DUPLICATE_ENTRY = "ARCHIVE_DUPLICATE_ENTRY"
    ARCHIVE_TOO_LARGE = "ARCHIVE_TOO_LARGE"
    TOO_MANY_ENTRIES = "TOO_MANY_ENTRIES"
    ARCHIVE_TOO_DEEP = "ARCHIVE_TOO_DEEP"
    ARCHIVE_ENCRYPTED = "ARCHIVE_ENCRYPTED"
    ARCHIVE_UNSUPPORTED = "ARCHIVE_UNSUPPORTED"


class IngestError(Exception):
    """A client-caused ingest failure with a stable ``code`` and a readable message."""

    def __init__(self, code: IngestErrorCode, message: str) -> None:
        message = clip(message)
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"IngestError({self.code.value}, {self.message!r})"


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC or EDQUOT: the server's disk (or the user's quota) is full, not a bug."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full(what: str) -> IngestError:
    """The DISK_FULL error for `what` could not be written; no server path in it."""
    return IngestError(IngestErrorCode.DISK_FULL, f"no space left on the server to {what}")
