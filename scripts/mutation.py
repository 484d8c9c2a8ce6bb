"""`make mutation`: mutmut on the mining core and the ZIP extractor, one target at a time.

Each target is mutated in a work directory of its own, build/mutation/<target>/, and its mutants
are run against the tests that cover it only (mutmut then runs, for each mutant, just the tests
that reached the mutated function), so a target takes minutes, not the whole suite per mutant.
mutmut reads its settings from the working directory's setup.cfg and copies the project into
mutants/ there: the work directory holds links to the project's files and the generated
setup.cfg, and mutmut's results stay in it between runs (only changed functions run again).

    python scripts/mutation.py [TARGET ...]     (default: every target; see TARGETS)

Prints the score of each module (killed / total, survived, timeouts, no tests), writes it to
build/mutation/<target>/score.txt, and lists the survivors that docs/mutation.md does not name
as equivalent. Run by hand, not in CI: it is slow by nature.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "docs" / "mutation.md"
# The packages copied into mutants/ (the tests import both), and what the tests read besides.
SOURCES = ("mining", "graphql_api")
LINKED = (*SOURCES, "tests", "alembic", "alembic.ini", "pyproject.toml")
MAX_CHILDREN = 2


@dataclass(frozen=True)
class Target:
    mutate: tuple[str, ...]  # globs of the files to mutate
    tests: tuple[str, ...]  # the tests that cover them


TARGETS = {
    "parse": Target(
        ("mining/parse/*.py",),
        ("tests/mining/test_mining_parse.py", "tests/mining/test_mining_parse_fuzz.py"),
    ),
    "history": Target(("mining/history/fold.py",), ("tests/mining/test_mining_history.py",)),
    "analyze": Target(("mining/analyze/*.py",), ("tests/analyze",)),
    "extract": Target(
        ("graphql_api/ingest/extract.py",),
        (
            "tests/ingest/test_ingest_extract.py",
            "tests/ingest/test_ingest_bounds.py",
            "tests/ingest/test_ingest_budget.py",
            "tests/ingest/test_ingest_fuzz.py",
            "tests/service/test_disk_full.py",  # a full disk, on a small real file system
        ),
    ),
}
# One module of mining/analyze at a time (`analyze-skills`, ...): the package is an hour's run.
TARGETS |= {
    f"analyze-{path.stem}": Target((f"mining/analyze/{path.name}",), ("tests/analyze",))
    for path in sorted((ROOT / "mining" / "analyze").glob("*.py"))
    if path.stem != "__init__"
}

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
STATUS |= dict.fromkeys((36, 24, -24, 152, 255), "timeout")
COLUMNS = ("killed", "survived", "timeout", "no tests", "other")
RETRIED = ("survived", "no tests")


def setup_cfg(target: Target) -> str:
    def listed(values: tuple[str, ...]) -> str:
        return "".join(f"\n    {v}" for v in values)

    return (
        "[mutmut]\n"
        f"source_paths ={listed(SOURCES)}\n"
        f"only_mutate ={listed(target.mutate)}\n"
        f"pytest_add_cli_args_test_selection ={listed(target.tests)}\n"
        # -p no:cacheprovider: the copies' runs leave the project's pytest cache alone.
        f"pytest_add_cli_args ={listed(('-p', 'no:cacheprovider'))}\n"
        f"also_copy ={listed(('alembic', 'alembic.ini'))}\n"
    )


def prepare(name: str, target: Target) -> Path:
    """The target's work directory: links to the project, its setup.cfg, and mutants/ holding
    only the mutated files of earlier runs (every other copy is refreshed, so it is current)."""
    work = BUILD / name
    work.mkdir(parents=True, exist_ok=True)
    for entry in LINKED:
        link = work / entry
        if not link.is_symlink():
            link.symlink_to(ROOT / entry)
    (work / "setup.cfg").write_text(setup_cfg(target))
    copies = work / "mutants"
    for source in SOURCES:
        for path in (copies / source).rglob("*") if (copies / source).exists() else ():
            rel = path.relative_to(copies).as_posix()
            if path.is_file() and not is_mutated(rel, target):
                path.unlink()
    shutil.rmtree(copies / "tests", ignore_errors=True)
    # Which tests reach which function is measured anew each run: mutmut's cached map misses
    # what the tests already there reach in functions added or split since.
    (copies / "mutmut-stats.json").unlink(missing_ok=True)
    retry_survivors(copies, target)
    return work


def retry_survivors(copies: Path, target: Target) -> None:
    """Forget earlier survivors and untested mutants, so they meet the tests added since (mutmut
    itself only reruns the mutants of functions that changed)."""
    for meta in copies.rglob("*.py.meta"):
        if not is_mutated(meta.relative_to(copies).as_posix(), target):
            continue
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        data["exit_code_by_key"] = {
            k: None if STATUS.get(c) in RETRIED else c for k, c in codes.items()
        }
        meta.write_text(json.dumps(data, indent=4))


def is_mutated(rel: str, target: Target) -> bool:
    rel = rel.removesuffix(".meta")
    return any(fnmatch.fnmatch(rel, glob) for glob in target.mutate)


def scores(work: Path, target: Target) -> dict[str, Counter[str]]:
    """Per mutated file, the count of its mutants by status, from mutmut's .meta files."""
    by_file: dict[str, Counter[str]] = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        rel = meta.relative_to(work / "mutants").as_posix().removesuffix(".meta")
        if not is_mutated(rel, target):
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        tally = Counter(STATUS.get(code, "other") for code in codes.values())
        by_file[rel] = tally
    return by_file


def survivors(work: Path, target: Target) -> list[str]:
    found = []
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        rel = meta.relative_to(work / "mutants").as_posix()
        if is_mutated(rel, target):
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            found += [key for key, code in codes.items() if code == 0]
    return found


def named_equivalents() -> set[str]:
    """The mutants docs/mutation.md names as equivalent: `name` at the start of a list item."""
    if not EQUIVALENTS.exists():
        return set()
    return set(re.findall(r"^- `([\w.]+__mutmut_\d+)`", EQUIVALENTS.read_text(), re.MULTILINE))


def table(by_file: dict[str, Counter[str]], equivalent: int) -> str:
    head = f"{'module':44} {'killed/total':>13} {'score':>7} " + " ".join(
        f"{c:>8}" for c in COLUMNS[1:]
    )
    lines = [head]
    whole: Counter[str] = Counter()
    for rel, tally in [*by_file.items()]:
        whole.update(tally)
        lines.append(row(rel, tally))
    lines.append(row("all", whole))
    if equivalent:
        lines.append(f"{equivalent} of the survivors are named equivalent in docs/mutation.md")
    return "\n".join(lines)


def row(label: str, tally: Counter[str]) -> str:
    total = sum(tally.values())
    score = f"{100 * tally['killed'] / total:.1f}%" if total else "-"
    cells = " ".join(f"{tally[c]:>8}" for c in COLUMNS[1:])
    return f"{label:44} {tally['killed']:>6}/{total:<6} {score:>7} {cells}"


def run(name: str, target: Target) -> int:
    work = prepare(name, target)
    mutmut = Path(sys.executable).with_name("mutmut")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    argv = [str(mutmut), "run", "--max-children", str(MAX_CHILDREN)]
    done = subprocess.run(argv, cwd=work, env=env, check=False)
    by_file = scores(work, target)
    equivalent = named_equivalents()
    left = [s for s in survivors(work, target) if s not in equivalent]
    report = f"== {name}\n" + table(by_file, len(set(survivors(work, target)) & equivalent))
    print(report)
    (work / "score.txt").write_text(report + "\n")
    if left:
        print(f"{len(left)} survivors not named equivalent (cd {work} && mutmut show NAME):")
        print("\n".join(f"  {s}" for s in left))
    return done.returncode


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        sys.exit(f"unknown target(s) {unknown}; targets: {', '.join(TARGETS)}")
    codes = [run(name, TARGETS[name]) for name in names or list(TARGETS)]
    return max(codes, default=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
