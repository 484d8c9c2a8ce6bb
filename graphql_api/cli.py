"""`artifact-miner serve | mine | migrate | export-schema | backup | restore | check`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql_api.backup import command as backup_command
from graphql_api.settings import Settings
from mining import report as mining_report

if TYPE_CHECKING:
    from starlette.applications import Starlette

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphql_api.server import uvicorn_config

    settings = Settings.from_env()
    options: dict[str, Any] = {
        "host": args.host or settings.host,
        "port": args.port or settings.port,
        "log_level": "info",
    }
    if settings.workers == 1:
        uvicorn.Server(uvicorn_config(serving_app(), settings, **options)).run()
        return 0
    # Migrate once here: N workers starting together would race to apply the same migration.
    _upgrade(settings, "head")
    # Each worker imports the app factory and the protocol by name (they are not pickled);
    # serving_app sets the protocol's head timeout from the settings in each of them.
    uvicorn.run(
        f"{__name__}:serving_app",
        factory=True,
        workers=settings.workers,
        http="graphql_api.server:HeadTimeoutProtocol",
        timeout_keep_alive=settings.keep_alive,
        **options,
    )
    return 0


def serving_app() -> Starlette:
    """The app as `serve` runs it (in each worker process when WORKERS > 1).

    What is alive once the app is built (modules, the schema, the app) lives as long as the
    process, so it is moved out of the collector's sight (gc.freeze): collections then scan
    only what requests allocate, which keeps their pauses out of the latency tail.
    """
    from graphql_api.app import create_app
    from graphql_api.server import HeadTimeoutProtocol

    settings = Settings.from_env()
    HeadTimeoutProtocol.head_timeout = settings.head_timeout
    app = create_app(settings)
    gc.collect()
    gc.freeze()
    return app


def _migrate(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
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


def _create_token(args: argparse.Namespace) -> int:
    from graphql_api.auth import create_token
    from graphql_api.db import migrate
    from graphql_api.db.engine import Database

    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def run() -> str:
        db = Database.from_url(settings.sqlalchemy_url)
        try:
            await migrate.upgrade(db.engine)
            return await create_token(db, args.owner, args.name)
        finally:
            await db.dispose()

    print(asyncio.run(run()))
    return 0


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
    serve.set_defaults(func=_serve)

    mine = commands.add_parser(
        "mine", help="mine the repositories and folders under PATH and print the report"
    )
    mining_report.add_arguments(mine)
    mine.set_defaults(func=mining_report.run)

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=_migrate)

    token = commands.add_parser(
        "create-token", help="make an API token for OWNER (printed once; only its hash is kept)"
    )
    token.add_argument("owner")
    token.add_argument("--name", default="", help="a label for the token")
    token.set_defaults(func=_create_token)

    backup_command.add_commands(commands)  # backup, restore, check

    export = commands.add_parser("export-schema", help="write the GraphQL schema as SDL")
    export.add_argument("--output", type=Path, default=SCHEMA_FILE)
    export.set_defaults(func=_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
