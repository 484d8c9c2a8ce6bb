"""Mining against the floor: `artifact-miner mine REPO --json` vs one plain
`git log --numstat --no-renames -z` pass, both as whole processes, paired and interleaved.

For each repository (generated ones of 5k, 20k and 80k commits, or BENCH_SIZES=5000,20000, plus
every repository in $BENCH_REPOS): BENCH_PAIRS pairs (default 5) of one run of ours then one of
the floor, back to back, so that both meet the same load on a shared machine; the figure is the
per-pair ratio ours / floor: its median and its range. Also, from further runs of each kind:

* start to first git: from the moment the `mine` process is started to the moment its first git
  process starts, seen by a `git` wrapper first on PATH that writes the time (bash's
  EPOCHREALTIME) and the CPU our process had used by then (/proc/PPID/stat) and execs the real
  git; goal <= 60 ms for the median of BENCH_FIRST_RUNS runs (default 7, at least 5: one run of
  a start-up is noise), shown with their range. Also to the first `git log` (the history). On
  a loaded machine the wall time grows with the load; the CPU much less;
* CPU: our Python's CPU against git's while mining in this process (getrusage of self and of
  the reaped children around `mine_project`, which runs the very code the CLI runs); goal < 25 %
  for what a repository costs, the median of CPU_RUNS minings after the first. The first of
  the process is shown beside it: it also pays what a process pays once (the modules imported
  on first use, enry's library, the patterns compiled), which a server pays at its first job.

Goals: <= 0.8x the floor for repositories of flask's and requests' size (under 10,000
commits), <= 0.7x for sqlalchemy's size and beyond.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.synth import CACHE, Spec, ensure
from mining.git.discover import discover
from mining.git.runner import HardenedGitRunner
from mining.pipeline import mine_project
from mining.records import Identity

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "5000,20000,80000").split(",") if n)
EMAIL = "dev1@example.com"
FIRST_GIT_GOAL_MS = 60.0
CPU_GOAL = 0.25
CPU_RUNS = 3  # minings of each repository after its first, for our CPU against git's
MINER = Path(sys.executable).with_name("artifact-miner")


@dataclass(frozen=True, slots=True)
class Pairs:
    ours: list[float]
    floor: list[float]

    @property
    def ratios(self) -> list[float]:
        return [o / f for o, f in zip(self.ours, self.floor, strict=True)]


def goal_for(commits: int) -> float:
    return 0.8 if commits < 10_000 else 0.7


def ours_argv(repo: Path) -> list[str]:
    return [str(MINER), "mine", str(repo), "--email", EMAIL, "--json"]


def floor_argv(repo: Path) -> list[str]:
    return ["git", f"--git-dir={git_dir(repo)}", "log", "--numstat", "--no-renames", "-z", "HEAD"]


def git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").is_dir() else repo


def environment(**extra: str) -> dict[str, str]:
    """Ours runs as installed: with its bytecode cached (the harness may forbid writing it)."""
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env or environment(), check=True)  # fmt: skip
    return time.perf_counter() - start


def paired(repo: Path, pairs: int) -> Pairs:
    """A B A B ...: each run of ours is compared with the floor run right after it."""
    timed(ours_argv(repo))  # warm the page cache (and the bytecode cache) for both
    timed(floor_argv(repo))
    ours, floor = [], []
    for _ in range(pairs):
        ours.append(timed(ours_argv(repo)))
        floor.append(timed(floor_argv(repo)))
    return Pairs(ours, floor)


def first_git_ms(repo: Path) -> tuple[float, float, float, float]:
    """Milliseconds from starting `mine` to the start of its first git process, and to the start
    of its first `git log` (the history, the bulk of the work): wall, and the CPU (user +
    system) our process had used by then, for each."""
    real = shutil.which("git")
    assert real is not None
    with tempfile.TemporaryDirectory(prefix="am-bench-") as tmp:
        log = Path(tmp, "spawns")
        wrapper = Path(tmp, "git")
        wrapper.write_text(
            f"#!/bin/bash\nread -r stat < /proc/$PPID/stat\nkind=other\n"
            f'for a in "$@"; do [ "$a" = log ] && kind=log && break; done\n'
            f'echo "$EPOCHREALTIME $kind $stat" >> {log}\nexec {real} "$@"\n'
        )
        wrapper.chmod(0o755)
        env = environment(PATH=f"{tmp}:{os.environ.get('PATH', '')}")
        started = time.time()
        timed(ours_argv(repo), env)
        spawns = log.read_text().splitlines()
    first = _spawned(spawns[0], started)
    history = next((_spawned(s, started) for s in spawns if s.split()[1] == "log"), first)
    return (*first, *history)


def _spawned(line: str, started: float) -> tuple[float, float]:
    """(wall ms since `started`, our CPU ms) of one line the wrapper wrote."""
    when, _, stat = line.split(" ", 2)
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is fields[0]
    ticks = int(fields[11]) + int(fields[12])  # utime + stime, proc(5)
    return (float(when) - started) * 1000, ticks * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_split(repo: Path, runs: int) -> list[tuple[float, float]]:
    """(our Python's CPU seconds, git's) of each of `runs` minings of `repo` in this process,
    one after the other: the first pays what a process pays once (the modules imported on
    first use, enry's library, compiled patterns), the others what a repository costs."""
    [project] = discover(repo)

    ceiling = repo.resolve()
    split: list[tuple[float, float]] = []

    async def mine() -> None:
        runner = HardenedGitRunner(ceiling=ceiling, timeout=3600)
        try:
            for _ in range(runs):
                before = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
                await mine_project(project, Identity.of(EMAIL), runner)
                after = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
                split.append((after[0] - before[0], after[1] - before[1]))
        finally:
            runner.close()

    asyncio.run(mine())
    return split


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def commits_of(repo: Path) -> int:
    out = subprocess.run(["git", f"--git-dir={git_dir(repo)}", "rev-list", "--count", "HEAD"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return int(out.stdout)


def repositories() -> list[tuple[str, Path]]:
    """The generated repositories, then those in $BENCH_REPOS (sorted by name)."""
    runner = HardenedGitRunner(timeout=3600)
    try:
        found = [(f"synthetic {n // 1000}k", asyncio.run(ensure(Spec(n), runner))) for n in SIZES]
    finally:
        runner.close()
    extra = os.environ.get("BENCH_REPOS")
    if extra:
        for path in sorted(Path(extra).iterdir()):
            if (path / ".git").is_dir() or (path / "HEAD").is_file():
                found.append((path.name.removesuffix(".git"), path))
    return found


def run() -> None:
    pairs = int(os.environ.get("BENCH_PAIRS", "5"))
    print(f"mining: `artifact-miner mine REPO --json` against the floor `{_floor_shown()}`")
    print(f"  {pairs} interleaved pairs each; ratio = ours / floor within a pair (cache: {CACHE})")
    print(
        f"  {'repository':16} {'commits':>8} {'ours':>7} {'floor':>7} {'ratio':>7} {'min-max':>11}"
    )
    found = repositories()
    for name, repo in found:
        commits = commits_of(repo)
        result = paired(repo, pairs)
        ratio, goal = statistics.median(result.ratios), goal_for(commits)
        ours, floor = statistics.median(result.ours), statistics.median(result.floor)
        spread = f"{min(result.ratios):.2f}-{max(result.ratios):.2f}x"
        print(f"  {name:16} {commits:>8} {ours:6.2f}s {floor:6.2f}s {ratio:6.2f}x {spread:>11}"
              f"  goal <= {goal}x: {_verdict(ratio <= goal)}")  # fmt: skip
    print(
        f"\nstart to first git (goal <= {FIRST_GIT_GOAL_MS:.0f} ms); our CPU / git's (goal < 25 %)"
    )
    runs = max(5, int(os.environ.get("BENCH_FIRST_RUNS", "7")))
    print(f"  median of {runs} runs each (min-max)")
    for name, repo in found:
        timings = [first_git_ms(repo) for _ in range(runs)]
        first, cpu, history, history_cpu = zip(*timings, strict=True)
        (first_ours, first_git), *warm = cpu_split(repo, 1 + CPU_RUNS)
        ours = statistics.median(o for o, _ in warm)
        git = statistics.median(g for _, g in warm)
        share = ours / git if git else 0.0
        started = _verdict(statistics.median(first) <= FIRST_GIT_GOAL_MS)
        print(f"  {name:16} first git {_spread(first)} {started:6} (CPU {_spread(cpu)}), "
              f"git log {_spread(history)} (CPU {_spread(history_cpu)})")  # fmt: skip
        print(f"  {'':16} CPU python {ours:5.2f}s, git {git:6.2f}s: {share:4.0%} "
              f"{_verdict(share < CPU_GOAL)} (a repository: median of {CPU_RUNS} minings after "
              f"the first; the first of the process {first_ours:.2f}s, git "
              f"{first_git:.2f}s: {first_ours / first_git if first_git else 0:.0%})")  # fmt: skip


def _spread(ms: tuple[float, ...]) -> str:
    """The median of `ms` and their range: one run of a start-up is noise on a shared machine."""
    return f"{statistics.median(ms):4.0f} ms ({min(ms):.0f}-{max(ms):.0f})"


def _floor_shown() -> str:
    return " ".join(floor_argv(Path("REPO")))


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    run()
