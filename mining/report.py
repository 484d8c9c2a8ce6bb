"""`artifact-miner mine PATH`: mine every project under PATH and print the reports, each with
its analysis (skills, evidence, health, ranking, resume items; see mining/analyze).

    artifact-miner mine PATH [--email E ...] [--alias E ...] [--json] [--concurrency N]

Reports print in path order once all are mined; a progress bar (rich) shows on stderr when it is
a terminal. Exit status: 0 when every project was mined, 1 when any failed, 2 when PATH is not a
directory.

Start-up is part of the time a user waits: mining/launch.py parses the arguments, discovers
the projects and makes the first repository's clean copy (the first git) before this module and
asyncio are imported. The path rules, the analysis, JSON and the progress bar are imported by a
worker thread from the moment the first history is read (earlier, that thread would hold the GIL
the way to the git processes needs), and joined when they are needed (see bench/: start to first
git).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from mining import launch
from mining.history.log_reader import Split
from mining.pipeline import mine_all
from mining.records import History, Identity, ProjectFailure, ProjectReport

Result = ProjectReport | ProjectFailure
# Modules needed only once git runs: the path rules that fold the history, then what the
# reports need once the repositories are mined.
LATER = ("mining.history.fold", "mining.codec", "mining.analyze")


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for any mining record (mining/codec.py)."""
    from mining import codec

    return codec.dump(value)


def _fields(result: Result) -> dict[str, Any]:
    """A record's fields by name, their values as they are (codec.dumps encodes them)."""
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def preload(modules: Iterable[str], start: threading.Event | None = None) -> threading.Thread:
    """Import `modules` in a worker thread (imports are thread-safe: the import lock), once
    `start` is set when one is given."""
    names = tuple(modules)

    def load() -> None:
        if start is not None:
            start.wait()
        for name in names:
            importlib.import_module(name)

    thread = threading.Thread(target=load, name="preload", daemon=True)
    thread.start()
    return thread


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "-"


def _languages(report: ProjectReport) -> str:
    """Shares by kind, since each kind's percentages add up to 100 on their own."""
    kinds: dict[str, list[str]] = {}
    for share in report.languages.shares:
        kinds.setdefault(share.kind.value, []).append(f"{share.name} {share.percent:.1f}%")
    return "; ".join(f"{kind}: {', '.join(names[:4])}" for kind, names in kinds.items())


def render_text(result: Result) -> str:
    """A short human-readable summary of one project."""
    if isinstance(result, ProjectFailure):
        return f"{result.path}  FAILED {result.code}: {result.message}\n"
    lines = _tree_lines(result)
    if result.history is not None:
        lines += _history_lines(result.history)
    return "\n".join(lines) + "\n"


def _tree_lines(result: ProjectReport) -> list[str]:
    lines = [f"{result.path}  ({result.kind.value}) {result.name}"]
    if result.head_commit:
        lines.append(f"  head {result.head_commit[:12]}  root {(result.root_commit or '-')[:12]}")
    lines.append(f"  languages: {_languages(result) or '-'}")
    lines.append(f"  frameworks: {', '.join(d.name for d in result.frameworks) or '-'}")
    lines.append(f"  files: {result.tree.files}  notable: {', '.join(result.tree.notable) or '-'}")
    if result.tree.left_out:
        dropped = "; ".join(
            f"{o.reason} {o.files} files ({', '.join(o.where)})" for o in result.tree.left_out
        )
        lines.append(f"  left out of languages: {dropped}")
    return lines


def _history_lines(history: History) -> list[str]:
    collab = history.collaboration
    people = ", ".join(
        f"{a.name} <{a.email}> {a.share:.1f}% +{a.added}/-{a.deleted}" for a in collab.authors[:5]
    )
    lines = [
        f"  commits: {history.total_commits} ({history.merges} merges, {history.tags} tags"
        f" reachable from HEAD; shares of {history.share_base} non-merge commits by people)"
        f"  {_day(history.first_commit)} .. {_day(history.last_commit)}",
        f"  authors ({len(collab.authors)}, bus factor {collab.bus_factor}): {people}",
    ]
    if collab.bots:
        robots = ", ".join(f"{b.name} {b.commits}" for b in collab.bots[:5])
        lines.append(f"  bots ({len(collab.bots)}, not in shares): {robots}")
    if (user := history.user) is not None:
        kinds = ", ".join(f"{k.value} {n}" for k, n in user.activity.items()) or "-"
        lines.append(
            f"  you: {user.role}, {user.commits} of {history.share_base} commits"
            f" ({user.share_percent:.1f}%),"
            f" +{user.added}/-{user.deleted}, {user.commits_per_week:.2f}/week; {kinds}"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    """`mine` with parsed arguments."""
    return finish(launch.begin(args))


def finish(started: launch.Started) -> int:
    """Mine what launch.start found and print the reports: the exit status."""
    try:
        if started.runner is None:
            print(f"artifact-miner mine: not a directory: {started.args.path}", file=sys.stderr)
            started.close()
            return 2
        args = started.args
        identity = Identity.of(*args.email, *args.alias)
        split = started.split
        # A thread parsing git's output or importing holds the GIL for at most 1 ms (not 5)
        # when the event loop wakes to start the next git (as `serve` does, graphql_api/cli.py).
        sys.setswitchinterval(0.001)
        shown = sys.stderr.isatty()
        results: list[Result] = []
        asyncio.run(_into(results, collect(started, identity, args.concurrency, shown, split)))
    except BaseException:
        started.close()
        raise
    # The scratch copies are removed (file system calls: the GIL is free) while the reports
    # are analysed and written.
    closing = threading.Thread(target=started.close, name="close")
    closing.start()
    try:
        results.sort(key=lambda r: r.path)
        write(results, identity, as_json=args.json)
    finally:
        closing.join()
    return 1 if any(isinstance(r, ProjectFailure) for r in results) else 0


async def _into(results: list[Result], collecting: Awaitable[list[Result]]) -> None:
    """Await `collecting` into `results`: the task asyncio.run makes must not hold the reports.
    As it ends, asyncio.run restores SIGINT's handler, and signal.signal formats the one it
    replaces (CPython 3.11: enum's ValueError message), a partial naming the task and so the
    repr of the task's result: every report's in full (~55 ms for flask's, measured)."""
    results.extend(await collecting)


def write(results: list[Result], identity: Identity, *, as_json: bool) -> None:
    """Print the reports and the portfolio's analysis (JSON or text) on stdout."""
    from mining import codec
    from mining.analyze import analyze_portfolio
    from mining.analyze import render_text as render_analysis

    reports = [r for r in results if isinstance(r, ProjectReport)]
    analysis = analyze_portfolio(reports, identity, now=datetime.now(UTC))
    if as_json:
        by_path = {p.path: p for p in analysis.projects}
        # The records themselves, encoded at once (codec.dumps: ~10 ms for flask's 775 KB,
        # where codec.dump then json.dumps took ~55 ms). Indented for a terminal only.
        out = [_fields(r) | {"analysis": by_path.get(r.path)} for r in results]
        sys.stdout.write(codec.dumps(out, indent=sys.stdout.isatty()).decode() + "\n")
    else:
        sys.stdout.write("\n".join(render_text(r) for r in results))
        if reports:
            sys.stdout.write("\n" + render_analysis(analysis))


async def collect(
    started: launch.Started,
    identity: Identity,
    concurrency: int,
    progress: bool,
    split: Split | None = None,
) -> list[Result]:
    """Mine the projects `started` found, with a progress bar when asked."""
    runner, projects = started.runner, started.projects
    assert runner is not None
    later = preload(LATER, runner.issued)
    results: list[Result] = []
    with _progress(progress, len(projects)) as advance:
        mined = mine_all(
            projects,
            identity,
            runner,
            concurrency=concurrency,
            split=split,
            copies=started.copies,
        )
        async with contextlib.aclosing(mined) as stream:
            async for result in stream:
                results.append(result)
                advance(result.path)
    runner.issued.set()  # no history was read (plain folders, empty repositories)
    await asyncio.to_thread(later.join)
    return results


@contextlib.contextmanager
def _progress(shown: bool, total: int) -> Iterator[Callable[[str], None]]:
    """A rich progress bar on stderr when it is a terminal (rich is imported only then)."""
    if not shown:
        yield lambda path: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("mining", total=total)
        yield lambda path: bar.update(task, advance=1, description=path)


def main(argv: list[str] | None = None) -> int:
    return finish(launch.start(argv))


if __name__ == "__main__":
    sys.exit(main())
