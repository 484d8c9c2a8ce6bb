"""Parser of `git log -z --numstat --format=LOG_FORMAT` (the one history pass).

With `-z` (git-log(1), "-z" and "--numstat") the output is a sequence of NUL-terminated tokens:

    \\x1e<sha> NUL <parents> NUL <aN> NUL <aE> NUL <ae> NUL <at> NUL <ct> NUL
    \\n<added>\\t<deleted>\\t<path> NUL                 (first file: preceded by a newline)
    <added>\\t<deleted>\\t NUL <old path> NUL <new path> NUL   (a rename)
    -\\t-\\t<path> NUL                                 (a binary file)

A commit without a diff (a merge, an empty commit) is followed directly by the next `\\x1e`.
Tokens are read by position, never by searching for `\\x1e`, because paths may contain any byte
but NUL. Text is decoded as UTF-8 with errors="replace": git stores names and paths as raw bytes,
and a lone surrogate (surrogateescape) would later fail to encode as JSON or in the database.
Names, emails and paths are then capped and stripped of control characters (mining/text.py):
a crafted commit must not put a megabyte name or a bidi override into a report.

Output that does not have this shape (a crafted commit can carry any timestamp) raises
`ValueError`, and nothing else: tests/mining/test_mining_parse_fuzz.py feeds it arbitrary bytes.

Speed matters here (every changed file of every commit passes through, and Python's CPU competes
with git's for the cores): the records are NamedTuples, immutable like the frozen dataclasses
elsewhere but about five times cheaper to build (a frozen dataclass sets each field through
object.__setattr__), and `feed` walks a block's tokens in one loop with its state in locals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple

# The command whose output this parses, re-exported (log_command.py says why it lives apart).
from mining.parse.log_command import LOG_ARGS as LOG_ARGS
from mining.parse.log_command import LOG_FORMAT as LOG_FORMAT
from mining.parse.log_command import LOG_OPTIONS as LOG_OPTIONS
from mining.parse.log_command import history_args as history_args
from mining.text import MAX_EMAIL, MAX_NAME, MAX_PATH, cap

_HEADER_FIELDS = 6


class ModificationType(StrEnum):
    """pydriller's vocabulary; numstat does not tell added, deleted and modified apart."""

    RENAME = "rename"
    MODIFY = "modify"


class ModifiedFile(NamedTuple):
    new_path: str
    old_path: str | None  # set for renames only
    added_lines: int | None  # None for a binary file ("-" in numstat)
    deleted_lines: int | None
    change_type: ModificationType


class Commit(NamedTuple):
    hash: str
    parents: tuple[str, ...]
    author_name: str  # after .mailmap
    author_email: str  # after .mailmap, as written (not lower-cased)
    original_email: str  # as recorded in the commit
    author_date: datetime  # UTC
    modified_files: tuple[ModifiedFile, ...]

    @property
    def merge(self) -> bool:
        return len(self.parents) > 1


def _text(raw: bytes, limit: int = MAX_PATH) -> str:
    # Decode no more than could survive the cap (4 bytes per character at most).
    return cap(raw[: 4 * limit + 4].decode("utf-8", "replace"), limit)


def _lines(raw: bytes) -> int | None:
    return None if raw == b"-" else int(raw)


def _when(raw: bytes) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (OverflowError, OSError) as exc:  # past what time_t or datetime can hold
        raise ValueError(f"git log output: timestamp {raw[:40]!r} is out of range") from exc


_MODIFY, _RENAME = ModificationType.MODIFY, ModificationType.RENAME
# Decoded paths, names and addresses remembered by one parser: a history names each many times
# (flask: 26,000 changes of 643 paths, 5,500 commits by 800 addresses). Forgotten all at once
# past this many, which bounds a crafted history.
_PATHS_KEPT = 100_000


class LogParser:
    """Incremental: `feed(chunk)` returns the commits completed so far, `flush()` the last one."""

    def __init__(self) -> None:
        self._tail = b""  # an unterminated token carried into the next chunk
        self._header: list[bytes] = []
        self._files: list[ModifiedFile] = []
        self._rename: list[bytes] | None = None  # [added, deleted, old?] while a rename is read
        self._paths: dict[bytes, str] = {}
        self._names: dict[bytes, str] = {}  # author names
        self._emails: dict[bytes, str] = {}  # addresses, after .mailmap and as recorded

    def feed(self, chunk: bytes) -> list[Commit]:
        tokens = (self._tail + chunk).split(b"\0")
        self._tail = tokens.pop()
        return self._consume(tokens)

    def flush(self) -> list[Commit]:
        tokens = [self._tail] if self._tail else []
        self._tail = b""
        done = self._consume(tokens)
        if self._header:
            done.append(self._finish())
        return done

    def _consume(self, tokens: list[bytes]) -> list[Commit]:
        """The hottest loop of parsing (every changed file): its state in locals; a commit's
        fixed fields and a rename's paths are read where they start, or where the previous
        chunk left them (_resume)."""
        done: list[Commit] = []
        files, count = self._files, len(tokens)
        known = self._paths.get
        i = self._resume(tokens)
        while i < count:
            token = tokens[i]
            i += 1
            if token[:1] == b"\x1e":
                done.append(self._finish())
                files = self._files
                end = i + _HEADER_FIELDS - 1
                if end <= count:  # the usual case: the whole header in this chunk
                    self._header = [token[1:], *tokens[i:end]]
                    i = end
                else:
                    self._header.append(token[1:])
                    i = self._read_header(tokens, i)
                continue
            if token[:1] == b"\n":
                token = token[1:]
            added, deleted, path = token.split(b"\t", 2)
            if not path:
                self._rename = [added, deleted]
                i = self._rename_paths(tokens, i)
            elif added == b"-":
                files.append(
                    ModifiedFile(known(path) or self._path(path), None, None, None, _MODIFY)
                )
            else:
                name = known(path) or self._path(path)
                files.append(ModifiedFile(name, None, int(added), int(deleted), _MODIFY))
        return done

    def _resume(self, tokens: list[bytes]) -> int:
        """Complete the commit's fixed fields or the rename the previous chunk ended in; the
        index of the first token after them."""
        if not tokens:
            return 0
        if len(self._header) < _HEADER_FIELDS:
            return self._read_header(tokens, 0)
        if self._rename is not None:
            return self._rename_paths(tokens, 0)
        return 0

    def _read_header(self, tokens: list[bytes], i: int) -> int:
        """Take the commit's fixed fields from tokens[i:], as many as there are; the index of
        the first token after them."""
        header = self._header
        if not header:
            self._start(tokens[i])
            i += 1
        want = i + _HEADER_FIELDS - len(header)
        header += tokens[i:want]
        return min(want, len(tokens))

    def _start(self, token: bytes) -> None:
        if token[:1] != b"\x1e":
            raise ValueError(f"git log output: expected a commit, got {token[:40]!r}")
        self._header.append(token[1:])

    def _path(self, raw: bytes) -> str:
        if len(self._paths) >= _PATHS_KEPT:
            self._paths.clear()
        path = self._paths[raw] = _text(raw)
        return path

    def _rename_paths(self, tokens: list[bytes], i: int) -> int:
        """Take a rename's old and new paths from tokens[i:], as many as there are; the index
        of the first token after them."""
        rename = self._rename
        assert rename is not None
        want = i + 4 - len(rename)
        rename += tokens[i:want]
        if len(rename) == 4:
            added, deleted, old, new = rename
            lines = _lines(added), _lines(deleted)
            self._files.append(ModifiedFile(self._path(new), self._path(old), *lines, _RENAME))
            self._rename = None
        return min(want, len(tokens))

    def _finish(self) -> Commit:
        sha, parents, name, email, original, authored = self._header
        names, emails = self._names, self._emails
        commit = Commit(
            sha.decode("ascii"),
            tuple(parents.decode("ascii").split()),
            names.get(name) or _known(names, name, MAX_NAME),
            emails.get(email) or _known(emails, email, MAX_EMAIL),
            emails.get(original) or _known(emails, original, MAX_EMAIL),
            _when(authored),
            tuple(self._files),
        )
        self._header = []
        self._files = []
        return commit


def _known(decoded: dict[bytes, str], raw: bytes, limit: int) -> str:
    """`_text(raw, limit)`, remembered in `decoded`."""
    text = decoded.get(raw)
    if text is None:
        if len(decoded) >= _PATHS_KEPT:
            decoded.clear()
        text = decoded[raw] = _text(raw, limit)
    return text
