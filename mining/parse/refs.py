"""Pure parsers of a repository's ref files, read by Python before git is allowed near them.

Formats: gitrepository-layout(5) (HEAD, refs/, packed-refs, shallow) and the ref name rules of
git-check-ref-format(1); and the dates that git-for-each-ref(1) prints for tags.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it as True)
if TYPE_CHECKING:
    from datetime import datetime

_SHA = re.compile(rb"[0-9a-f]{40}")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def is_sha(raw: bytes) -> bool:
    return _SHA.fullmatch(raw) is not None


def is_valid_refname(name: str) -> bool:
    """git-check-ref-format(1) rules 1-10, for a full name such as "refs/heads/main"."""
    parts = name.split("/")
    if len(parts) < 2 or parts[0] != "refs" or name.endswith((".", "/")):
        return False
    return not _has_forbidden_sequence(name) and all(_valid_component(p) for p in parts)


def _has_forbidden_sequence(name: str) -> bool:
    return "@{" in name or name == "@" or ".." in name or _BAD_CHARS.search(name) is not None


def _valid_component(part: str) -> bool:
    return bool(part) and not part.startswith(".") and not part.endswith(".lock")


def parse_ref_value(raw: bytes) -> tuple[str, str]:
    """A loose ref or HEAD: ("sha", hex) or ("symref", "refs/..."). ValueError if neither."""
    text = raw.strip()
    if text.startswith(b"ref: "):
        target = text[5:].decode("utf-8", "replace")
        if is_valid_refname(target):
            return "symref", target
    elif is_sha(text):
        return "sha", text.decode("ascii")
    raise ValueError(f"not a ref value: {raw[:80]!r}")


def parse_packed_refs(raw: bytes) -> dict[str, str]:
    """`packed-refs`: "<sha> SP <name>" lines, "^<sha>" peeled lines, "#" header lines."""
    refs: dict[str, str] = {}
    for line in raw.splitlines():
        if not line or line.startswith(b"#"):
            continue
        if line.startswith(b"^") and is_sha(line[1:]):
            continue  # the peeled value of the annotated tag above
        sha, _, name = line.partition(b" ")
        refname = name.decode("utf-8", "replace")
        if not is_sha(sha) or not is_valid_refname(refname):
            raise ValueError(f"bad packed-refs line: {line[:120]!r}")
        refs[refname] = sha.decode("ascii")
    return refs


def parse_shallow(raw: bytes) -> tuple[str, ...]:
    """`shallow`: one commit sha per line (the grafted boundary of a shallow clone)."""
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    bad = [line for line in lines if not is_sha(line)]
    if bad:
        raise ValueError(f"bad shallow line: {bad[0][:80]!r}")
    return tuple(line.decode("ascii") for line in lines)


# `git for-each-ref --format=TAG_TARGETS refs/tags/`: what each tag names, peeled once
# (git-for-each-ref(1): `*` is the field of the object an annotated tag points at), and its date.
TAG_TARGETS = (
    "%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)"
)


def parse_tag_targets(raw: bytes) -> list[tuple[str, str, bytes]]:
    """(type, name, date) of what each tag of `git for-each-ref --format=TAG_TARGETS` names:
    the commit (or tree, blob, tag) an annotated tag points at, the object of a lightweight
    one; `date` as `parse_tag_dates` reads it."""
    found = []
    for line in raw.split(b"\n"):
        fields = line.split(b"\0")
        if len(fields) != 5:
            continue
        kind, name, peeled_kind, peeled, date = fields
        if kind == b"tag":
            kind, name = peeled_kind, peeled
        found.append((kind.decode("ascii", "replace"), name.decode("ascii", "replace"), date))
    return found


def parse_tag_dates(raw: bytes) -> tuple[datetime, ...]:
    """`git for-each-ref --merged=<head> --format=%(creatordate:unix) refs/tags/`: one Unix time
    per line (the tagger date of an annotated tag, the commit date of a lightweight one), as
    UTC datetimes, oldest first. A line that is not a number (a tag without a date) is skipped."""
    from datetime import UTC, datetime  # here: sanitize.py needs the rest before `mine`'s first git

    dates = [
        datetime.fromtimestamp(int(line), tz=UTC)
        for line in raw.split(b"\n")
        if line.strip().lstrip(b"-").isdigit()
    ]
    return tuple(sorted(dates))
