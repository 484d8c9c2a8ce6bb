"""Parser of `git ls-tree -r -l -z <commit>`: every blob (and gitlink) at that commit.

git-ls-tree(1), OUTPUT FORMAT with `-l` and `-z`:
    <mode> SP <type> SP <object> SP+ <size> TAB <path> NUL
`<size>` is right-aligned (several spaces), "-" for a submodule (type "commit") and "BAD" for a
blob git cannot read (git then exits non-zero, which the runner reports as CORRUPT).
"""

from __future__ import annotations

from dataclasses import dataclass

from mining.text import MAX_PATH, cap

SYMLINK_MODE = "120000"


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000" (symlink), "160000" (submodule)
    type: str  # "blob" or "commit"
    sha: str
    size: int | None  # None for a submodule or an unreadable blob
    path: str  # UTF-8, invalid bytes replaced, capped and displayable (mining/parse/log.py)

    @property
    def is_file(self) -> bool:
        """A regular file's blob: neither a symlink nor a submodule."""
        return self.type == "blob" and self.mode != SYMLINK_MODE


def parse_entry(record: bytes) -> TreeEntry:
    meta, path = record.split(b"\t", 1)
    mode, kind, sha, size = meta.split()
    return TreeEntry(
        mode=mode.decode("ascii"),
        type=kind.decode("ascii"),
        sha=sha.decode("ascii"),
        size=int(size) if size.isdigit() else None,
        path=cap(path[: 4 * MAX_PATH + 4].decode("utf-8", "replace"), MAX_PATH),
    )


class LsTreeParser:
    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> list[TreeEntry]:
        records = (self._tail + chunk).split(b"\0")
        self._tail = records.pop()
        return [parse_entry(r) for r in records]

    def flush(self) -> list[TreeEntry]:
        tail, self._tail = self._tail, b""
        return [parse_entry(tail)] if tail else []
