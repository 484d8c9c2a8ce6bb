"""The mining error hierarchy.

    MiningError                      base; `code` is a stable machine-readable string
    ├── GitCommandError              git failed or was stopped (argv, returncode, stderr)
    │     exited non-zero: NOT_A_REPO, EMPTY_REPO, CORRUPT, TOO_LARGE (out of memory), GIT_FAILED
    │     stopped by us (returncode None): TIMEOUT, OUTPUT_TOO_LARGE (more output than the
    │     command's cap), GIT_FAILED (it could not be started within its limits)
    ├── MiningError(code=TOO_LARGE)  more files or paths than any real project has
    └── RepoUnsafeError              the extracted tree failed the safety checks (REPO_UNSAFE);
                                     git never touched it

Errors are translated once, at the boundary where they arise (mining/git/runner.py,
mining/git/sanitize.py), and carried upward unchanged. `str()` is the full detail, for the
server log; `public(root)` is what a client is shown: upload-relative paths only, never a git
command line or its stderr.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

# Absolute paths left in a message after the upload root was taken out: server paths.
_ABSOLUTE = re.compile(r"(?<![\w.])/[^\s'\":]+")


class MiningError(Exception):
    code: str = "MINING_FAILED"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    def public(self, root: Path) -> str:
        """The message a client may see: paths relative to the upload `root`, no server path,
        no git command line, no stderr (`str()` keeps them all, for the server log)."""
        return scrub(str(self), root)


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
        status = _STOPPED.get(code, "was not run") if returncode is None else f"exited {returncode}"
        detail = stderr.strip() or "(no stderr)"
        super().__init__(f"{' '.join(self.argv)!r} {status}: {detail}", code=code)

    def public(self, root: Path) -> str:
        return _GIT_MESSAGES.get(self.code, _GIT_MESSAGES["GIT_FAILED"])


# What happened to a git that did not exit by itself (returncode None), by code.
_STOPPED = {"TIMEOUT": "timed out", "OUTPUT_TOO_LARGE": "was stopped for its output"}

_GIT_MESSAGES = {
    "NOT_A_REPO": "git does not recognise this as a repository",
    "EMPTY_REPO": "the repository has no commits",
    "CORRUPT": "the repository's objects are missing or corrupt",
    "TIMEOUT": "git took too long on this repository",
    "TOO_LARGE": "git ran out of memory on this repository",
    "OUTPUT_TOO_LARGE": "git printed more than we read from one command on this repository",
    "GIT_FAILED": "git could not read this repository",
}


class RepoUnsafeError(MiningError):
    code = "REPO_UNSAFE"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def public(self, root: Path) -> str:
        return f"{relative(self.path, root)}: {scrub(self.reason, root)}"


def relative(path: str, root: Path) -> str:
    """`path` relative to `root` when inside it (else its last component): never absolute."""
    for base in {str(root), os.path.realpath(root)}:
        if path == base:
            return "."
        if path.startswith(base.rstrip("/") + "/"):
            return path[len(base.rstrip("/")) + 1 :]
    return os.path.basename(path) or "."


def scrub(text: str, root: Path) -> str:
    """`text` with the upload root taken out of paths and any other absolute path hidden."""
    for base in sorted({str(root), os.path.realpath(root)}, key=len, reverse=True):
        text = text.replace(base.rstrip("/") + "/", "").replace(base, ".")
    return _ABSOLUTE.sub("<path>", text)
