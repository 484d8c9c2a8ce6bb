"""Upload streaming and safe ZIP extraction.

A leaf package: it imports nothing from ``graphql_api.schema``, ``graphql_api.db``,
``graphql_api.jobs`` or ``mining``; those call into it.

- ``limits``: ``ArchiveLimits`` and ``UploadLimits``.
- ``errors``: ``IngestError`` and its stable ``IngestErrorCode`` values.
- ``extract``: ``extract_zip`` (blocking; run it in a worker thread).
- ``store``: the ``UploadStore`` interface and ``LocalUploadStore``, which streams uploads to
  disk with a size cap and a sha256; ``s3``: ``S3UploadStore``, the same in a bucket.
- ``middleware``: ``BodySizeLimitMiddleware``, a request body cap for any ASGI app.
- ``deadline``: ``BodyDeadlineMiddleware``, a total deadline and a minimum rate for bodies.
- ``routes``: ``make_upload_route``, POST /uploads taking a raw ZIP body.
"""

from graphql_api.ingest.deadline import BodyDeadlineMiddleware
from graphql_api.ingest.errors import IngestError, IngestErrorCode
from graphql_api.ingest.extract import ExtractionResult, extract_zip
from graphql_api.ingest.limits import ArchiveLimits, UploadLimits
from graphql_api.ingest.middleware import BodySizeLimitMiddleware
from graphql_api.ingest.routes import make_upload_route
from graphql_api.ingest.store import LocalUploadStore, StoredUpload, UploadStore

__all__ = [
    "ArchiveLimits",
    "BodyDeadlineMiddleware",
    "BodySizeLimitMiddleware",
    "ExtractionResult",
    "IngestError",
    "IngestErrorCode",
    "LocalUploadStore",
    "StoredUpload",
    "UploadLimits",
    "UploadStore",
    "extract_zip",
    "make_upload_route",
]
