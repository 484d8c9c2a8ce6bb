"""`python -m bench`: how fast and how lean mining is.

1. `artifact-miner mine` against one plain `git log --numstat --no-renames -z` pass, paired and
   interleaved, on generated repositories of 5k, 20k and 80k commits and on $BENCH_REPOS; start
   to first git; our CPU against git's (bench/mining_bench.py).
2. Peak Python heap while mining 5,000 vs 20,000 commits (tracemalloc): flat means the history
   is folded, never held. Plus this process's peak RSS (ru_maxrss).
3. A portfolio of 8 repositories mined sequentially vs concurrently.
4. pydriller on a 1,000-commit repository, if it is installed (it computes a diff per commit
   through GitPython; the 20,000-commit repository would take minutes).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import shutil
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import mining_bench
from bench.synth import CACHE, Spec, ensure
from mining.git.discover import DiscoveredProject
from mining.git.runner import GitRunner, HardenedGitRunner
from mining.pipeline import mine_all, mine_project
from mining.records import Identity, ProjectKind

IDENTITY = Identity.of("dev1@example.com")
SCRATCH = CACHE / "scratch"


def project(repo: Path) -> DiscoveredProject:
    return DiscoveredProject(repo.name, repo.name, repo, ProjectKind.BARE)


async def best_of(runs: int, action: Callable[[], Awaitable[Any]]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await action()
        times.append(time.perf_counter() - start)
    return min(times)


async def mine(repo: Path, runner: GitRunner) -> None:
    await mine_project(project(repo), IDENTITY, runner, scratch=SCRATCH)


async def heap_peak(repo: Path, runner: GitRunner) -> float:
    tracemalloc.start()
    await mine(repo, runner)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


async def portfolio(repos: list[Path], runner: GitRunner, concurrency: int) -> None:
    projects = [project(r) for r in repos]
    mined = mine_all(projects, IDENTITY, runner, concurrency=concurrency, scratch=SCRATCH)
    async with contextlib.aclosing(mined) as results:
        async for result in results:
            assert not hasattr(result, "code"), result


def pydriller_time(repo: Path) -> float | None:
    try:
        from pydriller import Repository
    except ImportError:
        return None
    start = time.perf_counter()
    for commit in Repository(str(repo)).traverse_commits():
        for changed in commit.modified_files:
            _ = changed.added_lines, changed.deleted_lines
    return time.perf_counter() - start


async def main() -> None:
    runner = HardenedGitRunner(timeout=900)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    big, small = await ensure(Spec(20_000), runner), await ensure(Spec(5_000), runner)
    repos = [await ensure(Spec(1_500, seed=s), runner) for s in range(8)]
    tiny = await ensure(Spec(1_000), runner)
    print(f"repositories ready in {time.perf_counter() - start:.1f}s (cached in {CACHE})")

    print("\npeak Python heap while mining (tracemalloc)")
    for repo, label in ((small, " 5,000"), (big, "20,000")):
        print(f"  {label} commits: {await heap_peak(repo, runner):6.1f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak RSS: {rss:.0f} MiB")

    seq = await best_of(2, lambda: portfolio(repos, runner, 1))
    par = await best_of(2, lambda: portfolio(repos, runner, 4))
    print("\nportfolio of 8 x 1,500 commits")
    print(f"  sequential: {seq:.2f}s  concurrent (4): {par:.2f}s  speed-up {seq / par:.2f}x")

    driller = pydriller_time(tiny)
    if driller is None:
        print("\npydriller: not installed")
    else:
        ours_tiny = await best_of(1, lambda: mine(tiny, runner))
        print("\n1,000 commits (pydriller is too slow for 20,000)")
        print(f"  pydriller: {driller:.2f}s  ours: {ours_tiny:.2f}s  ({driller / ours_tiny:.0f}x)")
    shutil.rmtree(SCRATCH, ignore_errors=True)
    runner.close()


if __name__ == "__main__":
    mining_bench.run()
    print()
    asyncio.run(main())
