"""A deterministic synthetic repository, written with `git fast-import` through the runner.

The same (commits, authors, seed) always gives the same repository, byte for byte: authors,
dates and contents come from a seeded random generator and fixed timestamps. Repositories are
cached under bench/.cache/ (gitignored).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

from mining.git.runner import GitRunner

CACHE = Path(__file__).parent / ".cache"
T0 = 1_500_000_000
KINDS = (
    ("src/pkg{0}/module{1}.py", 40),
    ("web/src/components/C{0}{1}.tsx", 20),
    ("tests/test_{0}_{1}.py", 15),
    ("docs/topic{0}/page{1}.md", 10),
    ("config/service{0}{1}.yaml", 8),
    ("assets/img{0}_{1}.png", 7),
)


@dataclass(frozen=True, slots=True)
class Spec:
    commits: int
    authors: int = 12
    files_per_commit: int = 3
    seed: int = 1

    @property
    def name(self) -> str:
        return f"synthetic-{self.commits}c-{self.authors}a-{self.seed}s.git"


def _path(rng: random.Random) -> str:
    pattern = rng.choices([p for p, _ in KINDS], weights=[w for _, w in KINDS])[0]
    return pattern.format(rng.randrange(8), rng.randrange(25))


def _content(rng: random.Random, path: str) -> bytes:
    if path.endswith(".png"):
        return b"\x89PNG\r\n\x1a\n\0" + rng.randbytes(64)
    lines = [f"line {rng.randrange(1000)} of {path} {'x' * rng.randrange(30)}"
             for _ in range(rng.randrange(3, 25))]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def fast_import_stream(spec: Spec) -> bytes:
    """The fast-import(1) input: a linear main line with a merged side commit every 100."""
    rng = random.Random(spec.seed)
    people = [(f"Dev {n}", f"dev{n}@example.com") for n in range(spec.authors)]
    weights = [1.0 / (n + 1) for n in range(spec.authors)]  # a few people do most of the work
    out: list[bytes] = []
    for mark in range(1, spec.commits + 1):
        name, email = rng.choices(people, weights=weights)[0]
        when = T0 + mark * 3600 + rng.randrange(3600)
        side = mark % 100 == 0 and mark > 5
        ref = "refs/heads/side" if side else "refs/heads/main"
        head = f"commit {ref}\nmark :{mark}\nauthor {name} <{email}> {when} +0000\n"
        head += f"committer {name} <{email}> {when} +0000\ndata 7\nchange\n"
        if side:
            head += f"from :{mark - 5}\n"
        elif mark > 1:
            head += f"from :{mark - 1 if (mark - 1) % 100 else mark - 2}\n"
            if (mark - 1) % 100 == 0 and mark > 6:
                head += f"merge :{mark - 1}\n"
        out.append(head.encode())
        for _ in range(rng.randrange(1, spec.files_per_commit * 2)):
            path = _path(rng)
            data = _content(rng, path)
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        out.append(b"\n")
    return b"".join(out)


async def ensure(spec: Spec, runner: GitRunner, cache: Path = CACHE) -> Path:
    """The cached bare repository for `spec`, built with `git fast-import` when missing."""
    repo = cache / spec.name
    if await asyncio.to_thread((repo / "bench-complete").exists):
        return repo
    await asyncio.to_thread(cache.mkdir, parents=True, exist_ok=True)
    await runner.run(["init", "--bare", "--quiet", "--template=", str(repo)], cwd=cache)
    await runner.run(["symbolic-ref", "HEAD", "refs/heads/main"], git_dir=repo)
    await runner.run(["fast-import", "--quiet"], git_dir=repo, input=fast_import_stream(spec))
    await asyncio.to_thread((repo / "bench-complete").write_text, "ok\n")
    return repo
