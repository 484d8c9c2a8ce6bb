"""What of a file the page cache holds, for the tests of graphql_api/pagecache.py."""

from __future__ import annotations

import subprocess
from pathlib import Path


def resident_bytes(path: Path) -> int:
    """How much of `path` is in the page cache (util-linux fincore)."""
    shown = subprocess.run(
        ["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(shown.stdout.strip())
