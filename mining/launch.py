"""`artifact-miner mine` up to its first git: the arguments, the discovery, the clean copy of the
first repository (made in Python: no git), and the start of that repository's history pass (the
bulk of git's work, and the first git), all made before asyncio, the pipeline and the analysis
are imported (mining/report.py does the rest).

Start-up is part of the time a user waits (bench/: start to first git): asyncio alone takes as
long to import as everything this module needs, and the records and the pipeline as long again.
So this module imports only argparse, discovery, sanitize's checks and the runner, and makes the
first copy in this thread; the pipeline is handed the copy
(`mine_all(copies=...)`) instead of making it. None of them imports typing, dataclasses (which
brings inspect), logging, tempfile or datetime, which together took longer to import than all
the rest (tests/test_guardrails.py keeps them out).

Whatever goes wrong here is left to the pipeline: the copy is dropped, and the pipeline makes it
again and reports the error as it always does. This head start changes when git runs, never what
is reported.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

from mining.git.discover import DiscoveredProject, discover, upload_root
from mining.git.runner import HardenedGitRunner, default_processes
from mining.git.sanitize import CleanRepo, clean_copy_blocking
from mining.git.scratch import private_dir
from mining.history.split import (
    LIST_MAX_BYTES,
    SLICE_ARGS,
    Cores,
    Split,
    list_args,
    processes_for,
    reversed_args,
)
from mining.kinds import ProjectKind
from mining.parse.log_command import history_args

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it as True)
if TYPE_CHECKING:
    from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="an extracted upload: repositories and folders")
    parser.add_argument("--email", action="append", default=[], help="the user's email")
    parser.add_argument("--alias", action="append", default=[], help="another of their emails")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--concurrency", type=int, default=4, help="projects mined at once")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="git processes one long history is read with (default: $MINING_PROCESSES or the"
        " cores shared among the repositories mined at once)",
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="artifact-miner mine",
        description="Mine the repositories and folders under PATH and print the report.",
    )
    add_arguments(parser)
    return parser.parse_args(argv)


class Runner(HardenedGitRunner):
    """A HardenedGitRunner that sets `issued` when the first history is read (`git log`): from
    then on the event loop mostly waits for git, and an import beside it (mining/report.py
    preloads the analysis) delays nothing it must do.

    And the first history's commit list, read ahead by `split_ahead`'s thread, is handed to
    the pipeline's `git rev-list` of it (log_reader.list_commits) instead of running it again."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.issued = threading.Event()
        self.ahead: threading.Thread | None = None
        self._listed: dict[tuple[tuple[str, ...], Path | None], bytes] = {}

    def split_ahead(self, repo: CleanRepo, split: Split) -> None:
        """In a thread of its own: list `repo`'s commits, cut them as log_reader.read_history
        will (its lead has read nothing when the list comes this way), and start the readers
        of the spans beside the lead at once, each with its commits on stdin. Their outputs wait in
        pipes for the pipeline's `consume` of the same command and input; on any failure the
        pipeline lists and starts them itself."""
        assert repo.head is not None
        args, git_dir = list_args(repo.head), repo.git_dir

        def ahead() -> None:
            with contextlib.suppress(Exception):  # the pipeline meets it again and reports it
                commits = self.read_ahead(args, git_dir=git_dir, max_bytes=LIST_MAX_BYTES)
                if commits is None:
                    return
                self._listed[(tuple(args), git_dir)] = commits
                for i, span in enumerate(split.spans(commits)):
                    for stdin, _ in span.readers(lead=i == 0):
                        self.start_early(SLICE_ARGS, git_dir=git_dir, input=stdin)

        self.ahead = threading.Thread(target=ahead, name="split-ahead", daemon=True)
        self.ahead.start()

    async def consume(self, args: Sequence[str], sink: Any, **options: Any) -> None:
        if args[:1] == ["log"]:
            self.issued.set()
        if args[:1] == ["rev-list"] and self.ahead is not None:
            self.ahead.join()  # it has long been done: listing takes less than the imports
        listed = self._listed.pop((tuple(args), options.get("git_dir")), None)
        if listed is not None:
            # At once, without awaiting: read_history cuts the list before its lead has read
            # anything, as split_ahead did, so the slices it started are the ones asked for.
            sink(listed)
            return
        await super().consume(args, sink, **options)

    def close(self) -> None:
        if self.ahead is not None:  # first: it may still start slices
            self.ahead.join()
        super().close()


class Started:
    """`mine` once its first git ran: the arguments, the projects under PATH, the runner, and
    the clean copies made so far, each in a scratch directory of its own that `close` removes
    (with the runner's HOME). `runner` is None when PATH is not a directory."""

    __slots__ = ("args", "copies", "projects", "runner", "scratch", "split")

    def __init__(
        self,
        args: argparse.Namespace,
        runner: Runner | None = None,
        projects: tuple[DiscoveredProject, ...] = (),
    ) -> None:
        self.args = args
        self.runner = runner
        self.projects = projects
        histories = sum(p.kind is not ProjectKind.PLAIN for p in projects)
        cores = args.processes or default_processes()
        shared = processes_for(histories, args.concurrency, cores)
        self.split = Split(args.processes or shared, spare=Cores(cores))  # for every history
        self.copies: dict[DiscoveredProject, CleanRepo] = {}
        self.scratch: list[Path] = []

    def copy_ahead(self, project: DiscoveredProject) -> None:
        """Make `project`'s clean copy now; on any failure leave it to the pipeline."""
        assert self.runner is not None
        work = private_dir("am-mine-")
        self.scratch.append(work)
        bare = project.kind is ProjectKind.BARE
        with contextlib.suppress(Exception):  # the pipeline meets it again and reports it
            root = upload_root(project)
            repo = clean_copy_blocking(project.abs_path, root, work, bare=bare)
            self.copies[project] = repo

    def history_ahead(self, project: DiscoveredProject) -> None:
        """Start the history pass of `project`'s copy now (its lead, read_history), and the
        other readers of a split history: their output waits in pipes while asyncio and the
        pipeline are imported, and the pipeline's `git log` of the same command reads it
        (HardenedGitRunner.start_early). On any failure leave it to the pipeline."""
        assert self.runner is not None
        repo = self.copies.get(project)
        if repo is None or repo.head is None:  # no copy, or an empty repository: no history
            return
        with contextlib.suppress(Exception):
            self.runner.start_early(history_args(repo.head), git_dir=repo.git_dir)
            if self.split.ends(repo.objects):  # and its other end (log_reader._read_ends)
                self.runner.start_early(reversed_args(repo.head), git_dir=repo.git_dir)
            elif self.split.lists():
                self.runner.split_ahead(repo, self.split)

    def close(self) -> None:
        if self.runner is not None:  # first: its early git reads the copy
            self.runner.close()
        for work in self.scratch:
            shutil.rmtree(work, ignore_errors=True)


def start(argv: Sequence[str] | None) -> Started:
    """Parse `argv` (exits on bad arguments), then `begin`."""
    return begin(parse(argv))


def begin(args: argparse.Namespace) -> Started:
    """Discover the projects under `args.path` and make the first repository's clean copy."""
    root: Path = args.path
    if not root.is_dir():
        return Started(args)
    started = Started(args, Runner(ceiling=root.resolve()), discover(root))
    first = next((p for p in started.projects if p.kind is not ProjectKind.PLAIN), None)
    if first is not None:
        started.copy_ahead(first)
        started.history_ahead(first)
    return started
