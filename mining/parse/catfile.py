"""Parser of `git cat-file --batch` output.

git-cat-file(1), BATCH OUTPUT: for each object named on stdin, either
    <sha> SP <type> SP <size> LF <contents> LF
or, for a name that does not resolve,
    <name> SP missing LF          (or "ambiguous")
Objects come back in the order they were asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

_NOT_FOUND = ("missing", "ambiguous")


@dataclass(frozen=True, slots=True)
class BatchObject:
    name: str  # the sha, or the name asked for when it is missing
    type: str | None  # None when missing or ambiguous
    content: bytes | None


class BatchParser:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._pending: tuple[str, str, int] | None = None  # a header whose contents are not in yet

    def feed(self, chunk: bytes) -> list[BatchObject]:
        self._buf += chunk
        done: list[BatchObject] = []
        while (obj := self._next()) is not None:
            done.append(obj)
        return done

    def flush(self) -> list[BatchObject]:
        if self._buf or self._pending:
            raise ValueError(f"git cat-file output ended inside an object ({len(self._buf)} bytes)")
        return []

    def _next(self) -> BatchObject | None:
        if self._pending is None:
            end = self._buf.find(b"\n")
            if end < 0:
                return None
            line = bytes(self._buf[:end]).decode("utf-8", "replace")
            del self._buf[: end + 1]
            name, _, status = line.rpartition(" ")
            if status in _NOT_FOUND:  # the name as asked, which may hold spaces
                return BatchObject(name, None, None)
            fields = line.split(" ")
            if len(fields) != 3:
                raise ValueError(f"git cat-file output: unexpected line {line[:80]!r}")
            self._pending = (fields[0], fields[1], int(fields[2]))
        name, kind, size = self._pending
        if len(self._buf) < size + 1:
            return None
        content = bytes(self._buf[:size])
        del self._buf[: size + 1]  # the contents and the LF after them
        self._pending = None
        return BatchObject(name, kind, content)
