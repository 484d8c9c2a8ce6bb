"""The collector's policy of the served app (graphql_api/cli.py): what the lifespan starts is
frozen once it has started, so no collection during a job scans it."""

from __future__ import annotations

import gc

from graphql_api.app import create_app
from graphql_api.cli import _frozen
from graphql_api.settings import Settings


async def test_what_the_lifespan_starts_is_out_of_the_collectors_sight(settings: Settings) -> None:
    application = create_app(settings)
    application.router.lifespan_context = _frozen(application.router.lifespan_context)
    try:
        async with application.router.lifespan_context(application):
            services = application.state.app_state.ready()  # made by the lifespan
            assert gc.is_tracked(services)
            assert not any(o is services for o in gc.get_objects())  # frozen: in no generation
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
