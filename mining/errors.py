"""The mining error hierarchy.

    MiningError                      base; `code` is a stable machine-readable string
    ├── GitCommandError              git exited non-zero or timed out (argv, returncode, stderr)
    │     codes: NOT_A_REPO, EMPTY_REPO, CORRUPT, TIMEOUT, TOO_LARGE (out of memory), GIT_FAILED
    ├── MiningError(code=TOO_LARGE)  more files or paths than any real project has
    └── RepoUnsafeError              the extracted tree failed the safety checks (REPO_UNSAFE);
                                     git never touched it

Errors are translated once, at the boundary where they arise (mining/git.py, mining/sanitize.py),
and carried upward unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence


class MiningError(Exception):
    code: str = "MINING_FAILED"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class GitCommandError(MiningError):
    """git failed. `str()` names the command, its exit status and what it printed on stderr."""

    def __init__(
        self,
        argv: Sequence[str],
        returncode: int | None,
        stderr: str,
        *,
        code: str = "GIT_FAILED",
    ) -> None:
        self.argv = tuple(argv)
        self.returncode = returncode
        self.stderr = stderr
        status = "timed out" if returncode is None else f"exited {returncode}"
        detail = stderr.strip() or "(no stderr)"
        super().__init__(f"{' '.join(self.argv)!r} {status}: {detail}", code=code)


class RepoUnsafeError(MiningError):
    code = "REPO_UNSAFE"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
