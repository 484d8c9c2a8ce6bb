"""The `artifact-miner` command (pyproject's [project.scripts]): `mine` starts its first git
before anything else is imported; every other command goes to graphql_api/cli.py.

A module of its own because the console script imports its module before it looks at the
command: cli.py imports asyncio, logging and what the other commands need, which would delay
the first git of `mine` by as much again as the whole way to it (bench/: start to first git).
"""

from __future__ import annotations

import gc
import os
import sys


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["mine"]:
        status = mine(given[1:])
        if argv is None:  # the program itself (the console script), not a caller in Python
            exit_at_once(status)
        return status
    from graphql_api import cli

    return cli.main(given)


def exit_at_once(status: int) -> None:
    """End `mine` once its output is written and its scratch removed: stdout and stderr flushed,
    the logs closed, and no interpreter teardown (freeing every object and module one by one:
    ~50-150 ms of CPU after flask's report, measured, for nothing a user waits for)."""
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(status)


def mine(argv: list[str]) -> int:
    """`artifact-miner mine`: mining/launch.py up to the first git, then the logs are set up
    and mining/report.py does the rest."""
    # A short-lived process whose garbage is freed by reference counts: the collector's passes
    # (~100 young and 9 older ones for flask's report, ~20 ms of CPU beside git) found ~500
    # objects in cycles in the whole run (measured), so none is run.
    gc.disable()
    from mining import launch

    started = launch.start(argv)
    try:
        configure_logs()
        from mining import report
    except BaseException:
        started.close()
        raise
    return report.finish(started)


def configure_logs() -> None:
    """Log lines as LOG_FORMAT says (text or json), for every command."""
    from graphql_api.ops import logs

    logs.configure(os.environ.get("LOG_FORMAT", "text").strip().lower() or "text")
