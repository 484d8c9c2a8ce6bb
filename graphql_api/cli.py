"""`artifact-miner serve | worker | mine | migrate | token | export-schema | backup | restore |
check`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import ipaddress
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graphql_api.entry import configure_logs, mine
from graphql_api.ops import logs

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from graphql_api.db.engine import Database
    from graphql_api.settings import Settings
T = TypeVar("T")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SWITCH_INTERVAL = 0.001  # seconds; see serving_app
# The collector's thresholds once the app is frozen (gc.set_threshold; Python's are 700, 10, 10):
# a dashboard answer allocates ~10^5 objects, nearly all freed by reference counting, and at
# the default a request paid ~15 collections. In process, 16 dashboard queries at once: CPU per
# request 98-111 ms at the default, 85-90 ms at these, 74-78 ms with no collection at all.
GC_THRESHOLDS = (50_000, 20, 100)
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def _settings() -> Settings:
    """The settings in the environment. Imported here, not at the top: `mine` runs without
    them, and its start-up is part of mining's time (see main)."""
    from graphql_api.settings import Settings

    return Settings.from_env()


def _serve(args: argparse.Namespace) -> int:
    if args.with_worker:  # read from the environment by every uvicorn worker process too
        os.environ["WITH_WORKER"] = "1"
    settings = _settings()
    host = args.host or settings.host
    refusal = _refusal(settings, host, insecure=args.insecure_no_auth)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    options: dict[str, Any] = {
        "host": host,
        "port": args.port or settings.port,
        "log_level": "info",
    }
    if settings.workers == 1:
        _serve_in_process(settings, options)
    else:
        _serve_workers(settings, options)
    return 0


def _refusal(settings: Settings, host: str, *, insecure: bool) -> str | None:
    """Why `serve` must not start: queue settings that do not fit together, or `host` open to
    others without authentication and without the operator saying it is meant."""
    try:
        settings.check_queue()
    except ValueError as exc:
        return str(exc)
    if settings.require_auth or is_loopback(host) or insecure or settings.allow_anonymous_remote:
        return None
    return (
        f"refusing to serve {host} without REQUIRE_AUTH=1: anyone who can reach it would "
        "act as the local owner. Set REQUIRE_AUTH=1 (and make tokens with `artifact-miner "
        "token create`), listen on 127.0.0.1, or pass --insecure-no-auth "
        "(ALLOW_ANONYMOUS_REMOTE=1) if that is really meant."
    )


def _serve_in_process(settings: Settings, options: dict[str, Any]) -> None:
    import uvicorn

    from graphql_api.server import uvicorn_config

    uvicorn.Server(uvicorn_config(serving_app(), settings, **options)).run()


def _serve_workers(settings: Settings, options: dict[str, Any]) -> None:
    """WORKERS > 1 uvicorn worker processes."""
    import uvicorn

    from graphql_api.server import run_workers

    # Migrate once here: N workers starting together would race to apply the same migration.
    _upgrade(settings, "head")
    if not os.environ.get(MULTIPROC_ENV):  # metrics of every worker, added up at a scrape
        from graphql_api.ops.metrics import prepare_multiprocess

        prepare_multiprocess(settings.data_dir / "metrics")
    # Each worker imports the app factory and the protocol by name (they are not pickled);
    # serving_app sets the protocol's head timeout from the settings in each of them.
    config = uvicorn.Config(
        f"{__name__}:serving_app",
        factory=True,
        workers=settings.workers,
        http="graphql_api.server:HeadTimeoutProtocol",
        timeout_keep_alive=settings.keep_alive,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        log_config=None,  # our handler (LOG_FORMAT), set up again in each worker
        **options,
    )
    run_workers(config)  # each worker on a socket of its own: connections spread over them


def _worker(args: argparse.Namespace) -> int:
    """A mining worker (QUEUE=postgres): takes jobs until SIGTERM."""
    from graphql_api import worker

    try:
        asyncio.run(worker.run(_settings()))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def serving_app() -> Starlette:
    """The app as `serve` runs it (in each worker process when WORKERS > 1).

    What is alive once the app is built (modules, the schema, the app) lives as long as the
    process, so it is moved out of the collector's sight (gc.freeze): collections then scan
    only what requests allocate, which keeps their pauses out of the latency tail; and they
    run less often (GC_THRESHOLDS). Frozen again once the lifespan has started (`_frozen`).

    Threads parse git's output and analyse while requests are served; the event loop, when it
    wakes, waits for the GIL until the running thread's switch interval ends. At 1 ms instead of
    Python's 5 that wait stays out of /healthz's tail (bench/e2e_bench.py).
    """
    from graphql_api.app import create_app
    from graphql_api.server import HeadTimeoutProtocol

    settings = _settings()
    logs.configure(settings.log_format)  # a worker process (WORKERS > 1) starts afresh
    HeadTimeoutProtocol.head_timeout = settings.head_timeout
    app = create_app(settings)
    _freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)
    app.router.lifespan_context = _frozen(app.router.lifespan_context)
    return app


def _freeze() -> None:
    """Free what cycles hold, then move everything alive out of the collector's sight."""
    gc.collect()
    gc.freeze()


def _frozen(lifespan: Callable[[Any], AbstractAsyncContextManager[Any]]) -> Any:
    """`lifespan`, then `_freeze` once it has started: the migrations leave ~20k objects of
    cyclic garbage, and the engine, job runner and caches tens of thousands alive, which the
    first full collection (during the first job) would otherwise scan with the event loop
    stopped (~40 ms of CPU, measured under bench/e2e_bench.py)."""

    @contextlib.asynccontextmanager
    async def started(app: Any) -> AsyncIterator[Any]:
        async with lifespan(app) as state:
            _freeze()
            yield state

    return started


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` (a loopback address or "localhost")."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that resolves who knows where


def _migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    _upgrade(settings, args.revision)
    print(f"database at {args.revision}: {settings.sqlalchemy_url}")
    return 0


def _upgrade(settings: Settings, revision: str) -> None:
    from graphql_api.db import migrate
    from graphql_api.db.engine import create_engine

    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def run() -> None:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            await migrate.upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(run())


def _with_db(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on the migrated database of the settings in the environment."""
    from graphql_api.db import migrate
    from graphql_api.db.engine import Database

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def run() -> T:
        db = Database.from_url(settings.sqlalchemy_url)
        try:
            await migrate.upgrade(db.engine)
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


def _token_create(args: argparse.Namespace) -> int:
    from graphql_api import auth

    expires = None if args.expires_in is None else timedelta(days=args.expires_in)
    token, token_id = _with_db(
        lambda db: auth.create_token(db, args.owner, args.name, expires_in=expires)
    )
    print(token)  # stdout holds the token alone, for scripts; the rest goes to stderr
    print(f"token {token_id} for {args.owner}: shown once, only its hash is kept", file=sys.stderr)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from graphql_api import auth

    rows = _with_db(lambda db: auth.list_tokens(db, args.owner))
    print("id\towner\tname\tcreated\tlast used\texpires\tstate")
    now = datetime.now(UTC)
    for t in rows:
        state = (
            "revoked"
            if t.revoked_at
            else "expired"
            if t.expires_at and t.expires_at <= now
            else "live"
        )
        cells = [str(t.id), t.owner, t.name or "-", _when(t.created_at), _when(t.last_used_at)]
        print("\t".join([*cells, _when(t.expires_at), state]))
    return 0


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _token_revoke(args: argparse.Namespace) -> int:
    from graphql_api import auth

    if not _with_db(lambda db: auth.revoke_token(db, args.id)):
        print(f"no live token {args.id}", file=sys.stderr)
        return 1
    print(f"token {args.id} revoked")
    return 0


def _add_token_commands(commands: Any) -> None:
    token = commands.add_parser("token", help="API tokens: create, list, revoke")
    actions = token.add_subparsers(dest="action", required=True)
    for name in ("create", "create-token"):
        is_alias = name != "create"
        parser = (commands if is_alias else actions).add_parser(
            name, help="make an API token for OWNER (printed once; only its hash is kept)"
        )
        parser.add_argument("owner")
        parser.add_argument("--name", default="", help="a label for the token")
        parser.add_argument(
            "--expires-in", type=int, default=None, metavar="DAYS", help="default: never"
        )
        parser.set_defaults(func=_token_create)
    listing = actions.add_parser("list", help="tokens (of OWNER) and their state; never secrets")
    listing.add_argument("owner", nargs="?", default=None)
    listing.set_defaults(func=_token_list)
    revoke = actions.add_parser("revoke", help="revoke token ID for good")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=_token_revoke)


def _export_schema(args: argparse.Namespace) -> int:
    from graphql_api.schema import build_schema, sdl

    args.output.write_text(sdl(build_schema()))
    print(f"wrote {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="artifact-miner", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the API with uvicorn")
    serve.add_argument("--host", default=None, help="default: $HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
    serve.add_argument(
        "--insecure-no-auth",
        action="store_true",
        help="serve a non-loopback address without REQUIRE_AUTH (everyone is the local owner)",
    )
    serve.add_argument(
        "--with-worker",
        action="store_true",
        help="with QUEUE=postgres, mine in this process too (QUEUE=local always does)",
    )
    serve.set_defaults(func=_serve)

    worker = commands.add_parser(
        "worker", help="mine the jobs queued in PostgreSQL (QUEUE=postgres), until SIGTERM"
    )
    worker.set_defaults(func=_worker)

    from mining import launch
    from mining import report as mining_report

    mine = commands.add_parser(
        "mine", help="mine the repositories and folders under PATH and print the report"
    )
    launch.add_arguments(mine)
    mine.set_defaults(func=mining_report.run)

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=_migrate)

    _add_token_commands(commands)

    from graphql_api.backup import command as backup_command

    backup_command.add_commands(commands)  # backup, restore, check

    export = commands.add_parser("export-schema", help="write the GraphQL schema as SDL")
    export.add_argument("--output", type=Path, default=SCHEMA_FILE)
    export.set_defaults(func=_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["mine"]:
        # Straight to the miner: the server's modules (settings, backups, the parser of every
        # other command) would only delay its first git (bench/: start to first git).
        return mine(given[1:])
    configure_logs()
    args = build_parser().parse_args(given)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
