"""Pure, incremental parsers of git's machine-readable output: bytes in, frozen records out.

Each parser takes chunks split anywhere (inside a separator or a multibyte character) through
`feed(chunk)` and returns what became complete; `flush()` ends the stream. No I/O happens here.
"""

from __future__ import annotations

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
