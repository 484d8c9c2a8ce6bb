"""The upload store that UPLOAD_STORE names (README, "Deploying"): the same one for every API
process and worker of a deployment."""

from __future__ import annotations

from graphql_api.ingest.store import LocalUploadStore, UploadStore
from graphql_api.settings import Settings

__all__ = ["upload_store"]


def upload_store(settings: Settings) -> UploadStore:
    """The store UPLOAD_STORE names: every API process and worker must name the same one."""
    if settings.upload_store == "local":
        return LocalUploadStore(settings.uploads_dir)
    if settings.upload_store == "s3":
        if not settings.s3_bucket:
            raise ValueError("UPLOAD_STORE=s3 needs S3_BUCKET")
        from graphql_api.ingest.s3 import S3UploadStore

        return S3UploadStore(
            settings.s3_bucket,
            settings.spool_dir,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region or None,
            stale_after=settings.upload_deadline + 600,
        )
    raise ValueError(f"UPLOAD_STORE must be local or s3, not {settings.upload_store!r}")
