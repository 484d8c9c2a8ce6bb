"""Pure, incremental parsers of git's machine-readable output: bytes in, frozen records out.

Each parser takes chunks split anywhere (inside a separator or a multibyte character) through
`feed(chunk)` and returns what became complete; `flush()` ends the stream. No I/O happens here.

The names below are imported from their modules on first use (PEP 562), not when the package
is: sanitize.py needs only refs.py on the way to `mine`'s first git (mining/launch.py), and the
log parser's records bring datetime and typing with them.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it as True)
if TYPE_CHECKING:
    from mining.parse.catfile import BatchObject, BatchParser
    from mining.parse.log import LOG_FORMAT, Commit, LogParser, ModificationType, ModifiedFile
    from mining.parse.tree import LsTreeParser, TreeEntry

__all__ = [
    "LOG_FORMAT",
    "BatchObject",
    "BatchParser",
    "Commit",
    "LogParser",
    "LsTreeParser",
    "ModificationType",
    "ModifiedFile",
    "TreeEntry",
]

# Where each name of __all__ lives.
_MODULES = {
    "BatchObject": "catfile",
    "BatchParser": "catfile",
    "LOG_FORMAT": "log",
    "Commit": "log",
    "LogParser": "log",
    "ModificationType": "log",
    "ModifiedFile": "log",
    "LsTreeParser": "tree",
    "TreeEntry": "tree",
}


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
