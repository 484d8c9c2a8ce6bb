"""POST /uploads: a ZIP sent as the raw request body, streamed to the ``UploadStore``.

The GraphQL multipart path (``uploadPortfolio(files: [Upload!]!)``) makes the form parser spool
each file to a temporary file before a resolver runs; this route writes the body once, straight
into the store, and answers an id the GraphQL layer can take instead of a file.

Request: ``Content-Type`` application/zip, application/x-zip-compressed or
application/octet-stream; the display name from an ``X-Filename`` header (percent-encoded for
non-ASCII) or a ``?filename=`` query parameter.  Answer 201:
``{"uploadId", "size", "sha256", "filename"}``.  Errors use the GraphQL error shape of
``middleware.graphql_error_body`` with these codes and statuses:

    403 CSRF_HEADER_REQUIRED    see below
    415 UNSUPPORTED_MEDIA_TYPE  another or no Content-Type
    413 UPLOAD_TOO_LARGE        Content-Length over the limit (answered unread) or body over it
    400 EMPTY_UPLOAD            no bytes
    415 NOT_A_ZIP               the first bytes are not a ZIP signature (checked as they arrive,
                                so a wrong file is refused without storing it; 415 because it is
                                the content, not the request, that is of the wrong type)

CSRF: a POST whose Content-Type is application/x-www-form-urlencoded, multipart/form-data or
text/plain is a CORS "simple request" a hostile page can send with the user's cookies, and a
server that accepts any Content-Type invites that.  ``csrf_check`` decides whether a request
may proceed; the default accepts an ``Authorization: Bearer`` header (not sent by browsers on
their own) or any header a browser cannot add without a preflight (the ones Apollo and
Strawberry's own CSRF guard use).  Pass ``csrf_check=None`` to switch it off.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.limits import UploadLimits
from graphql_api.ingest.middleware import graphql_error_body
from graphql_api.ingest.store import StoredUpload, UploadStore

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "PREFLIGHT_HEADERS",
    "CsrfCheck",
    "error_response",
    "has_bearer_or_preflight_header",
    "http_status",
    "make_upload_route",
]

CsrfCheck = Callable[[Request], bool]
OnStored = Callable[[Request, StoredUpload], Awaitable[None]]

ACCEPTED_CONTENT_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
)
PREFLIGHT_HEADERS = ("x-requested-with", "apollo-require-preflight", "x-apollo-operation-name")

C = IngestErrorCode
_STATUS = {
    C.CSRF_HEADER_REQUIRED: 403,
    C.UPLOAD_NOT_FOUND: 404,
    C.UPLOAD_TOO_LARGE: 413,
    C.PAYLOAD_TOO_LARGE: 413,
    C.NOT_A_ZIP: 415,
    C.UNSUPPORTED_MEDIA_TYPE: 415,
    C.EMPTY_UPLOAD: 400,
    C.UPLOAD_STALLED: 408,
    C.UPLOAD_TIMEOUT: 408,
    C.UPLOAD_TOO_SLOW: 408,
    C.DISK_FULL: 507,
    C.STORE_UNAVAILABLE: 503,
    C.QUOTA_EXCEEDED: 413,
}


def has_bearer_or_preflight_header(request: Request) -> bool:
    """The default ``csrf_check``: proof the request is not a cross-site simple request."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return True
    return any(name in request.headers for name in PREFLIGHT_HEADERS)


def http_status(code: IngestErrorCode) -> int:
    """The HTTP status of an ingest error; archive problems are 422 (well-formed, refused)."""
    return _STATUS.get(code, 422)


def error_response(error: IngestError) -> Response:
    return Response(
        graphql_error_body(error.message, error.code),
        status_code=http_status(error.code),
        media_type="application/json",
    )


def make_upload_route(
    store: UploadStore,
    limits: UploadLimits,
    *,
    path: str = "/uploads",
    csrf_check: CsrfCheck | None = has_bearer_or_preflight_header,
    on_stored: OnStored | None = None,
) -> Route:
    """The POST route; ``on_stored`` lets the app record the upload (and whose it is) before
    answering; if it raises, the stored file is removed."""

    async def upload(request: Request) -> Response:
        try:
            _check_request(request, limits, csrf_check)
            stored = await store.save_stream(
                request.stream(), _filename(request), limits.max_upload_bytes
            )
        except IngestError as error:
            return error_response(error)
        except ClientDisconnect:
            return Response(status_code=400)  # the store removed the partial file; nobody reads
        if on_stored is not None:
            try:
                await on_stored(request, stored)
            except BaseException as exc:
                await store.discard(stored.id)
                if isinstance(exc, IngestError):  # refused (a quota): typed, nothing kept
                    return error_response(exc)
                raise
        return JSONResponse(_stored_json(stored), status_code=201)

    return Route(path, upload, methods=["POST"], name="upload")


def _check_request(request: Request, limits: UploadLimits, csrf_check: CsrfCheck | None) -> None:
    if csrf_check is not None and not csrf_check(request):
        names = ", ".join(PREFLIGHT_HEADERS)
        raise IngestError(
            C.CSRF_HEADER_REQUIRED,
            f"send an Authorization: Bearer header or one of these headers: {names}",
        )
    raw_type = request.headers.get("content-type", "")
    media_type = raw_type.partition(";")[0].strip().lower()
    if media_type not in ACCEPTED_CONTENT_TYPES:
        accepted = ", ".join(sorted(ACCEPTED_CONTENT_TYPES))
        raise IngestError(
            C.UNSUPPORTED_MEDIA_TYPE, f"Content-Type {raw_type!r} is not one of {accepted}"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_upload_bytes:  # refuse it unread
        raise IngestError(
            C.UPLOAD_TOO_LARGE,
            f"Content-Length {declared} is over the limit of {limits.max_upload_bytes} bytes",
        )


def _filename(request: Request) -> str:
    header = request.headers.get("x-filename")
    if header is not None:
        return unquote(header)
    return request.query_params.get("filename", "upload.zip")


def _stored_json(stored: StoredUpload) -> dict[str, object]:
    return {
        "uploadId": stored.id,
        "size": stored.size,
        "sha256": stored.sha256,
        "filename": stored.filename,
    }
