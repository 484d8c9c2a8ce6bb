"""The application factory. No module-level engine: the lifespan owns every resource."""

from __future__ import annotations

import dataclasses
import fcntl
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from graphql_api import graphiql, http_rules
from graphql_api.auth import NOBODY, Caller, CallerMiddleware, local_caller, resolve_caller
from graphql_api.db import curation, migrate
from graphql_api.db.engine import Database
from graphql_api.http_rules import JsonBodyLimitMiddleware
from graphql_api.ingest import (
    ArchiveLimits,
    BodyDeadlineMiddleware,
    BodySizeLimitMiddleware,
    IngestError,
    IngestErrorCode,
    StoredUpload,
    UploadLimits,
    UploadStore,
    make_upload_route,
)
from graphql_api.ingest.backends import upload_store
from graphql_api.jobs.bus import InProcessBus
from graphql_api.jobs.exports import export_file
from graphql_api.jobs.queue import LocalQueue
from graphql_api.jobs.runner import JobRunner
from graphql_api.jobs.service import JobStateError, Services
from graphql_api.ops import metrics, probes
from graphql_api.ops.middleware import RequestIdMiddleware
from graphql_api.present import card_route
from graphql_api.ratelimit import RateLimits, UploadRateLimitMiddleware
from graphql_api.schema import build_schema
from graphql_api.schema.context import Context
from graphql_api.schema.loaders import Loaders
from graphql_api.security import CsrfMiddleware
from graphql_api.settings import Settings
from graphql_api.websockets import LegacyWSHandler, TransportWSHandler

log = logging.getLogger("graphql_api")
EXPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

# Multipart framing around the files; the files themselves are capped by max_upload_bytes.
MULTIPART_SLACK = 1024 * 1024
# How often, with several workers, the one running jobs looks for jobs the others queued.
POLL_SECONDS = 0.5


@dataclass
class AppState:
    """What the lifespan creates and the request handlers use."""

    settings: Settings
    rate_limits: RateLimits
    services: Services | None = None
    database_probe: probes.DatabaseProbe | None = None
    local: Caller | None = None  # the local owner, once looked up (it is never deleted)

    def ready(self) -> Services:
        if self.services is None:
            raise RuntimeError("the application's lifespan has not started")
        return self.services


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, state: AppState) -> None:
        super().__init__(
            build_schema(state.settings),
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            # Deliberate: uploads use the GraphQL multipart request spec. CsrfMiddleware
            # refuses multipart requests that could come from a cross-site form.
            multipart_uploads_enabled=True,
            # Browsers' websocket handshakes from other origins are refused unless listed.
            allowed_origins=state.settings.allowed_origins,
        )
        self.max_subscriptions_per_connection = state.settings.max_subscriptions_per_connection
        self.state = state

    async def run(self, request: Request | WebSocket, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().run(request, *args, **kwargs)
        except HTTPException as error:  # Strawberry's refusals, as JSON with a code
            return http_rules.refusal(request, error)
        finally:
            if isinstance(request, Request):
                await request.close()  # the parsed multipart form: every uploaded file

    async def execute_operation(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        run = super().execute_operation(request, *args, **kwargs)
        return await http_rules.within_deadline(run, self.state.settings.request_timeout, request)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        services = self.state.ready()
        # HTTP: CallerMiddleware decided. A websocket is decided in on_ws_connect; until
        # then it acts for nobody.
        caller: Caller = request.scope.get("state", {}).get("caller") or Caller(NOBODY)
        # One connection at a time per request (or websocket), for every session it opens:
        # resolvers, loaders and the services the mutations call.
        db = services.db.serialised()
        return Context(
            db=db,
            settings=self.state.settings,
            loaders=Loaders.create(db, caller.owner_id),
            owner_id=caller.owner_id,
            token_id=caller.token_id,
            request=request,
            services=dataclasses.replace(services, db=db),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A websocket acts for the owner of the token in its handshake's Authorization
        header or in its connection_init payload (browsers cannot set headers); without
        either, for the local owner unless REQUIRE_AUTH. A bad token is refused (4403)."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = context.request.headers.get("authorization") or params.get("authorization")
        caller = await resolve_caller(
            context.db,
            header if header is None or isinstance(header, str) else "Bearer -",  # bad
            require_auth=self.state.settings.require_auth,
            local=self.state.local,
        )
        if caller is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.owner_id, context.token_id = caller.owner_id, caller.token_id
        context.loaders = context.fresh_loaders()
        return cast(UnsetType, UNSET)  # an ack without a payload

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql.PAGE)


@contextmanager
def _runner_lock(data_dir: Path) -> Iterator[bool]:
    """Whether this process runs the mining jobs: of several workers (WORKERS > 1) the one
    that holds an exclusive lock on DATA_DIR/jobs.lock does. The lock goes with the process,
    so a worker started after a crash takes over (and re-queues what the dead one ran)."""
    with (data_dir / "jobs.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


async def _prepare_data_dir(settings: Settings, store: UploadStore) -> None:
    """DATA_DIR's folders, private to the server's user (uploaded code is), and the partial
    uploads of processes that died mid-upload removed."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    folders = [settings.uploads_dir, settings.extracted_dir, settings.exports_dir]
    if settings.upload_store == "s3":
        folders.append(settings.spool_dir)
    for folder in folders:
        folder.mkdir(exist_ok=True)
        folder.chmod(0o700)
    swept = await store.sweep()
    if swept:
        log.info("removed %d partial uploads left by stopped processes", swept)


@asynccontextmanager
async def _embedded(
    db: Database, settings: Settings, store: UploadStore, state: AppState
) -> AsyncIterator[None]:
    """QUEUE=local: events in process, jobs run by this process's runner. Of several worker
    processes (WORKERS > 1) only the one holding DATA_DIR/jobs.lock runs jobs, polling the
    database for those the others queued."""
    bus = InProcessBus()
    several = settings.workers > 1
    runner = JobRunner(
        db, settings, bus, poll_interval=POLL_SECONDS if several else None, store=store
    )
    state.services = Services(
        db, settings, bus, runner, store, ArchiveLimits(), queue=LocalQueue(runner)
    )
    if not settings.require_auth:  # requests without a token act for the local owner
        state.local = await local_caller(db)
    with _runner_lock(settings.data_dir) if several else nullcontext(True) as leading:
        if leading:
            await runner.start()
        try:
            yield
        finally:
            await runner.stop()


@asynccontextmanager
async def _distributed(
    db: Database, settings: Settings, store: UploadStore, state: AppState
) -> AsyncIterator[None]:
    """QUEUE=postgres: events over LISTEN/NOTIFY, jobs deferred to procrastinate; mined here
    too only with `serve --with-worker` (else by `artifact-miner worker` processes)."""
    from graphql_api.jobs.pgbus import PostgresBus
    from graphql_api.jobs.queue import PostgresQueue, build_app, running_worker

    async with AsyncExitStack() as stack:
        bus = PostgresBus(settings.sqlalchemy_url)
        await bus.start()
        stack.push_async_callback(bus.stop)
        runner = JobRunner(db, settings, bus, store=store)
        engine = build_app(settings)
        await engine.open_async()
        stack.push_async_callback(engine.close_async)
        queue = PostgresQueue(engine, bus)
        state.services = Services(db, settings, bus, runner, store, ArchiveLimits(), queue=queue)
        if not settings.require_auth:
            state.local = await local_caller(db)
        if settings.with_worker:
            await runner.start(queue=False)
            stack.push_async_callback(runner.stop)
            await stack.enter_async_context(running_worker(engine, runner, settings, signals=False))
        yield


async def healthz(request: Request) -> Response:
    """Liveness: the process answers (see ops/probes.py for readiness)."""
    return JSONResponse({"status": "ok", "graphiqlAssets": graphiql.assets_present()})


async def readyz(request: Request) -> Response:
    """Readiness: the database, the job queue and the upload store answer."""
    state: AppState = request.app.state.app_state
    if state.services is None or state.database_probe is None:
        return JSONResponse({"status": "starting", "checks": {}, "failed": []}, status_code=503)
    services = state.services
    return await probes.readiness(
        {
            "database": state.database_probe,
            "queue": services.queue.check,
            "store": services.store.check,
        }
    )


async def metrics_endpoint(request: Request) -> Response:
    state: AppState = request.app.state.app_state
    return await probes.metrics_response(request, state.ready().db, state.settings.metrics_token)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    limits = RateLimits(
        settings.rate_limit_mutations, settings.rate_limit_uploads, settings.rate_limit_subscribes
    )
    state = AppState(settings, limits)
    store = upload_store(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await _prepare_data_dir(settings, store)
        db = Database.from_url(settings.sqlalchemy_url)
        state.database_probe = probes.DatabaseProbe(settings.sqlalchemy_url)
        try:
            await migrate.upgrade(db.engine)
            serving = _distributed if settings.distributed else _embedded
            async with serving(db, settings, store, state):
                yield
        finally:
            await state.rate_limits.aclose()
            state.services = state.local = None
            await state.database_probe.dispose()
            state.database_probe = None
            await db.dispose()
            await store.aclose()
            metrics.process_exited()

    graphql = GraphQLApp(state)
    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            make_upload_route(
                store,
                UploadLimits(max_upload_bytes=settings.max_upload_bytes),
                on_stored=record_upload,
            ),
            Route("/exports/{uid:str}", download_export),
            Route("/thumbnails/{uid:str}", serve_thumbnail),
            Route(card_route.PATH, card_route.serve_card),
            Mount("/graphiql", graphiql.assets_app(), name="graphiql"),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),  # first: every other layer's lines carry the id
            Middleware(
                BodySizeLimitMiddleware, max_body_bytes=settings.max_upload_bytes + MULTIPART_SLACK
            ),
            Middleware(
                BodyDeadlineMiddleware,
                deadline=settings.upload_deadline,
                min_rate=settings.upload_min_rate,
                grace=settings.upload_rate_grace,
                paths=("/uploads", "/graphql"),
            ),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "apollo-require-preflight",
                    "x-requested-with",
                    "x-filename",
                ],
            ),
            Middleware(JsonBodyLimitMiddleware, max_body_bytes=settings.max_json_body_bytes),
            Middleware(CsrfMiddleware),
            Middleware(CallerMiddleware),
            # Last: only requests let through so far count against a client's uploads.
            Middleware(UploadRateLimitMiddleware, limits=state.rate_limits),
        ],
        lifespan=lifespan,
    )
    app.state.app_state = state
    return app


async def record_upload(request: Request, stored: StoredUpload) -> None:
    """POST /uploads keeps whose the upload is: only its owner can use its id."""
    services: Services = request.app.state.app_state.ready()
    caller: Caller = request.state.caller
    try:
        await services.record_upload(stored, caller.owner_id, caller.token_id)
    except JobStateError as error:  # the owner's quota: the route removes the file
        raise IngestError(IngestErrorCode.QUOTA_EXCEEDED, str(error)) from None


async def download_export(request: Request) -> Response:
    """GET /exports/{id}: the caller's own export; another owner's is as missing as none."""
    services: Services = request.app.state.app_state.ready()
    caller: Caller = request.state.caller
    found = await export_file(services, request.path_params["uid"], caller.owner_id)
    if found is None:
        return JSONResponse(
            {"errors": [{"message": "no such export", "extensions": {"code": "NOT_FOUND"}}]},
            status_code=404,
        )
    path, media_type = found
    # An HTML export opened from here runs and loads nothing (the page says so too).
    headers = {"Content-Security-Policy": EXPORT_POLICY, "X-Content-Type-Options": "nosniff"}
    return FileResponse(path, media_type=media_type, filename=path.name, headers=headers)


async def serve_thumbnail(request: Request) -> Response:
    """GET /thumbnails/{id}: the caller's own project picture, as re-encoded when it was set
    (never the uploaded bytes); another owner's is as missing as none."""
    services: Services = request.app.state.app_state.ready()
    caller: Caller = request.state.caller
    async with services.db.read() as session:
        found = await curation.thumbnail(
            session, request.path_params["uid"][:64], owner_id=caller.owner_id
        )
    if found is None:
        return JSONResponse(
            {"errors": [{"message": "no such thumbnail", "extensions": {"code": "NOT_FOUND"}}]},
            status_code=404,
        )
    return Response(
        found.data,
        media_type=found.media_type,
        headers={
            "ETag": f'"{found.sha256}"',
            # A new picture gets a new URL, so this one never changes.
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
