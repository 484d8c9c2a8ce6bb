"""Frozen settings, read from the environment once (at start-up) and passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


class _Reader:
    """Numbers and flags from the environment; a number's default is the Settings field named
    like its variable in lower case, unless another field is named."""

    def __init__(self, env: Mapping[str, str], defaults: Settings) -> None:
        self._env = env
        self._defaults = defaults

    def _get(self, var: str, field: str | None) -> str:
        return self._env.get(var, str(getattr(self._defaults, field or var.lower())))

    def integer(self, var: str, field: str | None = None) -> int:
        return int(self._get(var, field))

    def number(self, var: str, field: str | None = None) -> float:
        return float(self._get(var, field))

    def flag(self, var: str) -> bool:
        return self._env.get(var, "") in {"1", "true", "yes"}


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: a SQLite file inside data_dir
    host: str = "127.0.0.1"
    port: int = 8000
    # Origins allowed by CORS and by the websocket handshake; empty allows same-origin only.
    allowed_origins: tuple[str, ...] = ()
    max_page_size: int = 100
    max_upload_bytes: int = 2 * 1024**3
    max_thumbnail_bytes: int = 5 * 1024**2  # one picture sent to setProjectThumbnail
    # Query bounds (README, "Limits"); each refused query gets its own extensions.code.
    max_query_depth: int = 10
    max_query_aliases: int = 30
    max_query_tokens: int = 2000
    max_query_fields: int = 2000  # field selections once fragments are expanded
    max_query_cost: int = 100_000  # GitHub's node count over the requested page sizes
    # Seconds per GraphQL request over HTTP, and to the first result of an operation over a
    # websocket; 0 turns it off.
    request_timeout: float = 30.0
    max_json_body_bytes: int = 1024**2  # a non-multipart POST to /graphql
    # Per token (per client address without one), in-memory: `limits` notation, "" is off.
    rate_limit_mutations: str = "60/minute"
    rate_limit_uploads: str = "10/minute"
    rate_limit_subscribes: str = "120/minute"  # websocket subscribe/start messages
    max_subscriptions_per_connection: int = 20  # operations running on one websocket
    mining_concurrency: int = 2
    workers: int = 1  # uvicorn worker processes of `artifact-miner serve`
    # Where jobs wait: "local" (in this process, the default) or "postgres" (procrastinate on
    # DATABASE_URL, taken by `artifact-miner worker` processes; see README, "Scaling out").
    queue: str = "local"
    with_worker: bool = False  # `serve --with-worker`: this API process mines too
    worker_jobs: int = 1  # jobs one worker process runs at once
    worker_heartbeat_seconds: float = 10.0  # how often a worker says it is alive
    worker_stalled_seconds: float = 30.0  # a worker silent this long is dead: its job is retried
    worker_shutdown_seconds: float = 30.0  # a stopping worker waits this long, then hands back
    mining_processes: int = 0  # git processes one long history is read with; 0: the cores
    # Limits of a job and quotas of an owner (see README, "Jobs and faults").
    job_deadline_seconds: float = 3600.0  # one attempt of a job, start to final write
    max_stored_bytes_per_owner: int = 20 * 1024**3  # uploaded ZIPs kept in portfolios
    max_projects_per_upload: int = 500
    max_active_jobs_per_owner: int = 2  # queued or running, across the owner's portfolios
    require_auth: bool = False
    # Slow clients: a request body (uploads, multipart GraphQL) must arrive whole within
    # upload_deadline seconds, at upload_min_rate bytes/s on average once upload_rate_grace
    # seconds have passed; a request head within head_timeout seconds of the connection (or
    # of the previous response); an idle keep-alive connection is closed after keep_alive.
    upload_deadline: float = 3600.0
    upload_min_rate: float = 16 * 1024
    upload_rate_grace: float = 10.0
    head_timeout: float = 10.0
    keep_alive: int = 5
    # Without REQUIRE_AUTH, `serve` refuses a non-loopback host unless this is set.
    allow_anonymous_remote: bool = False
    # Operations (README, "Operations"): log lines as text or JSON; /metrics for a bearer of
    # metrics_token, or for loopback clients only when it is empty; seconds a stopping server
    # waits for requests in flight before it closes them.
    # Where uploads are kept (README, "Deploying"): "local" (uploads_dir, a shared volume
    # across machines) or "s3" (a bucket; credentials from the usual AWS variables or files).
    upload_store: str = "local"
    s3_bucket: str = ""
    s3_prefix: str = "uploads/"
    s3_endpoint_url: str = ""  # empty: AWS; else any S3-compatible server (MinIO, Ceph, ...)
    s3_region: str = ""
    log_format: str = "text"
    metrics_token: str = field(default="", repr=False)
    # `artifact-miner worker`: its own /metrics listener (0: none), loopback unless told.
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    shutdown_grace_seconds: int = 30
    llm_local_url: str = "http://127.0.0.1:11434"
    llm_cloud_url: str = ""
    llm_cloud_key: str = field(default="", repr=False)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'artifact-miner.db').resolve()}"

    @property
    def distributed(self) -> bool:
        """Whether jobs and events go through PostgreSQL (QUEUE=postgres)."""
        return self.queue == "postgres"

    @property
    def mines_here(self) -> bool:
        """Whether an API process runs mining jobs: always with the local queue."""
        return not self.distributed or self.with_worker

    def check_queue(self) -> None:
        """ValueError for a QUEUE that cannot work with the DATABASE_URL."""
        if self.queue not in {"local", "postgres"}:
            raise ValueError(f"QUEUE must be local or postgres, not {self.queue!r}")
        if self.distributed and not self.sqlalchemy_url.startswith("postgresql"):
            raise ValueError("QUEUE=postgres needs DATABASE_URL=postgresql+asyncpg://...")

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def extracted_dir(self) -> Path:
        return self.data_dir / "extracted"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def spool_dir(self) -> Path:
        """UPLOAD_STORE=s3: uploads on their way to the bucket, and copies read back."""
        return self.data_dir / "spool"

    @property
    def scratch_dir(self) -> Path:
        """Clean copies and git's HOME while mining; swept at start-up."""
        return self.data_dir / "scratch"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        read = _Reader(env, defaults)
        return cls(
            data_dir=Path(env.get("DATA_DIR", str(defaults.data_dir))),
            database_url=env.get("DATABASE_URL", ""),
            host=env.get("HOST", defaults.host),
            port=read.integer("PORT"),
            allowed_origins=_split(env.get("ALLOWED_ORIGINS", "")),
            max_page_size=read.integer("MAX_PAGE_SIZE"),
            max_upload_bytes=read.integer("MAX_UPLOAD_BYTES"),
            max_thumbnail_bytes=read.integer("MAX_THUMBNAIL_BYTES"),
            max_query_depth=read.integer("MAX_QUERY_DEPTH"),
            max_query_aliases=read.integer("MAX_QUERY_ALIASES"),
            max_query_tokens=read.integer("MAX_QUERY_TOKENS"),
            max_query_fields=read.integer("MAX_QUERY_FIELDS"),
            max_query_cost=read.integer("MAX_QUERY_COST"),
            request_timeout=read.number("REQUEST_TIMEOUT"),
            max_json_body_bytes=read.integer("MAX_JSON_BODY_BYTES"),
            rate_limit_mutations=env.get("RATE_LIMIT_MUTATIONS", defaults.rate_limit_mutations),
            rate_limit_uploads=env.get("RATE_LIMIT_UPLOADS", defaults.rate_limit_uploads),
            rate_limit_subscribes=env.get("RATE_LIMIT_SUBSCRIBES", defaults.rate_limit_subscribes),
            max_subscriptions_per_connection=read.integer("MAX_SUBSCRIPTIONS_PER_CONNECTION"),
            mining_concurrency=read.integer("MINING_CONCURRENCY"),
            workers=max(1, read.integer("WORKERS")),
            queue=env.get("QUEUE", defaults.queue).strip().lower() or defaults.queue,
            with_worker=read.flag("WITH_WORKER"),
            worker_jobs=max(1, read.integer("WORKER_JOBS")),
            worker_heartbeat_seconds=read.number("WORKER_HEARTBEAT_SECONDS"),
            worker_stalled_seconds=read.number("WORKER_STALLED_SECONDS"),
            worker_shutdown_seconds=read.number("WORKER_SHUTDOWN_SECONDS"),
            mining_processes=int(env.get("MINING_PROCESSES") or defaults.mining_processes),
            job_deadline_seconds=read.number("JOB_DEADLINE_SECONDS"),
            max_stored_bytes_per_owner=read.integer("MAX_STORED_BYTES_PER_OWNER"),
            max_projects_per_upload=read.integer("MAX_PROJECTS_PER_UPLOAD"),
            max_active_jobs_per_owner=read.integer("MAX_ACTIVE_JOBS_PER_OWNER"),
            require_auth=read.flag("REQUIRE_AUTH"),
            upload_deadline=read.number("UPLOAD_DEADLINE_SECONDS", "upload_deadline"),
            upload_min_rate=read.number("UPLOAD_MIN_BYTES_PER_SECOND", "upload_min_rate"),
            upload_rate_grace=read.number("UPLOAD_RATE_GRACE_SECONDS", "upload_rate_grace"),
            head_timeout=read.number("HEAD_TIMEOUT_SECONDS", "head_timeout"),
            keep_alive=read.integer("KEEP_ALIVE_SECONDS", "keep_alive"),
            allow_anonymous_remote=read.flag("ALLOW_ANONYMOUS_REMOTE"),
            upload_store=env.get("UPLOAD_STORE", defaults.upload_store).strip().lower() or "local",
            s3_bucket=env.get("S3_BUCKET", ""),
            s3_prefix=env.get("S3_PREFIX", defaults.s3_prefix),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", ""),
            s3_region=env.get("S3_REGION", "") or env.get("AWS_DEFAULT_REGION", ""),
            log_format=env.get("LOG_FORMAT", defaults.log_format).strip().lower() or "text",
            metrics_token=env.get("METRICS_TOKEN", ""),
            metrics_port=int(env.get("METRICS_PORT") or defaults.metrics_port),
            metrics_host=env.get("METRICS_HOST", defaults.metrics_host),
            shutdown_grace_seconds=read.integer("SHUTDOWN_GRACE_SECONDS"),
            llm_local_url=env.get("LLM_LOCAL_URL", defaults.llm_local_url),
            llm_cloud_url=env.get("LLM_CLOUD_URL", ""),
            llm_cloud_key=env.get("LLM_CLOUD_KEY", ""),
        )
