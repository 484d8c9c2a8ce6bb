"""GraphiQL, served whole from this server.

Strawberry's bundled page loads React and GraphiQL from a CDN and shows a blank page offline.
Our page references only `/graphiql/*`, filled at install time by `make assets` from the npm
registry (scripts/fetch_graphiql.py).
"""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
ASSETS = STATIC / "graphiql"
PAGE = (STATIC / "graphiql.html").read_text()


def assets_app() -> StaticFiles:
    # check_dir=False: the app still starts (and says so on /healthz) before `make assets` ran.
    return StaticFiles(directory=ASSETS, check_dir=False)


def assets_present() -> bool:
    return (ASSETS / ".complete").exists()
