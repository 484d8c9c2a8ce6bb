"""`GitRunner`: what mining needs of git, as a Protocol (typing.Protocol, structural: any object
with these methods is one). Imported through mining/git/runner.py, which loads this module when
`GitRunner` is first asked for: `mine` starts its first git without typing (see runner.py).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mining.git.runner import BLOCK_SIZE, RUN_MAX_BYTES

if TYPE_CHECKING:
    from mining.git.runner import Stdin


class GitRunner(Protocol):
    """What mining needs of git. `HardenedGitRunner` is the one production implementation; a
    test may hand a parser anything with these methods (canned bytes, a recorded session)."""

    async def run(
        self,
        args: Sequence[str],
        *,
        git_dir: Path | None = None,
        cwd: Path | None = None,
        input: Stdin = None,
        max_bytes: int = RUN_MAX_BYTES,
    ) -> bytes:
        """stdout of a command that prints little; more than `max_bytes` is OUTPUT_TOO_LARGE."""
        ...

    def stream(
        self,
        args: Sequence[str],
        *,
        git_dir: Path | None = None,
        cwd: Path | None = None,
        input: Stdin = None,
    ) -> AsyncGenerator[bytes, None]:
        """stdout in chunks as git writes it (use inside `contextlib.aclosing`)."""
        ...

    async def consume(
        self,
        args: Sequence[str],
        sink: Callable[[bytes], None],
        *,
        git_dir: Path | None = None,
        input: Stdin = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        """stdout of a command with a large output, handed to `sink` in blocks."""
        ...

    def close(self) -> None:
        """Release what the runner holds (its private HOME)."""
        ...
